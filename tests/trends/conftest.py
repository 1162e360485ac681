"""Shared pieces of the trends tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine, text

from trendminer.settings import Settings
from trendminer.trends import build_trends

TREND_TABLES = (
    "trend_daily_activity", "trend_activity_days", "trend_daily_sentiment",
    "trend_sentiment_days", "trend_peak_influencers", "trend_peak_terms",
    "trend_influencer_daily", "trend_attribute_weekly", "trend_attribute_week_totals",
    "trend_attribute_fits",
    "trend_attribute_events", "trend_attribute_event_keywords", "trend_forecasts",
    "trend_forecast_errors", "trend_city_influence", "trend_garment_cooccurrence",
)  # fmt: skip


@pytest.fixture
def settings() -> Settings:
    """Settings with nothing from the environment that matters here."""
    return Settings(database_url=None, model_version=None)


def snapshot(engine: Engine, table: str) -> list[tuple[object, ...]]:
    """Every row of a table, sorted, floats rounded (for comparisons)."""
    with engine.connect() as connection:
        rows = connection.execute(text(f"SELECT * FROM {table}")).all()
    rounded = [tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows]
    return sorted(rounded, key=repr)


def full_build(
    engine: Engine, settings: Settings, first: date, last: date
) -> dict[str, list[tuple[object, ...]]]:
    """Every trend table after a full build of ``first`` .. ``last`` from nothing (the
    reference an incremental build or a rebuild must equal)."""
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TREND_TABLES)}, trend_build_days"))
    build_trends(engine, settings, first, last)
    return {table: snapshot(engine, table) for table in TREND_TABLES}


Snapshot = Callable[[Engine, str], list[tuple[object, ...]]]
FIRST_DAY = date(2026, 3, 2)  # a Monday
