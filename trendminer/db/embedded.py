"""The embedded PostgreSQL (``pgserver``) used when no database URL is configured.

It lives in ``DATA_DIR/pgdata``, listens on a Unix socket only, and keeps running after the
command that started it, like a local development server, until ``trendminer db stop``.
Started as root, pgserver runs PostgreSQL as a system user ``pgserver`` that it creates with
``useradd`` (PostgreSQL refuses to run as root) and makes the data folder's parents traversable.
"""

from __future__ import annotations

import logging
import subprocess
import warnings
from pathlib import Path

from trendminer.errors import DatabaseError

logger = logging.getLogger(__name__)
logging.getLogger("pgserver").setLevel(logging.WARNING)  # it logs every pg_ctl call at INFO
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", module="platformdirs")


def pgdata_path(data_dir: Path) -> Path:
    """The embedded cluster's folder inside the data folder (absolute)."""
    return (data_dir / "pgdata").resolve()


def embedded_url(data_dir: Path, database: str = "postgres") -> str:
    """Start (if needed) the embedded server and return its libpq URL for ``database``."""
    import pgserver

    pgdata = pgdata_path(data_dir)
    pgdata.mkdir(parents=True, exist_ok=True)
    try:
        server = pgserver.get_server(pgdata, cleanup_mode=None)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        raise DatabaseError(
            f"could not start the embedded PostgreSQL in {pgdata}: {exc}. "
            f"Its log is {pgdata / 'log'}; set TRENDMINER_DATABASE_URL to use a server instead."
        ) from exc
    logger.debug("embedded PostgreSQL running in %s", pgdata)
    return str(server.get_uri(database))


def stop_embedded(data_dir: Path) -> bool:
    """Stop the embedded server if it runs; True when one was stopped."""
    from pgserver import _commands  # pg_ctl wrapper that runs as pgserver's system user

    pgdata = pgdata_path(data_dir)
    if not (pgdata / "postmaster.pid").exists():
        return False
    user = "pgserver" if _is_root() else None
    try:
        _commands.pg_ctl(  # type: ignore[attr-defined]  # made at import time
            ["-w", "stop", "-m", "fast"], pgdata=pgdata, user=user
        )
    except subprocess.CalledProcessError as exc:
        raise DatabaseError(f"could not stop the embedded PostgreSQL in {pgdata}: {exc}") from exc
    return True


def _is_root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0
