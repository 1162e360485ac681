"""``make airflow``: Airflow 3 ``standalone`` with TrendMiner's DAGs and plugin, on a laptop.

- ``AIRFLOW_HOME`` is ``DATA_DIR/airflow``; the DAGs and plugin come from this checkout.
- One PostgreSQL server for both: the TrendMiner data stay in the configured database (the
  embedded server when none is set, as for every command); Airflow's metadata go to a database
  ``airflow`` on the same server, created on first use (SQLite would rule out the LocalExecutor).
- Parallelism is bounded for a laptop (4 task slots, 2 per DAG, one DAG-parsing process, one
  API worker); new DAGs start paused, so nothing scrapes Instagram until you unpause it.
- Ctrl-C (or SIGTERM) stops Airflow and every process it started (its process group), waiting
  up to 30 s before killing what is left. The embedded PostgreSQL keeps running
  (``trendminer db stop`` stops it).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from sqlalchemy import text
from sqlalchemy.engine import make_url

from trendminer.db import migrate
from trendminer.db.connection import libpq_url, make_engine
from trendminer.errors import ConfigurationError
from trendminer.settings import Settings, get_settings

logger = logging.getLogger(__name__)

CHECKOUT = Path(__file__).resolve().parents[2]
METADATA_DATABASE = "airflow"
STOP_GRACE_S = 30.0
GPU_POOL_SLOTS = 1

LAPTOP_LIMITS = {
    "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
    "AIRFLOW__CORE__PARALLELISM": "4",
    "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": "2",
    "AIRFLOW__CORE__MAX_ACTIVE_RUNS_PER_DAG": "1",
    "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
    "AIRFLOW__API__WORKERS": "1",
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
}


def metadata_url(data_url: str) -> str:
    """The SQLAlchemy URL of Airflow's metadata database beside the TrendMiner database."""
    url = make_url(data_url).set(drivername="postgresql+psycopg2", database=METADATA_DATABASE)
    return url.render_as_string(hide_password=False)


def ensure_database(server_url: str, name: str) -> None:
    """Create database ``name`` on ``server_url``'s server unless it exists."""
    admin = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if exists is None:
                connection.execute(text(f'CREATE DATABASE "{name}"'))  # a constant name
    finally:
        admin.engine.dispose()


def airflow_environment(settings: Settings, data_url: str) -> dict[str, str]:
    """The environment ``airflow standalone`` and its tasks run with."""
    dags, plugins = CHECKOUT / "dags", CHECKOUT / "plugins"
    if not dags.is_dir():
        raise ConfigurationError(
            f"no dags/ folder at {dags}: run `make airflow` from a TrendMiner checkout"
        )
    data_dir = settings.data_dir.resolve()
    return {
        **os.environ,
        **LAPTOP_LIMITS,
        "AIRFLOW_HOME": str(data_dir / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(plugins),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url(data_url),
        # `airflow standalone` starts its components as `airflow ...` from PATH
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "TRENDMINER_DATABASE_URL": data_url,
        "TRENDMINER_DATA_DIR": str(data_dir),
        "TRENDMINER_REPORT_DIR": str(settings.report_dir.resolve()),
        "TRENDMINER_MEDIA_STORE": settings.media_root,
    }


def _airflow(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("airflow")), *args]


def run_standalone(settings: Settings) -> int:
    """Prepare the databases, then run ``airflow standalone`` until it exits or is stopped."""
    data_url = libpq_url(settings)
    engine = make_engine(data_url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    ensure_database(data_url, METADATA_DATABASE)
    env = airflow_environment(settings, data_url)
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    subprocess.run(_airflow("db", "migrate"), env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        _airflow("pools", "set", "gpu", str(GPU_POOL_SLOTS), "Detection batches at once"),
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    logger.info("Airflow home %s; UI on http://localhost:8080 (Ctrl-C stops)", env["AIRFLOW_HOME"])
    child = subprocess.Popen(_airflow("standalone"), env=env, start_new_session=True)
    return _supervise(child)


def _supervise(child: subprocess.Popen[bytes]) -> int:
    """Wait for ``child``; on SIGINT/SIGTERM stop its whole process group.

    The handler only sends SIGTERM and notes the time; this loop escalates to SIGKILL after
    the grace period, and kills any process of the group left when the leader is gone.
    """
    stop_requested: list[float] = []

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        if not stop_requested:
            logger.info("stopping Airflow and its processes (signal %d)", signum)
            stop_requested.append(time.monotonic())
            _signal_group(child.pid, signal.SIGTERM)

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        while True:
            try:
                return child.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                if stop_requested and time.monotonic() - stop_requested[0] > STOP_GRACE_S:
                    _signal_group(child.pid, signal.SIGKILL)
    finally:
        _signal_group(child.pid, signal.SIGKILL)


def _signal_group(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signum)


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        sys.exit(run_standalone(get_settings()))
    except ConfigurationError as exc:
        sys.exit(f"error: {exc}")


if __name__ == "__main__":
    main()
