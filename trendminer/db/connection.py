"""Database URLs and SQLAlchemy engines."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from trendminer.db.embedded import embedded_url
from trendminer.errors import ConfigurationError
from trendminer.settings import Settings

APPLICATION_NAME = "trendminer"
# Every session runs in UTC, and without JIT: TrendMiner's statements are short scans and merges
# whose JIT compilation costs more than it saves. On a server built with LLVM (the Docker image's
# PostgreSQL), JIT took ~30 % of an ingest batch and 1.7 s of the 2.7 s a month's garment
# co-occurrence took; a day's trend build ran 3.95 s with it and 1.4-1.9 s without.
SESSION_OPTIONS = "-c timezone=UTC -c jit=off"


def _parsed(url: str) -> URL:
    """The URL parsed; a malformed one is a ConfigurationError that does not repeat it (it may
    hold a password)."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise ConfigurationError(
            f"the database URL (TRENDMINER_DATABASE_URL) is malformed: {exc}"
        ) from None


def libpq_url(settings: Settings) -> str:
    """The libpq URL (``postgresql://…``, no driver suffix) psql or a BI tool can use."""
    if settings.database_url is None or not settings.database_url.get_secret_value():
        return embedded_url(settings.data_dir, database="postgres")
    url = _parsed(settings.database_url.get_secret_value())
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def sqlalchemy_url(url: str) -> str:
    """``postgresql://…`` → ``postgresql+psycopg2://…`` (leaves an explicit driver alone)."""
    parsed = _parsed(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg2")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    """An engine for a libpq or SQLAlchemy URL; its sessions run in UTC, without JIT. The URL's
    own ``options`` come after ours (theirs win where both set one), and its
    ``application_name`` replaces ours."""
    parsed = make_url(sqlalchemy_url(url))
    query = dict(parsed.query)
    options = " ".join([SESSION_OPTIONS, *_as_list(query.pop("options", None))])
    application = _as_list(query.pop("application_name", None)) or [APPLICATION_NAME]
    return create_engine(
        parsed.set(query=query),
        pool_pre_ping=True,
        connect_args={"options": options, "application_name": application[-1]},
    )


def _as_list(value: str | tuple[str, ...] | None) -> list[str]:
    """A URL query value (absent, one, or repeated) as a list."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def engine_from_settings(settings: Settings) -> Engine:
    """The engine for the configured (or embedded) database."""
    return make_engine(libpq_url(settings))
