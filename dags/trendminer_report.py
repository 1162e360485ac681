"""
### TrendMiner · report

Writes the daily trend report (`REPORT_DIR/<day>/index.html` with its charts, one CSV per trend
table and `summary.json`) for the last day of each window `trendminer_trends` built (each of its
days from `report_from`, when the event names it). Runs whenever the asset
`trendminer.trend_tables` is marked. A manual run may name the `day`; else it reports the last
day of its data interval (logical date X: day X-1), and without a logical date the last day the
trend tables were built for. The reports are listed in the Airflow UI under *Browse → Trend
reports*.

**Owner:** trendminer-data

**Triage:** safe to clear and rerun (the day's folder is replaced only once the new one is
complete: a failed build leaves the old one). A report that says "no data" means the trend
tables hold nothing for that day: check `trendminer_trends`' run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import Param, dag, task

from trendminer.orchestration.assets import TREND_TABLES
from trendminer.orchestration.defaults import DEFAULT_ARGS, START_DATE
from trendminer.orchestration.tags import Tag


@dag(
    schedule=[TREND_TABLES],
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    default_args=DEFAULT_ARGS,
    tags=[Tag.TRENDMINER, Tag.REPORT],
    params={
        "day": Param(None, type=["null", "string"], format="date", description="Report day."),
    },
)
def trendminer_report() -> None:
    @task
    def export_report(
        params: dict[str, Any],
        triggering_asset_events: Any,
        data_interval_start: datetime | None = None,
        data_interval_end: datetime | None = None,
    ) -> list[str]:
        """Build the report of the param's day, else of each day the triggering trend-table
        events name, else of the run's interval day or the last built day."""
        from trendminer.orchestration.runtime import (
            default_report_day,
            event_days,
            parse_day,
            task_engine,
            task_settings,
        )
        from trendminer.report import build_report

        chosen = parse_day(params["day"], name="day")
        events = triggering_asset_events[TREND_TABLES] if triggering_asset_events else []
        days = [chosen] if chosen else event_days(event.extra for event in events)
        settings = task_settings()
        with task_engine(settings) as engine:
            if not days:
                days = [default_report_day(engine, data_interval_start, data_interval_end)]
            return [str(build_report(engine, settings, day)) for day in days]

    export_report()


trendminer_report()
