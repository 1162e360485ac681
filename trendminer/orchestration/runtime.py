"""Helpers that Airflow tasks call at run time (never at parse time).

Settings come from, highest first: the Airflow connection ``trendminer_db`` (the database), the
Airflow variable ``trendminer_settings`` (a JSON object of :class:`Settings` fields), then the
``TRENDMINER_*`` environment as everywhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from trendminer.errors import ConfigurationError
from trendminer.settings import Settings

DB_CONNECTION_ID = "trendminer_db"
SETTINGS_VARIABLE = "trendminer_settings"


def connection_url(
    *,
    host: str | None,
    port: int | None,
    login: str | None,
    password: str | None,
    schema: str | None,
) -> str:
    """A libpq URL from an Airflow connection's fields (``schema`` is the database name)."""
    if not host:
        raise ConfigurationError(
            f"the Airflow connection {DB_CONNECTION_ID!r} has no host; set it to the PostgreSQL "
            "server that holds the TrendMiner data"
        )
    url = URL.create(
        "postgresql",
        username=login or None,
        password=password or None,
        host=host,
        port=port or None,
        database=schema or None,
    )
    return url.render_as_string(hide_password=False)


def task_settings() -> Settings:
    """The settings for this task (see the module docstring for where they come from)."""
    from airflow.sdk import Connection, Variable
    from airflow.sdk.exceptions import AirflowNotFoundException

    overrides: dict[str, Any] = dict(
        Variable.get(SETTINGS_VARIABLE, default={}, deserialize_json=True)
    )
    try:
        connection = Connection.get(DB_CONNECTION_ID)
    except AirflowNotFoundException:
        connection = None
    if connection is not None:
        overrides["database_url"] = connection_url(
            host=connection.host,
            port=connection.port,
            login=connection.login,
            password=connection.password,
            schema=connection.schema,
        )
    return Settings(**overrides)


@contextmanager
def task_engine(settings: Settings) -> Iterator[Engine]:
    """The engine for ``settings``' database, migrated to the newest schema, disposed after."""
    from trendminer.db import migrate
    from trendminer.db.connection import engine_from_settings

    engine = engine_from_settings(settings)
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()


def interval_days(start: datetime, end: datetime) -> tuple[date, date]:
    """The inclusive dates a data interval ``[start, end)`` covers.

    A zero-length interval (a manual run of a trigger timetable) means the day before ``end``.
    """
    if end <= start:
        day = (end - timedelta(days=1)).date()
        return day, day
    return start.date(), (end - timedelta(microseconds=1)).date()


def days_settled(interval_end: datetime, settle_hours: float, now: datetime | None = None) -> bool:
    """Whether the local days of a data interval ending at ``interval_end`` are over in every
    time zone and their posts are in: ``settle_hours`` have passed since the interval's end."""
    return (now or datetime.now(UTC)) >= interval_end + timedelta(hours=settle_hours)


def parse_day(value: str | date | None, *, name: str) -> date | None:
    """An ISO date from a DAG param (``None`` or ``""`` stays ``None``)."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ConfigurationError(f"param {name}={value!r} is not a date like 2026-03-01") from exc


def run_window(
    params: Mapping[str, Any], interval_start: datetime | None, interval_end: datetime | None
) -> tuple[date, date]:
    """The days a run builds: its params ``start`` and ``end``, else its data interval's days
    (a manual run without a logical date has no interval: it must name both)."""
    start = parse_day(params.get("start"), name="start")
    end = parse_day(params.get("end"), name="end")
    if start is None or end is None:
        if interval_start is None or interval_end is None:
            raise ConfigurationError(
                "this run has no logical date, so no days of its own: give the params start "
                "and end (or trigger it with a logical date)"
            )
        first, last = interval_days(interval_start, interval_end)
        start, end = start or first, end or last
    return start, end


def event_days(extras: Iterable[Mapping[str, Any]]) -> list[date]:
    """The distinct last days of the windows that trend-table asset events carry, oldest first."""
    days = {date.fromisoformat(str(extra["end"])) for extra in extras if extra.get("end")}
    return sorted(days)
