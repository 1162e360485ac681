"""Trend tables: what ``trendminer trends build`` writes and analysts query (see sql/README.md).

Every table is rebuilt idempotently for a window of local days. ``'*'`` in a ``hashtag`` or
``city`` column means "all"; ``'(unknown)'`` is the city of posts Enrich could not place.

Revision ID: 0002_trend_tables
Revises: 0001_schema_v1
Create Date: 2026-11-28
"""

from alembic import op

revision = "0002_trend_tables"
down_revision = "0001_schema_v1"
branch_labels = None
depends_on = None

UPGRADE = """
-- The words of a caption that can explain a trend: lower case, hashtags and mentions left out
-- (they have tables of their own), at least three letters, common English words dropped.
-- One SQL statement, so the planner inlines it into the queries that call it.
CREATE FUNCTION trend_caption_words(caption text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT w.word
    FROM regexp_split_to_table(
        lower(regexp_replace(COALESCE(caption, ''), '[#@][[:alnum:]_.]+', ' ', 'g')),
        '[^[:alpha:]]+') AS w(word)
    WHERE length(w.word) >= 3
      AND w.word <> ALL (ARRAY[
          'the', 'and', 'for', 'with', 'this', 'that', 'you', 'your', 'are', 'was', 'were',
          'but', 'have', 'has', 'had', 'not', 'all', 'our', 'out', 'from', 'what', 'its',
          'can', 'get', 'got', 'just', 'too', 'very', 'now', 'how', 'who', 'they', 'them',
          'she', 'his', 'her', 'him', 'will', 'would', 'about', 'there', 'here', 'than',
          'then', 'been', 'into', 'more', 'some', 'any', 'one', 'also', 'only', 'really'])
$$;

-- The local day of a post, indexed: window scans use it, and its statistics keep the
-- planner's row estimates (and so its join choices) right.
CREATE INDEX posts_local_day_idx
    ON posts (((taken_at AT TIME ZONE COALESCE(timezone, 'UTC'))::date));

CREATE VIEW trend_eligible_posts AS
SELECT p.shortcode, p.owner, p.taken_at,
       (p.taken_at AT TIME ZONE COALESCE(p.timezone, 'UTC'))::date AS day,
       COALESCE(p.city, '(unknown)') AS city,
       p.caption, COALESCE(p.likes, 0) AS likes, COALESCE(p.comments, 0) AS comments,
       p.sentiment_compound, p.sentiment_label
FROM posts p
WHERE p.owner NOT IN (SELECT username FROM excluded_users)
  AND p.shortcode NOT IN (SELECT ph.shortcode FROM excluded_hashtags eh
                          JOIN post_hashtags ph ON ph.hashtag = eh.hashtag);

CREATE TABLE trend_build_days (
    day       date PRIMARY KEY,
    built_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE trend_daily_activity (
    day             date NOT NULL,
    hashtag         text NOT NULL,
    city            text NOT NULL,
    posts           integer NOT NULL,
    likes           bigint NOT NULL,
    comments        bigint NOT NULL,
    authors         integer NOT NULL,
    activity_index  double precision NOT NULL,
    PRIMARY KEY (day, hashtag, city)
);
CREATE INDEX trend_daily_activity_series_idx ON trend_daily_activity (hashtag, city, day);

CREATE TABLE trend_activity_days (
    hashtag    text NOT NULL,
    city       text NOT NULL,
    day        date NOT NULL,
    activity   double precision NOT NULL,
    baseline   double precision,
    score      double precision,
    size       double precision,
    label      text NOT NULL CHECK (label IN ('average', 'non-average', 'too-early')),
    is_peak    boolean NOT NULL,
    run_start  date,
    PRIMARY KEY (hashtag, city, day)
);
CREATE INDEX trend_activity_days_peak_idx ON trend_activity_days (day) WHERE is_peak;
CREATE VIEW trend_activity_peaks AS
SELECT * FROM trend_activity_days WHERE is_peak;

CREATE TABLE trend_daily_sentiment (
    day                  date NOT NULL,
    hashtag              text NOT NULL,
    city                 text NOT NULL,
    posts_labelled       integer NOT NULL,
    posts_negative       integer NOT NULL,
    posts_unlabelled     integer NOT NULL,
    comments_labelled    integer NOT NULL,
    comments_negative    integer NOT NULL,
    comments_unlabelled  integer NOT NULL,
    coverage             double precision,
    PRIMARY KEY (day, hashtag, city)
);
CREATE INDEX trend_daily_sentiment_series_idx ON trend_daily_sentiment (hashtag, city, day);

CREATE TABLE trend_sentiment_days (
    hashtag         text NOT NULL,
    city            text NOT NULL,
    day             date NOT NULL,
    labelled        integer NOT NULL,
    negative        integer NOT NULL,
    negative_share  double precision,
    baseline_share  double precision,
    p_value         double precision,
    label           text NOT NULL CHECK (label IN ('average', 'non-average', 'too-early')),
    is_peak         boolean NOT NULL,
    run_start       date,
    PRIMARY KEY (hashtag, city, day)
);
CREATE INDEX trend_sentiment_days_peak_idx ON trend_sentiment_days (day) WHERE is_peak;
CREATE VIEW trend_sentiment_peaks AS
SELECT * FROM trend_sentiment_days WHERE is_peak;

CREATE TABLE trend_peak_influencers (
    peak_kind       text NOT NULL CHECK (peak_kind IN ('activity', 'sentiment')),
    hashtag         text NOT NULL,
    city            text NOT NULL,
    day             date NOT NULL,
    rank            smallint NOT NULL,
    username        text NOT NULL,
    posts           integer NOT NULL,
    likes           bigint NOT NULL,
    negative_items  integer NOT NULL,
    mean_sentiment  double precision,
    share           double precision NOT NULL,
    followers       integer,
    home_city       text,
    PRIMARY KEY (peak_kind, hashtag, city, day, rank)
);
CREATE INDEX trend_peak_influencers_day_idx ON trend_peak_influencers (day);

CREATE TABLE trend_peak_terms (
    peak_kind  text NOT NULL CHECK (peak_kind IN ('activity', 'sentiment')),
    hashtag    text NOT NULL,
    city       text NOT NULL,
    day        date NOT NULL,
    term_kind  text NOT NULL CHECK (term_kind IN ('hashtag', 'keyword')),
    rank       smallint NOT NULL,
    term       text NOT NULL,
    posts      integer NOT NULL,
    baseline   double precision NOT NULL,
    lift       double precision NOT NULL,
    PRIMARY KEY (peak_kind, hashtag, city, day, term_kind, rank)
);
CREATE INDEX trend_peak_terms_day_idx ON trend_peak_terms (day);

CREATE TABLE trend_influencer_daily (
    username         text NOT NULL,
    day              date NOT NULL,
    posts            integer NOT NULL,
    likes            bigint NOT NULL,
    comments         bigint NOT NULL,
    mean_sentiment   double precision,
    negative_posts   integer NOT NULL,
    garments         integer NOT NULL,
    garment_classes  text[] NOT NULL,
    PRIMARY KEY (username, day)
);
CREATE INDEX trend_influencer_daily_day_idx ON trend_influencer_daily (day);

CREATE TABLE trend_attribute_weekly (
    week            date NOT NULL,
    city            text NOT NULL,
    attribute_kind  text NOT NULL CHECK (attribute_kind IN ('class', 'colour', 'class_colour')),
    attribute       text NOT NULL,
    posts           integer NOT NULL,
    total           integer NOT NULL,
    share           double precision NOT NULL,
    lower           double precision NOT NULL,
    upper           double precision NOT NULL,
    model_version   text NOT NULL,
    PRIMARY KEY (city, attribute_kind, attribute, week)
);
CREATE INDEX trend_attribute_weekly_week_idx ON trend_attribute_weekly (week);

CREATE TABLE trend_attribute_fits (
    city            text NOT NULL,
    attribute_kind  text NOT NULL,
    attribute       text NOT NULL,
    model           text NOT NULL CHECK (model IN ('seasonal+linear', 'linear')),
    weeks           integer NOT NULL,
    first_week      date NOT NULL,
    last_week       date NOT NULL,
    mean_share      double precision NOT NULL,
    intercept       double precision NOT NULL,
    slope           double precision NOT NULL,
    slope_p_value   double precision,
    amplitude       double precision,
    peak_week_of_year double precision,
    PRIMARY KEY (city, attribute_kind, attribute)
);

CREATE TABLE trend_attribute_events (
    city            text NOT NULL,
    attribute_kind  text NOT NULL,
    attribute       text NOT NULL,
    start_week      date NOT NULL,
    end_week        date NOT NULL,
    weeks           integer NOT NULL,
    peak_week       date NOT NULL,
    observed_share  double precision NOT NULL,
    expected_share  double precision NOT NULL,
    min_p_value     double precision NOT NULL,
    saliency        double precision NOT NULL,
    rank            integer NOT NULL,
    PRIMARY KEY (city, attribute_kind, attribute, start_week)
);
CREATE INDEX trend_attribute_events_rank_idx ON trend_attribute_events (rank);

CREATE TABLE trend_attribute_event_keywords (
    city            text NOT NULL,
    attribute_kind  text NOT NULL,
    attribute       text NOT NULL,
    start_week      date NOT NULL,
    rank            smallint NOT NULL,
    keyword         text NOT NULL,
    posts           integer NOT NULL,
    baseline_posts  double precision NOT NULL,
    lift            double precision NOT NULL,
    PRIMARY KEY (city, attribute_kind, attribute, start_week, rank)
);

CREATE TABLE trend_forecasts (
    city            text NOT NULL,
    attribute_kind  text NOT NULL,
    attribute       text NOT NULL,
    week            date NOT NULL,
    share           double precision NOT NULL,
    lower           double precision NOT NULL,
    upper           double precision NOT NULL,
    PRIMARY KEY (city, attribute_kind, attribute, week)
);

CREATE TABLE trend_forecast_errors (
    city            text NOT NULL,
    attribute_kind  text NOT NULL,
    attribute       text NOT NULL,
    held_out_weeks  integer NOT NULL,
    model_mae       double precision NOT NULL,
    mean_mae        double precision NOT NULL,
    last_value_mae  double precision NOT NULL,
    linear_mae      double precision NOT NULL,
    PRIMARY KEY (city, attribute_kind, attribute)
);

CREATE TABLE trend_city_influence (
    attribute_kind  text NOT NULL,
    attribute       text NOT NULL,
    leader_city     text NOT NULL,
    follower_city   text NOT NULL,
    lag_weeks       smallint NOT NULL,
    correlation     double precision NOT NULL,
    granger_f       double precision,
    granger_p       double precision,
    weeks           integer NOT NULL,
    PRIMARY KEY (attribute_kind, attribute, leader_city, follower_city)
);

CREATE TABLE trend_garment_cooccurrence (
    month        date NOT NULL,
    city         text NOT NULL,
    item_kind    text NOT NULL CHECK (item_kind IN ('class', 'class_colour')),
    item_a       text NOT NULL,
    item_b       text NOT NULL,
    posts_both   integer NOT NULL,
    posts_a      integer NOT NULL,
    posts_b      integer NOT NULL,
    posts_total  integer NOT NULL,
    support      double precision NOT NULL,
    lift         double precision NOT NULL,
    PRIMARY KEY (city, month, item_kind, item_a, item_b)
);
CREATE INDEX trend_garment_cooccurrence_month_idx ON trend_garment_cooccurrence (month);
"""

DROP = """
DROP FUNCTION IF EXISTS trend_caption_words(text);
DROP INDEX IF EXISTS posts_local_day_idx;
DROP VIEW IF EXISTS trend_activity_peaks;
DROP VIEW IF EXISTS trend_sentiment_peaks;
DROP VIEW IF EXISTS trend_eligible_posts;
DROP TABLE IF EXISTS trend_garment_cooccurrence, trend_city_influence, trend_forecast_errors,
    trend_forecasts, trend_attribute_event_keywords, trend_attribute_events,
    trend_attribute_fits, trend_attribute_weekly, trend_influencer_daily, trend_peak_terms,
    trend_peak_influencers, trend_sentiment_days, trend_daily_sentiment, trend_activity_days,
    trend_daily_activity, trend_build_days;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DROP)
