"""One CSV per trend table, holding the rows of the report's window.

Tables of days, weeks or months are cut to the window (weeks and months that overlap it);
tables that describe the current models (fits, forecasts, forecast errors, city influence)
have no date of their own and are exported whole.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from trendminer.report.window import ReportWindow

# table -> (WHERE clause over the window's bind parameters, ORDER BY columns)
EXPORTS: dict[str, tuple[str, str]] = {
    "trend_daily_activity": ("day BETWEEN :start AND :end", "day, hashtag, city"),
    "trend_activity_days": ("day BETWEEN :start AND :end", "hashtag, city, day"),
    "trend_daily_sentiment": ("day BETWEEN :start AND :end", "day, hashtag, city"),
    "trend_sentiment_days": ("day BETWEEN :start AND :end", "hashtag, city, day"),
    "trend_peak_influencers": (
        "day BETWEEN :start AND :end",
        "peak_kind, hashtag, city, day, rank",
    ),
    "trend_peak_terms": (
        "day BETWEEN :start AND :end",
        "peak_kind, hashtag, city, day, term_kind, rank",
    ),
    "trend_influencer_daily": ("day BETWEEN :start AND :end", "username, day"),
    "trend_attribute_weekly": (
        "week BETWEEN :week_start AND :end",
        "city, attribute_kind, attribute, week",
    ),
    "trend_attribute_week_totals": ("week BETWEEN :week_start AND :end", "city, week"),
    "trend_attribute_fits": ("TRUE", "city, attribute_kind, attribute"),
    "trend_attribute_events": (
        "start_week <= :end AND end_week >= :week_start",
        "city, attribute_kind, attribute, start_week",
    ),
    "trend_attribute_event_keywords": (
        "EXISTS (SELECT 1 FROM trend_attribute_events e WHERE e.city = t.city"
        " AND e.attribute_kind = t.attribute_kind AND e.attribute = t.attribute"
        " AND e.start_week = t.start_week AND e.start_week <= :end AND e.end_week >= :week_start)",
        "city, attribute_kind, attribute, start_week, rank",
    ),
    "trend_forecasts": ("TRUE", "city, attribute_kind, attribute, week"),
    "trend_forecast_errors": ("TRUE", "city, attribute_kind, attribute"),
    "trend_city_influence": ("TRUE", "attribute_kind, attribute, leader_city, follower_city"),
    "trend_garment_cooccurrence": (
        "month BETWEEN :month_start AND :end",
        "city, month, item_kind, item_a, item_b",
    ),
}


def export_query(table: str) -> str:
    """The SELECT behind ``table``'s CSV (``table`` is one of :data:`EXPORTS`)."""
    where, order = EXPORTS[table]
    return f"SELECT * FROM {table} AS t WHERE {where} ORDER BY {order}"  # names: constants above


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): a user
# name or keyword like '=HYPERLINK(...)' is written with a leading apostrophe, as OWASP advises.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_value(value: Any) -> str:
    """How a database value is written in a CSV cell (empty for NULL, ISO dates, ``;`` lists,
    text that a spreadsheet would run as a formula defused with a leading ``'``)."""
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return _defused(";".join(csv_value(item) for item in value))
    if isinstance(value, str):
        return _defused(value)
    return str(value)


def _defused(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows([csv_value(value) for value in row] for row in rows)


def export_tables(connection: Connection, window: ReportWindow, out_dir: Path) -> dict[str, int]:
    """Write ``<table>.csv`` for every trend table; returns the rows written per table."""
    written: dict[str, int] = {}
    for table in EXPORTS:
        result = connection.execute(text(export_query(table)), window.params())
        rows = result.all()
        write_csv(out_dir / f"{table}.csv", list(result.keys()), rows)
        written[table] = len(rows)
    return written
