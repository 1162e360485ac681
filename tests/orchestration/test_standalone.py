"""``make airflow``'s environment: our folders, bounded parallelism, metadata beside the data."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from trendminer.db.connection import make_engine
from trendminer.orchestration.standalone import (
    CHECKOUT,
    airflow_environment,
    ensure_database,
    metadata_url,
)
from trendminer.settings import Settings


def test_metadata_go_to_an_airflow_database_on_the_same_server() -> None:
    url = metadata_url("postgresql://tm:pw@db.example:5433/trendminer")
    assert url == "postgresql+psycopg2://tm:pw@db.example:5433/airflow"
    socket = metadata_url("postgresql://postgres:@/postgres?host=/data/pgdata")
    assert socket == "postgresql+psycopg2://postgres:@/airflow?host=%2Fdata%2Fpgdata"


def test_the_environment_points_airflow_at_this_checkout(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", report_dir=tmp_path / "reports")
    env = airflow_environment(settings, "postgresql://tm@db/trendminer")
    assert env["AIRFLOW_HOME"] == str(tmp_path / "data" / "airflow")
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(CHECKOUT / "dags")
    assert env["AIRFLOW__CORE__PLUGINS_FOLDER"] == str(CHECKOUT / "plugins")
    assert env["AIRFLOW__CORE__PARALLELISM"] == "4"
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["TRENDMINER_DATABASE_URL"] == "postgresql://tm@db/trendminer"
    assert env["TRENDMINER_REPORT_DIR"] == str(tmp_path / "reports")


def test_ensure_database_creates_it_once(db_url: str) -> None:
    ensure_database(db_url, "tm_airflow_meta_test")
    ensure_database(db_url, "tm_airflow_meta_test")
    admin = make_engine(db_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        assert (
            connection.execute(
                text("SELECT count(*) FROM pg_database WHERE datname = 'tm_airflow_meta_test'")
            ).scalar_one()
            == 1
        )
        connection.execute(text('DROP DATABASE "tm_airflow_meta_test"'))
    admin.engine.dispose()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has stopped; only its parent has not reaped it


def test_ctrl_c_stops_airflow_and_every_process_it_started(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    script = (
        "import subprocess, sys\n"
        "from trendminer.orchestration.standalone import _supervise\n"
        f"child = subprocess.Popen(['sh', '-c', 'sleep 300 & echo $! > {pidfile}; sleep 300'],"
        " start_new_session=True)\n"
        "sys.exit(_supervise(child))\n"
    )
    supervisor = subprocess.Popen([sys.executable, "-c", script], cwd=CHECKOUT)
    for _ in range(200):
        if pidfile.exists() and pidfile.read_text().strip():
            break
        time.sleep(0.05)
    grandchild = int(pidfile.read_text())
    assert _alive(grandchild)
    supervisor.send_signal(signal.SIGINT)
    supervisor.wait(timeout=20)
    for _ in range(100):
        if not _alive(grandchild):
            break
        time.sleep(0.05)
    assert not _alive(grandchild)
