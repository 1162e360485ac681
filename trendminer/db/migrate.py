"""Schema migrations (alembic), driven programmatically; no ``alembic.ini`` needed.

Every command migrates before it works, so several may start at once: each migration holds an
advisory lock for its transaction, so they take turns and the later ones find the schema current.
"""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, text

from trendminer.errors import DatabaseError

# One key for every TrendMiner migration of a database ("tm_migra" in ASCII).
_MIGRATION_LOCK = 0x746D5F6D69677261


def alembic_config(engine: Engine) -> Config:
    """An alembic config whose migrations are ``trendminer/migrations``."""
    config = Config()
    config.set_main_option("script_location", "trendminer:migrations")
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    return config


def newer_release_error(revision: str) -> DatabaseError:
    """The error for a database at a revision this TrendMiner does not know."""
    return DatabaseError(
        f"the database was migrated by a newer TrendMiner (revision {revision}); upgrade TrendMiner"
    )


def _is_known(config: Config, revision: str) -> bool:
    try:
        ScriptDirectory.from_config(config).get_revision(revision)
    except CommandError:
        return False
    return True


def _migrate(engine: Engine, revision: str, run: Callable[[Config, str], None]) -> None:
    """Run one alembic command in one transaction, under the migration lock."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        for current in MigrationContext.configure(connection).get_current_heads():
            if not _is_known(config, current):
                raise newer_release_error(current)
        config.attributes["connection"] = connection
        try:
            run(config, revision)
        except CommandError as exc:
            raise DatabaseError(
                f"cannot migrate the database to {revision!r}: {exc} (name 'head', 'base' or "
                "a revision of trendminer/migrations/versions)"
            ) from None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision``; raises DatabaseError for an unknown revision."""
    _migrate(engine, revision, command.upgrade)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Revert migrations down to ``revision``; raises DatabaseError for an unknown revision."""
    _migrate(engine, revision, command.downgrade)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None on an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def unknown_revision(engine: Engine) -> str | None:
    """The database's revision when this TrendMiner does not know it (a newer one migrated it)."""
    current = current_revision(engine)
    if current is None or _is_known(alembic_config(engine), current):
        return None
    return current


def head_revision(engine: Engine) -> str | None:
    """The newest revision this TrendMiner knows."""
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
