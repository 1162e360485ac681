"""Rebuild what a change of the exclusion or tracking lists touches.

A name touches the local days of its posts (an excluded or tracked user's own posts, the posts
carrying an excluded hashtag) and, for a user, of the posts they commented on (comments count
in the sentiment tables). Every judged day from the first touched day to the last built day is
rebuilt: the later days' peaks were judged against baselines that read the touched days. Touched
days that were built as history only (the days before the first judged day, which baselines
read) are rebuilt as history, still not judged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Engine, text

from trendminer.lists import NameList
from trendminer.settings import Settings
from trendminer.trends.build import TrendsResult, build_trends

logger = logging.getLogger(__name__)

_LOCAL_DAY = "CAST(p.taken_at AT TIME ZONE COALESCE(p.timezone, 'UTC') AS date)"
_TOUCHED_BY_USER = f"""
SELECT min({_LOCAL_DAY}), max({_LOCAL_DAY}) FROM posts p
WHERE p.owner = :name
   OR p.shortcode IN (SELECT c.shortcode FROM comments c WHERE c.owner = :name)
"""
_TOUCHED_BY_HASHTAG = f"""
SELECT min({_LOCAL_DAY}), max({_LOCAL_DAY}) FROM posts p
WHERE p.shortcode IN (SELECT ph.shortcode FROM post_hashtags ph WHERE ph.hashtag = :name)
"""


def touched_days(
    connection: Connection, name_list: NameList, name: str
) -> tuple[date, date] | None:
    """The first and last local day of the posts that ``name`` (normalised) bears on."""
    sql = _TOUCHED_BY_HASHTAG if name_list is NameList.EXCLUDED_HASHTAGS else _TOUCHED_BY_USER
    first, last = connection.execute(text(sql), {"name": name}).one()
    return None if first is None else (first, last)


@dataclass(frozen=True, slots=True)
class RebuildWindow:
    """The judged days to rebuild, and the first touched history day (None: none touched)."""

    start: date
    end: date
    history_from: date | None = None


def rebuild_window(connection: Connection, name_list: NameList, name: str) -> RebuildWindow | None:
    """The built days a change of ``name`` on ``name_list`` touches, or None when none."""
    touched = touched_days(connection, name_list, name)
    first_built, last_built, first_judged = connection.execute(
        text(
            "SELECT min(day), max(day), (SELECT min(day) FROM trend_activity_days) "
            "FROM trend_build_days"
        )
    ).one()
    if touched is None or last_built is None or touched[0] > last_built:
        return None
    first_judged = first_judged or first_built
    start = max(touched[0], first_judged)
    history_from = max(touched[0], first_built) if touched[0] < first_judged else None
    return RebuildWindow(start, last_built, history_from)


def rebuild_after_change(
    engine: Engine, settings: Settings, name_list: NameList, name: str
) -> TrendsResult | None:
    """Rebuild the trend tables over what the change of ``name`` touched (None: nothing)."""
    with engine.connect() as connection:
        window = rebuild_window(connection, name_list, name)
    if window is None:
        logger.info("%s %s touches no built day: nothing to rebuild", name_list.value, name)
        return None
    logger.info(
        "%s %s changed: rebuilding the trend tables %s .. %s (history from %s)",
        name_list.value,
        name,
        window.start,
        window.end,
        window.history_from or "-",
    )
    return build_trends(
        engine, settings, window.start, window.end, history_from=window.history_from
    )
