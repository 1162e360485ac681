"""Idempotent bulk writes of posts with their children.

One call = one transaction's worth of work: the batch is cleaned (``trendminer.cleaning``),
COPied into temporary staging tables and merged with ``INSERT … ON CONFLICT``. Run it inside
``engine.begin()`` so that a failure leaves nothing half-written; a rerun of the same batch
leaves the same rows. A post seen more than once in a batch is merged once per sighting,
oldest first, in rounds (round k holds the k-th sighting of each post), so a batch leaves the
rows its records leave when split into several batches: the newest sighting wins, every
sighting keeps its metrics row, source hashtags and first sighting.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from operator import attrgetter

from sqlalchemy import Connection, Engine, text

from trendminer.cleaning import (
    MIN_TIME,
    caption_hashtags,
    clean_count,
    clean_id,
    clean_owner,
    clean_post,
    clean_text,
    clean_time,
)
from trendminer.db.copy import copy_rows, copy_value, to_copy_text
from trendminer.errors import InvalidRecordError
from trendminer.records import LocationRecord, PostRecord, ProfileRecord

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """What one upsert did: posts inserted, updated, and records rejected."""

    inserted: int = 0
    updated: int = 0
    rejected: int = 0

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.rejected + other.rejected,
        )


POST_COLUMNS = (
    "shortcode", "post_id", "owner", "owner_id", "taken_at", "caption", "likes", "comments",
    "media_type", "location_id", "source_hashtags", "first_seen", "last_seen",
)  # fmt: skip
LOCATION_COLUMNS = ("location_id", "name", "slug", "lat", "lng", "seen_at")
MEDIA_COLUMNS = (
    "shortcode", "position", "is_video", "url", "path", "sha256", "bytes", "width", "height",
    "status", "error",
)  # fmt: skip
COMMENT_COLUMNS = ("comment_id", "shortcode", "owner", "text", "created_at", "likes")

_STAGE = """
CREATE TEMP TABLE IF NOT EXISTS stage_posts (LIKE posts INCLUDING DEFAULTS, all_hashtags text[])
    ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_locations (LIKE locations INCLUDING DEFAULTS)
    ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_media (
    shortcode text, position smallint, is_video boolean, url text, path text, sha256 text,
    bytes bigint, width integer, height integer, status text, error text
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_comments (
    comment_id bigint, shortcode text, owner text, text text, created_at timestamptz,
    likes integer
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_stale (shortcode text) ON COMMIT DELETE ROWS;
DELETE FROM stage_posts; DELETE FROM stage_locations; DELETE FROM stage_media;
DELETE FROM stage_comments; DELETE FROM stage_stale;
"""

_NEXT_ROUND = """
DELETE FROM stage_posts; DELETE FROM stage_media; DELETE FROM stage_comments;
DELETE FROM stage_stale;
"""

# Only a sighting at least as new as the stored one (``seen_at``; NULL: stored before migration
# 0011) changes a location. One whose name or coordinates change sends its posts back to enrich
# (their city).
_MERGE_LOCATIONS = """
WITH stored AS (
SELECT l.location_id, l.name, l.slug, l.lat, l.lng
FROM locations l JOIN stage_locations s USING (location_id)
),
merged AS (
INSERT INTO locations AS l (location_id, name, slug, lat, lng, seen_at)
SELECT location_id, name, slug, lat, lng, seen_at FROM stage_locations
ON CONFLICT (location_id) DO UPDATE SET
    name = COALESCE(EXCLUDED.name, l.name),
    slug = COALESCE(EXCLUDED.slug, l.slug),
    lat = COALESCE(EXCLUDED.lat, l.lat),
    lng = COALESCE(EXCLUDED.lng, l.lng),
    seen_at = EXCLUDED.seen_at,
    updated_at = now()
WHERE (l.seen_at IS NULL OR EXCLUDED.seen_at >= l.seen_at)
  AND (l.seen_at, l.name, l.slug, l.lat, l.lng)
      IS DISTINCT FROM (EXCLUDED.seen_at, COALESCE(EXCLUDED.name, l.name),
                        COALESCE(EXCLUDED.slug, l.slug), COALESCE(EXCLUDED.lat, l.lat),
                        COALESCE(EXCLUDED.lng, l.lng))
RETURNING location_id, name, slug, lat, lng
)
UPDATE posts p SET enriched_at = NULL
FROM merged m JOIN stored s USING (location_id)
WHERE p.location_id = m.location_id AND p.enriched_at IS NOT NULL
  AND (m.name, m.slug, m.lat, m.lng) IS DISTINCT FROM (s.name, s.slug, s.lat, s.lng)
"""

# A later sighting updates what changes (likes and comment count unless it lacks them, caption,
# location, its caption's hashtags: those no longer in the caption nor a source are dropped); an
# older one only widens first_seen and the source hashtags, and is noted in stage_stale (its
# pictures and comments then change nothing stored). Returns the posts inserted.
_MERGE_POSTS = """
WITH merged AS (
INSERT INTO posts AS p (shortcode, post_id, owner, owner_id, taken_at, caption, likes, comments,
                        media_type, location_id, source_hashtags, first_seen, last_seen)
SELECT shortcode, post_id, owner, owner_id, taken_at, caption, likes, comments,
       media_type, location_id, source_hashtags, first_seen, last_seen
FROM stage_posts
ON CONFLICT (shortcode) DO UPDATE SET
    likes = CASE WHEN EXCLUDED.last_seen >= p.last_seen
                 THEN COALESCE(EXCLUDED.likes, p.likes) ELSE p.likes END,
    comments = CASE WHEN EXCLUDED.last_seen >= p.last_seen
                    THEN COALESCE(EXCLUDED.comments, p.comments) ELSE p.comments END,
    caption = CASE WHEN EXCLUDED.last_seen >= p.last_seen THEN EXCLUDED.caption ELSE p.caption END,
    location_id = CASE WHEN EXCLUDED.last_seen >= p.last_seen
                       THEN COALESCE(EXCLUDED.location_id, p.location_id)
                       ELSE COALESCE(p.location_id, EXCLUDED.location_id) END,
    post_id = COALESCE(p.post_id, EXCLUDED.post_id),
    owner_id = COALESCE(p.owner_id, EXCLUDED.owner_id),
    source_hashtags = ARRAY(SELECT DISTINCT unnest(p.source_hashtags || EXCLUDED.source_hashtags)
                            ORDER BY 1),
    first_seen = LEAST(p.first_seen, EXCLUDED.first_seen),
    last_seen = GREATEST(p.last_seen, EXCLUDED.last_seen),
    enriched_at = CASE WHEN EXCLUDED.last_seen >= p.last_seen
                        AND (EXCLUDED.caption IS DISTINCT FROM p.caption
                             OR EXCLUDED.location_id IS NOT NULL
                                AND EXCLUDED.location_id IS DISTINCT FROM p.location_id)
                       THEN NULL ELSE p.enriched_at END
RETURNING shortcode, last_seen, source_hashtags, (xmax = 0) AS inserted
),
sightings AS (
SELECT s.shortcode, s.last_seen < m.last_seen AS stale, m.inserted, s.source_hashtags,
       s.all_hashtags, m.source_hashtags AS all_sources
FROM stage_posts s JOIN merged m ON m.shortcode = s.shortcode
),
stale AS (
INSERT INTO stage_stale (shortcode) SELECT shortcode FROM sightings WHERE stale
),
dropped AS (
DELETE FROM post_hashtags ph
USING sightings s
WHERE ph.shortcode = s.shortcode AND NOT s.stale AND NOT s.inserted
  AND ph.hashtag <> ALL (s.all_hashtags) AND ph.hashtag <> ALL (s.all_sources)
),
hashtags AS (
INSERT INTO post_hashtags (shortcode, hashtag)
SELECT shortcode, unnest(CASE WHEN stale THEN source_hashtags ELSE all_hashtags END)
FROM sightings
ON CONFLICT DO NOTHING
)
SELECT count(*) FILTER (WHERE inserted) FROM merged
"""

_MERGE_METRICS = """
INSERT INTO post_metrics (shortcode, seen_at, likes, comments)
SELECT shortcode, last_seen, likes, comments FROM stage_posts
ON CONFLICT (shortcode, seen_at) DO UPDATE SET likes = EXCLUDED.likes, comments = EXCLUDED.comments
"""

# A fresh 'pending' sighting never overwrites a stored result ('ok', 'missing', 'corrupt'), a
# failed download (a 403, a file gone from an archive) never overwrites a stored picture, and
# an older sighting changes no stored picture (it adds the ones not stored).
_MERGE_MEDIA = """
INSERT INTO media AS m (shortcode, position, is_video, url, path, sha256, bytes, width, height,
                        status, error)
SELECT shortcode, position, is_video, url, path, sha256, bytes, width, height, status, error
FROM stage_media
ON CONFLICT (shortcode, position) DO UPDATE SET
    is_video = EXCLUDED.is_video,
    url = COALESCE(EXCLUDED.url, m.url),
    path = EXCLUDED.path, sha256 = EXCLUDED.sha256, bytes = EXCLUDED.bytes,
    width = EXCLUDED.width, height = EXCLUDED.height,
    status = EXCLUDED.status, error = EXCLUDED.error, updated_at = now()
WHERE (EXCLUDED.status <> 'pending' OR m.status = 'pending')
  AND (EXCLUDED.status = 'ok' OR m.status <> 'ok')
  AND NOT EXISTS (SELECT 1 FROM stage_stale st WHERE st.shortcode = EXCLUDED.shortcode)
"""

# Like the posts: an older sighting of a post (in stage_stale) adds new comments but changes none.
_DROP_STALE_COMMENTS = """
DELETE FROM stage_comments sc
USING stage_stale st, comments c
WHERE st.shortcode = sc.shortcode AND c.comment_id = sc.comment_id
"""

_MERGE_COMMENTS = """
INSERT INTO comments AS c (comment_id, shortcode, owner, text, created_at, likes)
SELECT DISTINCT ON (comment_id) comment_id, shortcode, owner, text, created_at, likes
FROM stage_comments
ON CONFLICT (comment_id) DO UPDATE SET
    likes = EXCLUDED.likes,
    text = EXCLUDED.text,
    enriched_at = CASE WHEN EXCLUDED.text IS DISTINCT FROM c.text THEN NULL ELSE c.enriched_at END
"""

_REJECT = """
INSERT INTO rejected_records (stage, source, reason, payload)
VALUES (:stage, :source, :reason, :payload)
ON CONFLICT (stage, source, reason) DO UPDATE SET rejected_at = now()
"""


# A rejected input's own text is hostile by definition: cleaned like any text and cut to a
# length the (stage, source, reason) index takes (a B-tree entry holds about 2,700 bytes).
_MAX_SOURCE, _MAX_REASON = 200, 300


def _clipped(value: str, limit: int) -> str:
    cleaned = clean_text(value) or ""
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "\u2026"


def record_rejection(
    connection: Connection, stage: str, source: str, reason: str, payload: str | None = None
) -> None:
    """Keep a rejected input (once per stage, source and reason) so it can be inspected.

    ``source`` and ``reason`` are cleaned (NUL bytes, lone surrogates) and cut short; the
    payload is cleaned and kept whole.
    """
    connection.execute(
        text(_REJECT),
        {
            "stage": stage,
            "source": _clipped(source, _MAX_SOURCE),
            "reason": _clipped(reason, _MAX_REASON),
            "payload": clean_text(payload),
        },
    )


@dataclass(frozen=True, slots=True)
class PreparedRound:
    """One sighting of each of some posts, serialised for COPY."""

    posts: str  # with each post's hashtags (caption and source) in a last column
    media: str
    comments: str


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """A cleaned batch serialised for COPY (pure Python; no database needed)."""

    rounds: tuple[PreparedRound, ...]  # round k: the k-th oldest sighting of each post
    locations: str  # each location once, as its newest sightings tell it
    count: int  # distinct posts
    rejections: tuple[tuple[str, str], ...]  # (source key, reason)


def _cleaned(raw: PostRecord, source: str, rejections: list[tuple[str, str]]) -> PostRecord | None:
    """The cleaned post, or None with its rejection noted: a record without what it needs, or
    with a value of a type no cleaning rule expects (the error is the reason)."""
    try:
        return clean_post(raw)
    except InvalidRecordError as exc:
        reason = str(exc)
    except (TypeError, ValueError, OverflowError) as exc:
        reason = f"post {getattr(raw, 'shortcode', None)!r} cannot be cleaned: {exc!r}"
    logger.warning("rejected: %s", reason)
    rejections.append((source or str(getattr(raw, "shortcode", "") or ""), reason))
    return None


def prepare_batch(posts: Iterable[PostRecord], source: str = "") -> PreparedBatch:
    """Clean every post, order each post's sightings oldest first, serialise for COPY.

    Of sightings at the same time, the later in the batch counts as the newer.
    """
    cleaned: list[PostRecord] = []
    rejections: list[tuple[str, str]] = []
    sightings: dict[str, list[PostRecord]] = {}
    for raw in posts:
        post = _cleaned(raw, source, rejections)
        if post is not None:
            cleaned.append(post)
            sightings.setdefault(post.shortcode, []).append(post)
    rounds: list[list[PostRecord]] = []
    for seen in sightings.values():
        seen.sort(key=attrgetter("seen_at"))  # stable: keeps the batch's order of equal times
        for index, post in enumerate(seen):
            if index == len(rounds):
                rounds.append([])
            rounds[index].append(post)
    return PreparedBatch(
        rounds=tuple(_round(batch) for batch in rounds),
        locations=_location_lines(cleaned),
        count=len(sightings),
        rejections=tuple(rejections),
    )


def _round(batch: list[PostRecord]) -> PreparedRound:
    """Posts of distinct shortcodes, serialised for COPY."""
    return PreparedRound(
        posts=_post_lines(batch),
        media=to_copy_text(
            (
                post.shortcode,
                m.position,
                m.is_video,
                m.url,
                m.path,
                m.sha256,
                m.bytes,
                m.width,
                m.height,
                m.status,
                m.error,
            )
            for post in batch
            for m in {item.position: item for item in post.media}.values()
        ),
        comments=to_copy_text(
            (c.comment_id, post.shortcode, c.owner, c.text, c.created_at, c.likes)
            for post in batch
            for c in post.comment_list
        ),
    )


def _location_lines(posts: Iterable[PostRecord]) -> str:
    """Each location once (``LOCATION_COLUMNS``): its newest sighting's fields, an older one's
    where the newer lacks them (as separate batches merge them), and its newest sighting time."""
    merged: dict[int, tuple[datetime, LocationRecord]] = {}
    for post in posts:
        if post.location is None:
            continue
        known = merged.get(post.location.location_id)
        if known is None:
            merged[post.location.location_id] = (post.seen_at, post.location)
        elif post.seen_at >= known[0]:
            merged[post.location.location_id] = (post.seen_at, _over(post.location, known[1]))
        else:
            merged[post.location.location_id] = (known[0], _over(known[1], post.location))
    return to_copy_text(
        (loc.location_id, loc.name, loc.slug, loc.lat, loc.lng, seen_at)
        for seen_at, loc in merged.values()
    )


def _over(newer: LocationRecord, older: LocationRecord) -> LocationRecord:
    """The newer location's fields, the older's where the newer has none."""
    return LocationRecord(
        location_id=newer.location_id,
        name=newer.name if newer.name is not None else older.name,
        slug=newer.slug if newer.slug is not None else older.slug,
        lat=newer.lat if newer.lat is not None else older.lat,
        lng=newer.lng if newer.lng is not None else older.lng,
    )


def _post_lines(batch: list[PostRecord]) -> str:
    """The posts as COPY lines for ``stage_posts`` (``POST_COLUMNS``, then all their hashtags).

    The hot path of ingest: fields that cleaning has made safe (shortcode, media type, times,
    hashtags of word characters) skip the generic formatter, and a batch's few distinct
    sighting times are formatted once.
    """
    sightings: dict[datetime, str] = {}
    lines = []
    for post in batch:
        seen = sightings.get(post.seen_at)
        if seen is None:
            seen = sightings[post.seen_at] = post.seen_at.isoformat()
        hashtags = dict.fromkeys(caption_hashtags(post.caption) + post.source_hashtags)
        location_id = post.location.location_id if post.location else None
        fields = (
            post.shortcode, copy_value(post.post_id), copy_value(post.owner),
            copy_value(post.owner_id), post.taken_at.isoformat(), copy_value(post.caption),
            copy_value(post.likes), copy_value(post.comments), post.media_type,
            copy_value(location_id), _hashtag_array(post.source_hashtags), seen, seen,
            _hashtag_array(hashtags),
        )  # fmt: skip
        lines.append("\t".join(fields))
    return "\n".join(lines) + "\n" if lines else ""


def _hashtag_array(hashtags: Iterable[str]) -> str:
    """A text[] literal of normalised hashtags (word characters only: nothing to escape)."""
    return "{" + ",".join(f'"{tag}"' for tag in hashtags) + "}"


def _write_round(connection: Connection, prepared: PreparedRound) -> int:
    """Merge one round's posts, metrics, media and comments; returns the posts inserted."""
    copy_rows(connection, "stage_posts", (*POST_COLUMNS, "all_hashtags"), prepared.posts)
    inserted: int = connection.exec_driver_sql(_MERGE_POSTS).one()[0]
    connection.exec_driver_sql(_MERGE_METRICS)
    if prepared.media:
        copy_rows(connection, "stage_media", MEDIA_COLUMNS, prepared.media)
        connection.exec_driver_sql(_MERGE_MEDIA)
    if prepared.comments:
        copy_rows(connection, "stage_comments", COMMENT_COLUMNS, prepared.comments)
        connection.exec_driver_sql(_DROP_STALE_COMMENTS)
        connection.exec_driver_sql(_MERGE_COMMENTS)
    return inserted


def write_batch(connection: Connection, prepared: PreparedBatch) -> UpsertResult:
    """Merge a prepared batch into the tables, round by round; call inside one transaction."""
    for key, reason in prepared.rejections:
        record_rejection(connection, "store", key, reason)
    rejected = len(prepared.rejections)
    if not prepared.count:
        return UpsertResult(rejected=rejected)
    connection.exec_driver_sql(_STAGE)
    if prepared.locations:
        copy_rows(connection, "stage_locations", LOCATION_COLUMNS, prepared.locations)
        connection.exec_driver_sql(_MERGE_LOCATIONS)
    inserted = 0
    for index, sightings in enumerate(prepared.rounds):
        if index:
            connection.exec_driver_sql(_NEXT_ROUND)
        inserted += _write_round(connection, sightings)
    return UpsertResult(inserted=inserted, updated=prepared.count - inserted, rejected=rejected)


def upsert_posts(
    connection: Connection, posts: Iterable[PostRecord], source: str = ""
) -> UpsertResult:
    """Merge a batch of posts with their locations, hashtags, metrics, media and comments.

    Call inside one transaction; rejected records are counted and kept in ``rejected_records``.
    """
    return write_batch(connection, prepare_batch(posts, source))


def upsert_in_batches(
    engine: Engine, posts: Iterable[PostRecord], batch_size: int, source: str = ""
) -> UpsertResult:
    """Upsert a stream of posts, one transaction per batch of ``batch_size``.

    The next batch is cleaned and serialised in a thread while the database merges the current
    one (psycopg2 releases the GIL while it waits), so both cores work.
    """
    total = UpsertResult()
    iterator = iter(posts)
    chunks = iter(lambda: list(islice(iterator, batch_size)), [])
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prepare") as preparer:

        def prepare_next() -> Future[PreparedBatch] | None:
            chunk = next(chunks, None)
            return None if chunk is None else preparer.submit(prepare_batch, chunk, source)

        pending = prepare_next()
        while pending is not None:
            prepared = pending.result()
            pending = prepare_next()
            with engine.begin() as connection:
                total += write_batch(connection, prepared)
    return total


_MERGE_PROFILE = """
INSERT INTO profiles AS pr (username, user_id, full_name, followers, following, is_verified,
                            is_business, fetched_at)
VALUES (:username, :user_id, :full_name, :followers, :following, :is_verified, :is_business,
        :fetched_at)
ON CONFLICT (username) DO UPDATE SET
    user_id = COALESCE(EXCLUDED.user_id, pr.user_id),
    full_name = COALESCE(EXCLUDED.full_name, pr.full_name),
    followers = COALESCE(EXCLUDED.followers, pr.followers),
    following = COALESCE(EXCLUDED.following, pr.following),
    is_verified = COALESCE(EXCLUDED.is_verified, pr.is_verified),
    is_business = COALESCE(EXCLUDED.is_business, pr.is_business),
    fetched_at = GREATEST(EXCLUDED.fetched_at, pr.fetched_at)
WHERE EXCLUDED.fetched_at >= pr.fetched_at
"""


def upsert_profiles(connection: Connection, profiles: Iterable[ProfileRecord]) -> int:
    """Merge profiles (the most recent fetch wins); returns how many were given."""
    latest: dict[str, tuple[datetime, ProfileRecord]] = {}
    for profile in profiles:
        name = clean_owner(profile.username)
        if name is None:
            continue
        fetched_at = clean_time(profile.fetched_at) or MIN_TIME
        known = latest.get(name)
        if known is None or fetched_at >= known[0]:
            latest[name] = (fetched_at, profile)
    rows = [
        {
            "username": name,
            "user_id": clean_id(p.user_id, "user id", name),
            "full_name": clean_text(p.full_name),
            "followers": clean_count(p.followers, "followers", name),
            "following": clean_count(p.following, "following", name),
            "is_verified": p.is_verified if isinstance(p.is_verified, bool) else None,
            "is_business": p.is_business if isinstance(p.is_business, bool) else None,
            "fetched_at": fetched_at,
        }
        for name, (fetched_at, p) in latest.items()
    ]
    if rows:
        connection.execute(text(_MERGE_PROFILE), rows)
    return len(rows)
