"""``build_trends``: rebuild every trend table for a window of local days, in one transaction.

Order: the SQL day tables (activity, sentiment counts, tracked influencers), the week and month
tables (attribute shares, garment co-occurrence; whole weeks and months), the peak judgements
(Python), the peak anatomy (SQL, from the peaks), then the model tables (Python; only when a
complete week was touched). Days before the window that a peak baseline needs and that were
never built are built first, so a window built alone is judged as in a full rebuild.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, Engine, text

from trendminer.errors import TrendMinerError
from trendminer.settings import Settings
from trendminer.trends.daily import history_span, judge_activity, judge_sentiment
from trendminer.trends.models import build_models
from trendminer.trends.sql import run_sql

logger = logging.getLogger(__name__)

DAY_TABLES = ("daily_activity", "daily_sentiment", "influencer_daily")
PERIOD_TABLES = ("attribute_weekly", "garment_cooccurrence")
ANATOMY_TABLES = ("peak_influencers", "peak_terms")
BUILD_LOCK = 7_200_707  # pg_advisory_xact_lock key: one trends build at a time
WORK_MEM = "64MB"


class TrendsError(TrendMinerError):
    """The trend tables cannot be built as asked."""


@dataclass(frozen=True, slots=True)
class TrendsResult:
    """What one build did."""

    days: int
    history_days_built: int
    activity_rows: int
    activity_peak_days: int
    sentiment_peak_days: int
    attribute_weekly_rows: int
    models_refitted: bool
    attribute_fits: int
    attribute_events: int
    forecasts: int
    forecast_model_mae: float
    forecast_mean_mae: float
    forecast_last_value_mae: float
    forecast_linear_mae: float
    influence_pairs: int
    seconds: float

    def as_dict(self) -> dict[str, int | float]:
        return {key: float(value) if isinstance(value, float) else int(value)
                for key, value in asdict(self).items()}  # fmt: skip


def resolve_model_version(connection: Connection, settings: Settings) -> str:
    """The configured model version, else the most frequent one in ``detection_runs``.

    With no detections at all, an empty string (the attribute tables then stay empty).
    """
    if settings.model_version:
        return settings.model_version
    version = connection.execute(
        text(
            "SELECT model_version FROM detection_runs GROUP BY model_version "
            "ORDER BY count(*) DESC, model_version DESC LIMIT 1"
        )
    ).scalar()
    return str(version or "")


def _unbuilt_ranges(connection: Connection, first: date, last: date) -> list[tuple[date, date]]:
    """Runs of days in ``first`` .. ``last`` absent from ``trend_build_days``."""
    if last < first:
        return []
    built = set(
        connection.execute(
            text("SELECT day FROM trend_build_days WHERE day BETWEEN :first AND :last"),
            {"first": first, "last": last},
        ).scalars()
    )
    ranges: list[tuple[date, date]] = []
    day = first
    while day <= last:
        if day in built:
            day += timedelta(days=1)
            continue
        run_start = day
        while day + timedelta(days=1) <= last and day + timedelta(days=1) not in built:
            day += timedelta(days=1)
        ranges.append((run_start, day))
        day += timedelta(days=1)
    return ranges


# A build reads what was committed when its statements ran; a writer that started before it
# and committed during it stamped its rows (enriched_at = now()) before the build's own now().
# So a day counts as built as of the start of the oldest transaction then writing (visible
# where the writers run as the same role, or the role may read all statistics), else now().
_BUILT_AT = """LEAST(now(), (
    SELECT min(xact_start) FROM pg_stat_activity
    WHERE backend_xid IS NOT NULL AND datname = current_database()
      AND backend_type = 'client backend'))"""


def _mark_built(connection: Connection, start: date, end: date) -> None:
    connection.execute(
        text(
            f"INSERT INTO trend_build_days (day, built_at) "
            f"SELECT CAST(d AS date), {_BUILT_AT} FROM generate_series(CAST(:start AS date), "
            f"CAST(:end AS date), interval '1 day') AS d "
            f"ON CONFLICT (day) DO UPDATE SET built_at = EXCLUDED.built_at"
        ),
        {"start": start, "end": end},
    )


def build_trends(
    engine: Engine, settings: Settings, start: date, end: date, *, history_from: date | None = None
) -> TrendsResult:
    """Rebuild every trend table for the local days ``start`` .. ``end`` (inclusive).

    The days before ``start`` that its judgements read are built first where they are not yet
    (history: daily tables only, not judged); ``history_from`` rebuilds the history days from it
    to ``start`` even where they are built (a list change touched them).
    """
    if end < start:
        raise TrendsError(f"the window ends ({end}) before it starts ({start}); swap the dates.")
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": BUILD_LOCK})
        # the builds' grouping sets and distinct counts sort in memory instead of on disk
        connection.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
        version = resolve_model_version(connection, settings)
        params = {
            "post_weight": settings.activity_post_weight,
            "like_weight": settings.activity_like_weight,
            "model_version": version,
            "min_score": settings.detection_score_threshold,
            "negative_threshold": settings.sentiment_negative_threshold,
        }
        forced_from = start if history_from is None else min(history_from, start)
        history = _unbuilt_ranges(
            connection, start - timedelta(days=history_span(settings)), forced_from - timedelta(1)
        )
        if forced_from < start:
            history.append((forced_from, start - timedelta(1)))
        for first, last in [*history, (start, end)]:
            for name in DAY_TABLES:
                run_sql(connection, name, {**params, "start": first, "end": last})
            _mark_built(connection, first, last)
        for name in PERIOD_TABLES:
            run_sql(connection, name, {**params, "start": start, "end": end})
        activity_peaks = judge_activity(connection, settings, start, end)
        sentiment_peaks = judge_sentiment(connection, settings, start, end)
        logger.debug("peaks judged: %.2f s", time.perf_counter() - started)
        for name in ANATOMY_TABLES:
            run_sql(connection, name, {**params, "start": start, "end": end})
        models = build_models(connection, settings, start, version)
        logger.debug("models: %.2f s in all so far", time.perf_counter() - started)
        activity_rows, weekly_rows = connection.execute(
            text(
                "SELECT (SELECT count(*) FROM trend_daily_activity WHERE day BETWEEN :s AND :e), "
                "(SELECT count(*) FROM trend_attribute_weekly)"
            ),
            {"s": start, "e": end},
        ).one()
    result = TrendsResult(
        days=(end - start).days + 1,
        history_days_built=sum((last - first).days + 1 for first, last in history),
        activity_rows=int(activity_rows),
        activity_peak_days=activity_peaks,
        sentiment_peak_days=sentiment_peaks,
        attribute_weekly_rows=int(weekly_rows),
        models_refitted=models.refitted,
        attribute_fits=models.fits,
        attribute_events=models.events,
        forecasts=models.forecasts,
        forecast_model_mae=models.model_mae,
        forecast_mean_mae=models.mean_mae,
        forecast_last_value_mae=models.last_value_mae,
        forecast_linear_mae=models.linear_mae,
        influence_pairs=models.influence_pairs,
        seconds=round(time.perf_counter() - started, 3),
    )
    logger.info("trends %s..%s (model %s): %s", start, end, version or "-", result.as_dict())
    return result
