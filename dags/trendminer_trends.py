"""
### TrendMiner · trends

Rebuilds the trend tables (daily activity and its peaks, negative-sentiment peaks, influencer
breakdowns, city-by-attribute shares, events, forecasts, city influence) for its data interval,
one day a run. A local day ends up to 12 hours after its UTC day (UTC-12), so the run first
waits until `TRENDMINER_TRENDS_SETTLE_HOURS` (14) have passed since its interval's end: the day
is then over everywhere and its posts are collected and enriched. Each table is rebuilt
idempotently per window, so a backfill of a past range (`airflow backfill create --dag-id
trendminer_trends --from-date … --to-date …`, no wait: those days are long over) gives the same
tables as the daily runs did. A manual run with logical date X builds the interval ending at X
(day X-1), as Airflow defines it; a manual run may instead name a window (`start`, `end`), built
at once.

Days skipped by an outage or a paused DAG (`catchup` is off) are not left unjudged: a run of its
data interval builds from the day after the last built day (`max(day)` of `trend_build_days`)
to its interval's end, at most 31 days (older days are logged; build them with `trendminer
trends build` or a backfill).

Marks the asset `trendminer.trend_tables` with the window it built (and, for a run of its data
interval, `report_from`: every day it judged gets a report), which starts `trendminer_report`.

**Owner:** trendminer-data

**Triage:** safe to clear and rerun. Empty tables for a day usually mean `trendminer_enrich`
has not run on its posts yet (city and sentiment are missing). Posts, enrichment or detections
that arrive after a day was built leave it stale: `trendminer trends refresh --dry-run` shows
the days, `trendminer trends refresh` rebuilds them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import CronDataIntervalTimetable, Param, dag, task

from trendminer.orchestration.assets import TREND_TABLES
from trendminer.orchestration.defaults import DEFAULT_ARGS, START_DATE
from trendminer.orchestration.tags import Tag


@dag(
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    default_args=DEFAULT_ARGS,
    tags=[Tag.TRENDMINER, Tag.TRENDS],
    params={
        "start": Param(None, type=["null", "string"], format="date", description="First day."),
        "end": Param(None, type=["null", "string"], format="date", description="Last day."),
    },
)
def trendminer_trends() -> None:
    @task.sensor(poke_interval=15 * 60, timeout=24 * 3600, mode="reschedule")
    def wait_until_the_days_have_ended(
        params: dict[str, Any], data_interval_end: datetime | None = None
    ) -> bool:
        """Wait until the run's local days are over in every time zone and their posts are in
        (TRENDMINER_TRENDS_SETTLE_HOURS after the interval's UTC end; a day is built once, and
        a published peak never changes); a window named by the params is built at once."""
        if params["start"] or params["end"] or data_interval_end is None:
            return True  # a manual run without a logical date must name its window (below)
        from trendminer.orchestration.runtime import days_settled, task_settings

        return days_settled(data_interval_end, task_settings().trends_settle_hours)

    @task(outlets=[TREND_TABLES])
    def build_trends(
        params: dict[str, Any],
        outlet_events: Any,
        data_interval_start: datetime | None = None,
        data_interval_end: datetime | None = None,
    ) -> dict[str, int | float]:
        """Rebuild the trend tables for the run's days (and the days skipped since the last
        build, for a run of its data interval)."""
        from trendminer.orchestration.runtime import (
            catch_up_start,
            last_built_day,
            run_window,
            task_engine,
            task_settings,
        )
        from trendminer.trends import build_trends as build

        start, end = run_window(params, data_interval_start, data_interval_end)
        named = bool(params["start"] or params["end"])
        settings = task_settings()
        with task_engine(settings) as engine:
            if not named:
                start = catch_up_start(start, end, last_built_day(engine))
            result = build(engine, settings, start, end)
        extra = {"start": start.isoformat(), "end": end.isoformat()}
        if not named:  # every day it judged gets its report
            extra["report_from"] = start.isoformat()
        outlet_events[TREND_TABLES].extra = extra
        return result.as_dict()

    wait_until_the_days_have_ended() >> build_trends()


trendminer_trends()
