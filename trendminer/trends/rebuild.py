"""Rebuild the built trend days that a change of their inputs touched.

Every judged day from the first touched day to the last built day is rebuilt: the later days'
peaks were judged against baselines that read the touched days. Touched days that were built as
history only (before the first judged day, which baselines read) are rebuilt as history, still
not judged. Used by list changes (``list_changes``) and by late data (``stale``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Engine, text

from trendminer.settings import Settings
from trendminer.trends.build import TrendsResult, build_trends

logger = logging.getLogger(__name__)

LOCAL_DAY = "CAST(p.taken_at AT TIME ZONE COALESCE(p.timezone, 'UTC') AS date)"
"""The local day of a post ``p`` (its city's time zone, UTC where the city is unknown)."""


@dataclass(frozen=True, slots=True)
class RebuildWindow:
    """The judged days to rebuild, and the first touched history day (None: none touched)."""

    start: date
    end: date
    history_from: date | None = None


def window_from(connection: Connection, first_touched: date) -> RebuildWindow | None:
    """The built days to rebuild when the inputs of ``first_touched`` and later days changed
    (None: no built day from ``first_touched`` on)."""
    first_built, last_built, first_judged = connection.execute(
        text(
            "SELECT min(day), max(day), (SELECT min(day) FROM trend_activity_days) "
            "FROM trend_build_days"
        )
    ).one()
    if last_built is None or first_touched > last_built:
        return None
    first_judged = first_judged or first_built
    start = max(first_touched, first_judged)
    history_from = max(first_touched, first_built) if first_touched < first_judged else None
    return RebuildWindow(start, last_built, history_from)


def rebuild(engine: Engine, settings: Settings, window: RebuildWindow, reason: str) -> TrendsResult:
    """Rebuild the trend tables over ``window``; ``reason`` goes to the log."""
    logger.info(
        "%s: rebuilding the trend tables %s .. %s (history from %s)",
        reason,
        window.start,
        window.end,
        window.history_from or "-",
    )
    return build_trends(
        engine, settings, window.start, window.end, history_from=window.history_from
    )
