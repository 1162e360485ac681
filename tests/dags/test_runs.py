"""Single DAG runs with ``dag.test()`` against PostgreSQL: which days a run builds or reports,
and params that fail at once. ``dag.test()`` keeps an earlier run's params in this process, so
every run passes all of its params."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Engine, text

from trendminer.errors import ConfigurationError

if TYPE_CHECKING:
    from airflow.dag_processing.dagbag import DagBag
    from airflow.models.dagrun import DagRun

pytestmark = pytest.mark.slow


@pytest.fixture
def run_env(trendminer_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tasks read their settings from the environment (no ``trendminer_db`` connection)."""
    monkeypatch.delenv("AIRFLOW_CONN_TRENDMINER_DB", raising=False)
    monkeypatch.delenv("AIRFLOW_VAR_TRENDMINER_SETTINGS", raising=False)
    return trendminer_env


def _test(dagbag: DagBag, dag_id: str, conf: dict[str, Any], **test: Any) -> DagRun:
    run = dagbag.dags[dag_id].test(run_conf=conf, **test)
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert run.state == "success", states
    return run


def _built_days(engine: Engine) -> list[date]:
    with engine.connect() as connection:
        return list(
            connection.execute(text("SELECT day FROM trend_build_days ORDER BY day")).scalars()
        )


@pytest.mark.usefixtures("airflow_db", "run_env")
def test_a_run_after_an_outage_judges_the_skipped_days(dagbag: DagBag, engine: Engine) -> None:
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    with engine.begin() as connection:  # built through 05-28; 05-29 .. 06-01 were missed
        connection.execute(text("INSERT INTO trend_build_days (day) VALUES ('2026-05-28')"))
    run = _test(
        dagbag,
        "trendminer_trends",
        {"start": None, "end": None},
        logical_date=datetime(2026, 6, 3, tzinfo=UTC),  # the interval of 06-02
    )
    with create_session() as session:
        event = session.query(AssetEvent).filter_by(source_run_id=run.run_id).one()
        extra = dict(event.extra)
    assert extra == {"start": "2026-05-29", "end": "2026-06-02", "report_from": "2026-05-29"}
    assert _built_days(engine)[-6:] == [date(2026, 5, d) for d in range(28, 32)] + [
        date(2026, 6, 1),
        date(2026, 6, 2),
    ]


@pytest.mark.usefixtures("airflow_db")
@pytest.mark.parametrize(
    ("logical_date", "expected"),
    [(datetime(2026, 6, 4, tzinfo=UTC), "2026-06-03"), (None, "2026-05-30")],
    ids=["logical-date", "no-logical-date"],
)
def test_a_manual_report_run_reports_its_interval_else_the_last_built_day(
    dagbag: DagBag, engine: Engine, run_env: Path, logical_date: datetime | None, expected: str
) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO trend_build_days (day) VALUES ('2026-05-30')"))
    _test(dagbag, "trendminer_report", {"day": None}, logical_date=logical_date)
    assert sorted(path.name for path in (run_env / "reports").iterdir()) == [expected]


# A ConfigurationError fails a task at once (the retry policy); other errors would be retried.


def test_a_window_that_ends_before_it_starts_fails_at_once(dagbag: DagBag) -> None:
    build: Any = dagbag.dags["trendminer_trends"].get_task("build_trends")
    with pytest.raises(ConfigurationError, match="before it starts"):
        build.python_callable(params={"start": "2026-03-02", "end": "2026-03-01"}, outlet_events={})


def test_an_unreadable_since_fails_at_once(dagbag: DagBag) -> None:
    enrich: Any = dagbag.dags["trendminer_enrich"].get_task("enrich_posts")
    with pytest.raises(ConfigurationError, match="since="):
        enrich.python_callable(params={"since": "yesterday", "everything": False})
