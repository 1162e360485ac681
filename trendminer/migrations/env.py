"""Alembic environment: the URL or connection comes from ``trendminer.db.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from trendminer.db.connection import make_engine


def _run(connection: Connection) -> None:
    context.configure(connection=connection, transactional_ddl=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the connection handed over in ``config.attributes`` or the configured URL."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as fresh:
        _run(fresh)
        fresh.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("TrendMiner migrations run online only: use `trendminer db upgrade`.")
run_migrations_online()
