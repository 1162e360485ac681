"""Helpers that Airflow tasks call at run time (never at parse time).

Settings come from, highest first: the Airflow connection ``trendminer_db`` (the database), the
Airflow variable ``trendminer_settings`` (a JSON object of :class:`Settings` fields), then the
``TRENDMINER_*`` environment as everywhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from trendminer.errors import ConfigurationError
from trendminer.settings import Settings

logger = logging.getLogger(__name__)

DB_CONNECTION_ID = "trendminer_db"
SETTINGS_VARIABLE = "trendminer_settings"
# The libpq connection parameters a connection's extras may set (host, port, user, password and
# dbname come from its own fields); other extras (cursor, …) are Airflow's and are left out.
LIBPQ_EXTRAS = frozenset(
    {
        "application_name",
        "channel_binding",
        "client_encoding",
        "connect_timeout",
        "gssencmode",
        "gsslib",
        "hostaddr",
        "keepalives",
        "keepalives_count",
        "keepalives_idle",
        "keepalives_interval",
        "krbsrvname",
        "load_balance_hosts",
        "options",
        "passfile",
        "require_auth",
        "requirepeer",
        "service",
        "ssl_max_protocol_version",
        "ssl_min_protocol_version",
        "sslcert",
        "sslcertmode",
        "sslcompression",
        "sslcrl",
        "sslcrldir",
        "sslkey",
        "sslmode",
        "sslnegotiation",
        "sslpassword",
        "sslrootcert",
        "sslsni",
        "target_session_attrs",
        "tcp_user_timeout",
    }
)
MAX_CATCH_UP_DAYS = 31


def connection_url(
    *,
    host: str | None,
    port: int | None,
    login: str | None,
    password: str | None,
    schema: str | None,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """A libpq URL from an Airflow connection's fields (``schema`` is the database name) and
    the libpq parameters among its extras (``sslmode``, ``connect_timeout``, …) as its query."""
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
        query=_libpq_query(extra or {}),
    )
    return url.render_as_string(hide_password=False)


def _libpq_query(extra: Mapping[str, Any]) -> dict[str, str]:
    """The libpq parameters of a connection's extras, as URL query values."""
    ignored = sorted(set(extra) - LIBPQ_EXTRAS)
    if ignored:
        logger.debug("connection %s: extras that are not libpq's: %s", DB_CONNECTION_ID, ignored)
    return {
        key: str(int(value)) if isinstance(value, bool) else str(value)
        for key, value in sorted(extra.items())
        if key in LIBPQ_EXTRAS and value is not None
    }


def variable_overrides() -> dict[str, Any]:
    """The :class:`Settings` fields the Airflow variable ``trendminer_settings`` sets."""
    from airflow.sdk import Variable

    return dict(Variable.get(SETTINGS_VARIABLE, default={}, deserialize_json=True))


def report_dir() -> Path:
    """The report folder, as the tasks resolve it (the variable, else the environment)."""
    return Settings(**variable_overrides()).report_dir


def task_settings() -> Settings:
    """The settings for this task (see the module docstring for where they come from)."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    overrides = variable_overrides()
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
            extra=connection.extra_dejson,
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
    if end < start:
        raise ConfigurationError(
            f"the window would end ({end}) before it starts ({start}): check the params start "
            "and end"
        )
    return start, end


def last_built_day(engine: Engine) -> date | None:
    """The last day the trend tables were built for (the end of the latest window), or None."""
    with engine.connect() as connection:
        day: date | None = connection.execute(
            text("SELECT max(day) FROM trend_build_days")
        ).scalar()
    return day


def catch_up_start(start: date, end: date, last_built: date | None) -> date:
    """The first day a run of the days ``start`` .. ``end`` builds: the day after the last
    built day when days were skipped since (an outage, a paused DAG), at most
    :data:`MAX_CATCH_UP_DAYS` days before ``end``."""
    if last_built is None or last_built + timedelta(days=1) >= start:
        return start
    first = max(last_built + timedelta(days=1), end - timedelta(days=MAX_CATCH_UP_DAYS - 1))
    if first > last_built + timedelta(days=1):
        logger.warning(
            "the trend tables were last built for %s, over %d days ago: catching up from %s "
            "only; judge %s .. %s with `trendminer trends build` or a backfill",
            last_built,
            MAX_CATCH_UP_DAYS,
            first,
            last_built + timedelta(days=1),
            first - timedelta(days=1),
        )
    else:
        logger.info(
            "the trend tables were last built for %s: catching up from %s", last_built, first
        )
    return first


def parse_time(value: str | None, *, name: str) -> datetime | None:
    """An ISO time from a DAG param, in UTC where it names no offset (``""`` stays ``None``)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ConfigurationError(
            f"param {name}={value!r} is not a time like 2026-03-01T06:00+01:00"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def default_report_day(
    engine: Engine, interval_start: datetime | None, interval_end: datetime | None
) -> date:
    """The day a report run without a ``day`` param or trend-table events reports: the last
    day of its data interval, else (no logical date) the last day the trend tables were built
    for."""
    if interval_start is not None and interval_end is not None:
        return interval_days(interval_start, interval_end)[1]
    day = last_built_day(engine)
    if day is None:
        raise ConfigurationError(
            "the trend tables were never built: run trendminer_trends first, or give the param day"
        )
    return day


def event_days(extras: Iterable[Mapping[str, Any]]) -> list[date]:
    """The days to report for trend-table asset events, oldest first: each window's last day,
    or each of its days from ``report_from`` on (a run that caught up on skipped days)."""
    days: set[date] = set()
    for extra in extras:
        if not extra.get("end"):
            continue
        end = date.fromisoformat(str(extra["end"]))
        first = date.fromisoformat(str(extra.get("report_from") or end))
        days.update(first + timedelta(days=n) for n in range((end - first).days + 1))
    return sorted(days)
