"""Schema v1: raw Instagram data, derived columns, detections, lists and scrape state.

``posts`` is not partitioned. A partitioned table's primary key must contain the partition
key, so a month-partitioned ``posts`` could only be keyed by ``(shortcode, taken_at)``; the
upserts conflict on ``shortcode`` alone (a post's identity), and every child table refers to
it. At the volumes TrendMiner targets (millions of posts a year), a B-tree on ``taken_at`` serves
the window scans of the trend queries; revisit with partitioning past ~100M posts.

The high-volume links of a post (``posts.location_id``, ``post_hashtags``, ``post_metrics``)
carry no foreign-key constraint: PostgreSQL checks one with a trigger per row, which tripled
the cost of a bulk upsert, and ``trendminer.db.bulk`` writes a post and its links in one
transaction, so they cannot diverge. Posts are never deleted.

Revision ID: 0001_schema_v1
Revises:
Create Date: 2026-11-27
"""

from alembic import op

revision = "0001_schema_v1"
down_revision = None
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE locations (
    location_id  bigint PRIMARY KEY,
    name         text,
    slug         text,
    lat          double precision,
    lng          double precision,
    city         text,
    country      text,
    geo_source   text,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE profiles (
    username       text PRIMARY KEY,
    user_id        bigint,
    full_name      text,
    followers      integer,
    following      integer,
    is_verified    boolean,
    is_business    boolean,
    home_city      text,
    home_country   text,
    home_inferred  boolean,
    fetched_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX profiles_home_city_idx ON profiles (home_city);

CREATE TABLE posts (
    shortcode           text PRIMARY KEY,
    post_id             bigint,
    owner               text NOT NULL,
    owner_id            bigint,
    taken_at            timestamptz NOT NULL,
    caption             text,
    likes               integer,
    comments            integer,
    media_type          text NOT NULL DEFAULT 'image'
                        CHECK (media_type IN ('image', 'video', 'sidecar')),
    location_id         bigint,
    source_hashtags     text[] NOT NULL DEFAULT '{}',
    first_seen          timestamptz NOT NULL,
    last_seen           timestamptz NOT NULL,
    language            text,
    sentiment_compound  real,
    sentiment_pos       real,
    sentiment_neu       real,
    sentiment_neg       real,
    sentiment_label     text,
    city                text,
    country             text,
    city_source         text,
    timezone            text,
    enriched_at         timestamptz
);
CREATE INDEX posts_taken_at_idx ON posts (taken_at);
CREATE INDEX posts_unenriched_idx ON posts (taken_at) WHERE enriched_at IS NULL;

CREATE TABLE post_hashtags (
    shortcode  text NOT NULL,
    hashtag    text NOT NULL,
    PRIMARY KEY (shortcode, hashtag)
);

CREATE TABLE post_metrics (
    shortcode  text NOT NULL,
    seen_at    timestamptz NOT NULL,
    likes      integer,
    comments   integer,
    PRIMARY KEY (shortcode, seen_at)
);

CREATE TABLE media (
    media_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shortcode   text NOT NULL REFERENCES posts (shortcode) ON DELETE CASCADE,
    position    smallint NOT NULL,
    is_video    boolean NOT NULL DEFAULT false,
    url         text,
    path        text,
    sha256      text,
    bytes       bigint,
    width       integer,
    height      integer,
    status      text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'ok', 'missing', 'corrupt')),
    error       text,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (shortcode, position)
);
CREATE INDEX media_status_idx ON media (status);

CREATE TABLE comments (
    comment_id          bigint PRIMARY KEY,
    shortcode           text NOT NULL REFERENCES posts (shortcode) ON DELETE CASCADE,
    owner               text,
    text                text,
    created_at          timestamptz,
    likes               integer,
    language            text,
    sentiment_compound  real,
    sentiment_pos       real,
    sentiment_neu       real,
    sentiment_neg       real,
    sentiment_label     text,
    enriched_at         timestamptz
);
CREATE INDEX comments_shortcode_idx ON comments (shortcode);
CREATE INDEX comments_created_at_idx ON comments (created_at);

CREATE TABLE scrape_state (
    kind          text NOT NULL CHECK (kind IN ('hashtag', 'profile', 'archive')),
    name          text NOT NULL,
    watermark     timestamptz,
    resume_state  jsonb,
    last_run_at   timestamptz,
    last_status   text,
    PRIMARY KEY (kind, name)
);

CREATE TABLE detection_runs (
    media_id       bigint NOT NULL REFERENCES media (media_id) ON DELETE CASCADE,
    model_version  text NOT NULL,
    boxes          integer NOT NULL,
    processed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (media_id, model_version)
);

CREATE TABLE detections (
    media_id       bigint NOT NULL REFERENCES media (media_id) ON DELETE CASCADE,
    model_version  text NOT NULL,
    box_index      smallint NOT NULL,
    class_name     text NOT NULL,
    score          real NOT NULL,
    x1             real NOT NULL,
    y1             real NOT NULL,
    x2             real NOT NULL,
    y2             real NOT NULL,
    colour         text,
    PRIMARY KEY (media_id, model_version, box_index)
);
CREATE INDEX detections_version_class_idx ON detections (model_version, class_name);

CREATE TABLE geocode_cache (
    query       text PRIMARY KEY,
    lat         double precision,
    lng         double precision,
    city        text,
    country     text,
    source      text NOT NULL,
    fetched_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE excluded_users (
    username  text PRIMARY KEY,
    added_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE excluded_hashtags (
    hashtag   text PRIMARY KEY,
    added_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE tracked_influencers (
    username  text PRIMARY KEY,
    added_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rejected_records (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stage       text NOT NULL,
    source      text NOT NULL DEFAULT '',
    reason      text NOT NULL,
    payload     text,
    rejected_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stage, source, reason)
);
"""

TABLES = (
    "rejected_records",
    "tracked_influencers",
    "excluded_hashtags",
    "excluded_users",
    "geocode_cache",
    "detections",
    "detection_runs",
    "scrape_state",
    "comments",
    "media",
    "post_metrics",
    "post_hashtags",
    "posts",
    "profiles",
    "locations",
)


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TABLE IF EXISTS {table}")
