"""Built trend days whose inputs changed after they were built, and their rebuild.

A built day is stale when, after it was built (``trend_build_days.built_at``), one of its posts
(by local day) was first seen, stored with a hashtag (a late archive import, or a post seen
again in another hashtag's feed), enriched (or moved to its owner's home city) or detected by
the trend tables' model version, or a comment on it was enriched; and so is the UTC day a post
sat on before its first enrichment gave it a city, if the post was in that day's build. Like
counts that grow at later sightings do not make a day stale (the tables take them as they were
when built). A post moved again, to a city of another time zone, can leave the day before its
new one too, so the rebuild starts a day earlier. Rebuilding changes the published peaks of
the days it covers (their own data changed), so it is a deliberate operator action:
``trendminer trends refresh``.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Connection, Engine, text

from trendminer.settings import Settings
from trendminer.trends.build import TrendsResult, resolve_model_version
from trendminer.trends.rebuild import LOCAL_DAY, RebuildWindow, rebuild, window_from

_FIRST_STALE_DAY = f"""
WITH changes AS (
    SELECT {LOCAL_DAY} AS day, GREATEST(p.first_seen, p.enriched_at) AS changed_at,
           NULL AS built_with
    FROM posts p
    UNION ALL
    SELECT CAST(p.taken_at AT TIME ZONE 'UTC' AS date), p.enriched_at, p.first_seen
    FROM posts p
    WHERE p.enriched_at IS NOT NULL
    UNION ALL
    SELECT {LOCAL_DAY}, h.added_at, NULL
    FROM post_hashtags h JOIN posts p ON p.shortcode = h.shortcode
    WHERE h.added_at IS NOT NULL
    UNION ALL
    SELECT {LOCAL_DAY}, c.enriched_at, NULL
    FROM comments c JOIN posts p ON p.shortcode = c.shortcode
    WHERE c.enriched_at IS NOT NULL
    UNION ALL
    SELECT {LOCAL_DAY}, r.processed_at, NULL
    FROM detection_runs r
    JOIN media m ON m.media_id = r.media_id
    JOIN posts p ON p.shortcode = m.shortcode
    WHERE r.model_version = :model_version
)
SELECT min(ch.day)
FROM changes ch JOIN trend_build_days b ON b.day = ch.day
WHERE ch.changed_at >= b.built_at AND (ch.built_with IS NULL OR ch.built_with < b.built_at)
"""


def first_stale_day(connection: Connection, settings: Settings) -> date | None:
    """The first built local day whose inputs changed after it was built (None: none)."""
    version = resolve_model_version(connection, settings)
    day: date | None = connection.execute(
        text(_FIRST_STALE_DAY), {"model_version": version}
    ).scalar()
    return day


def stale_window(connection: Connection, settings: Settings) -> RebuildWindow | None:
    """The built days to rebuild for the late data (None: every built day is current)."""
    day = first_stale_day(connection, settings)
    return None if day is None else window_from(connection, day - timedelta(days=1))


def refresh_stale(engine: Engine, settings: Settings) -> TrendsResult | None:
    """Rebuild the trend tables over the stale days and the days after them (None: none)."""
    with engine.connect() as connection:
        window = stale_window(connection, settings)
    if window is None:
        return None
    return rebuild(engine, settings, window, "late posts, enrichment or detections")
