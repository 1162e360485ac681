"""Rebuild what a change of the exclusion or tracking lists touches.

A name touches the local days of its posts (an excluded or tracked user's own posts, the posts
carrying an excluded hashtag) and, for a user, of the posts they commented on (comments count
in the sentiment tables); ``trendminer.trends.rebuild`` says which built days that rebuilds.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import Connection, Engine, text

from trendminer.lists import NameList
from trendminer.settings import Settings
from trendminer.trends.build import TrendsResult
from trendminer.trends.rebuild import LOCAL_DAY, RebuildWindow, rebuild, window_from

logger = logging.getLogger(__name__)

_TOUCHED_BY_USER = f"""
SELECT min({LOCAL_DAY}), max({LOCAL_DAY}) FROM posts p
WHERE p.owner = :name
   OR p.shortcode IN (SELECT c.shortcode FROM comments c WHERE c.owner = :name)
"""
_TOUCHED_BY_HASHTAG = f"""
SELECT min({LOCAL_DAY}), max({LOCAL_DAY}) FROM posts p
WHERE p.shortcode IN (SELECT ph.shortcode FROM post_hashtags ph WHERE ph.hashtag = :name)
"""


def touched_days(
    connection: Connection, name_list: NameList, name: str
) -> tuple[date, date] | None:
    """The first and last local day of the posts that ``name`` (normalised) bears on."""
    sql = _TOUCHED_BY_HASHTAG if name_list is NameList.EXCLUDED_HASHTAGS else _TOUCHED_BY_USER
    first, last = connection.execute(text(sql), {"name": name}).one()
    return None if first is None else (first, last)


def rebuild_window(connection: Connection, name_list: NameList, name: str) -> RebuildWindow | None:
    """The built days a change of ``name`` on ``name_list`` touches, or None when none."""
    touched = touched_days(connection, name_list, name)
    return None if touched is None else window_from(connection, touched[0])


def rebuild_after_change(
    engine: Engine, settings: Settings, name_list: NameList, name: str
) -> TrendsResult | None:
    """Rebuild the trend tables over what the change of ``name`` touched (None: nothing)."""
    with engine.connect() as connection:
        window = rebuild_window(connection, name_list, name)
    if window is None:
        logger.info("%s %s touches no built day: nothing to rebuild", name_list.value, name)
        return None
    return rebuild(engine, settings, window, f"{name_list.value} {name} changed")
