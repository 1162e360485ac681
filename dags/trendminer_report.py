"""
### TrendMiner · report

Writes the daily trend report (`REPORT_DIR/<day>/index.html` with its charts, one CSV per trend
table and `summary.json`) for the last day of each window `trendminer_trends` built. Runs
whenever the asset `trendminer.trend_tables` is marked; a manual run may name the `day`. The
reports are listed in the Airflow UI under *Browse → Trend reports*.

**Owner:** trendminer-data

**Triage:** safe to clear and rerun (it overwrites the day's folder). A report that says "no
data" means the trend tables hold nothing for that day: check `trendminer_trends`' run.
"""

from __future__ import annotations

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
    def export_report(params: dict[str, Any], triggering_asset_events: Any) -> list[str]:
        """Build the report of each day the triggering trend-table windows ended on."""
        from datetime import UTC, datetime, timedelta

        from trendminer.orchestration.runtime import (
            event_days,
            parse_day,
            task_engine,
            task_settings,
        )
        from trendminer.report import build_report

        chosen = parse_day(params["day"], name="day")
        events = triggering_asset_events[TREND_TABLES] if triggering_asset_events else []
        days = [chosen] if chosen else event_days(event.extra for event in events)
        if not days:
            days = [(datetime.now(UTC) - timedelta(days=1)).date()]
        settings = task_settings()
        with task_engine(settings) as engine:
            return [str(build_report(engine, settings, day)) for day in days]

    export_report()


trendminer_report()
