"""Database URLs and SQLAlchemy engines."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from trendminer.db.embedded import embedded_url
from trendminer.settings import Settings

APPLICATION_NAME = "trendminer"


def libpq_url(settings: Settings) -> str:
    """The libpq URL (``postgresql://…``, no driver suffix) psql or a BI tool can use."""
    if settings.database_url is None or not settings.database_url.get_secret_value():
        return embedded_url(settings.data_dir, database="postgres")
    url = make_url(settings.database_url.get_secret_value())
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def sqlalchemy_url(url: str) -> str:
    """``postgresql://…`` → ``postgresql+psycopg2://…`` (leaves an explicit driver alone)."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg2")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    """An engine for a libpq or SQLAlchemy URL; UTC session time zone."""
    return create_engine(
        sqlalchemy_url(url),
        pool_pre_ping=True,
        connect_args={"options": "-c timezone=UTC", "application_name": APPLICATION_NAME},
    )


def engine_from_settings(settings: Settings) -> Engine:
    """The engine for the configured (or embedded) database."""
    return make_engine(libpq_url(settings))
