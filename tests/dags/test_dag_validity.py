"""Every DAG file parses cleanly, alone, without touching a database, and follows the policy."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.dags.conftest import DAG_FILES, ROOT, airflow_environment
from trendminer.errors import ConfigurationError, InvalidNameError, RetriableError
from trendminer.orchestration.tags import Tag

if TYPE_CHECKING:
    from airflow.dag_processing.dagbag import DagBag

GUARDED_PARSE = Path(__file__).with_name("guarded_parse.py")
EXPECTED_DAGS = {
    "trendminer_collect",
    "trendminer_enrich",
    "trendminer_detect",
    "trendminer_trends",
    "trendminer_report",
}


def guarded_parse(files: list[Path], home: Path) -> dict[str, Any]:
    """Parse ``files`` in a fresh interpreter with every connection blocked (see the script)."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **airflow_environment(home)}
    done = subprocess.run(
        [sys.executable, str(GUARDED_PARSE), *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def parsed(airflow_home: Path) -> dict[str, Any]:
    return guarded_parse(DAG_FILES, airflow_home)


def test_the_five_dags_are_there() -> None:
    assert {path.stem for path in DAG_FILES} == EXPECTED_DAGS


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda path: path.stem)
def test_file_parses_alone_into_one_dag_named_as_the_file(
    parsed: dict[str, Any], path: Path
) -> None:
    report = parsed[str(path)]
    assert report["import_errors"] == {}
    assert report["dag_ids"] == [path.stem]


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda path: path.stem)
def test_parsing_opens_no_connection_and_imports_nothing_heavy(
    parsed: dict[str, Any], path: Path
) -> None:
    report = parsed[str(path)]
    assert report["connection_attempts"] == []
    assert report["heavy_modules"] == []


def test_the_guard_catches_a_connecting_dag_file(tmp_path: Path, airflow_home: Path) -> None:
    bad = tmp_path / "bad_dag.py"
    bad.write_text(
        "import pandas  # heavy, at parse time\n"
        "import psycopg2\n"
        "from airflow.sdk import dag\n"
        "psycopg2.connect('postgresql://nowhere/db')\n"
        "@dag(schedule=None)\n"
        "def bad_dag():\n"
        "    pass\n"
        "bad_dag()\n"
    )
    report = guarded_parse([bad], airflow_home)[str(bad)]
    assert report["connection_attempts"] == ["psycopg2.connect"]
    assert "pandas" in report["heavy_modules"]
    assert report["dag_ids"] == []


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAGS))
def test_dag_policy(dagbag: DagBag, dag_id: str) -> None:
    from trendminer.orchestration.defaults import OWNER  # imports Airflow: after its fixture

    dag = dagbag.dags[dag_id]
    assert dag.doc_md
    assert "**Owner:**" in dag.doc_md
    assert "**Triage:**" in dag.doc_md
    assert dag.tags
    assert set(dag.tags) <= {tag.value for tag in Tag}
    assert Tag.TRENDMINER.value in dag.tags
    assert dag.catchup is False
    assert dag.params, "manual runs need params"
    for task in dag.tasks:
        assert task.owner == OWNER, task.task_id
        assert task.retries >= 2, task.task_id
        assert task.retry_exponential_backoff > 0, task.task_id
        assert task.python_callable.__doc__, f"{task.task_id} has no docstring"
        assert type(task.retry_policy).__name__ == "TrendMinerRetryPolicy", task.task_id


def test_trends_wait_for_the_days_to_end_before_building(dagbag: DagBag) -> None:
    dag = dagbag.dags["trendminer_trends"]
    wait = dag.get_task("wait_until_the_days_have_ended")
    assert wait.downstream_task_ids == {"build_trends"}
    assert wait.mode == "reschedule"  # no worker slot held while it waits


def test_transient_failures_retry_after_the_wait_they_name(airflow_home: Path) -> None:
    from airflow.sdk import RetryAction

    from trendminer.orchestration.defaults import DEFAULT_ARGS

    policy = DEFAULT_ARGS["retry_policy"]
    rate_limited = policy.evaluate(RetriableError("429", retry_after_s=900), 1, 3)
    assert (rate_limited.action, rate_limited.retry_delay) == (
        RetryAction.RETRY,
        timedelta(minutes=15),
    )
    endless = policy.evaluate(RetriableError("429", retry_after_s=10**7), 1, 3)
    assert endless.retry_delay == timedelta(hours=2)
    assert policy.evaluate(ConfigurationError("bad"), 1, 3).action == RetryAction.FAIL
    assert policy.evaluate(InvalidNameError("bad"), 1, 3).action == RetryAction.FAIL
    assert policy.evaluate(OSError("disk"), 1, 3).action == RetryAction.DEFAULT


def test_assets_chain_the_dags(dagbag: DagBag) -> None:
    from trendminer.orchestration.assets import POSTS, TREND_TABLES

    def outlets(dag_id: str) -> set[str]:
        return {o.name for t in dagbag.dags[dag_id].tasks for o in t.outlets}

    assert outlets("trendminer_collect") == {POSTS.name}
    assert outlets("trendminer_trends") == {TREND_TABLES.name}
    for dag_id in ("trendminer_enrich", "trendminer_detect"):
        assert list(dagbag.dags[dag_id].timetable.asset_condition.objects) == [POSTS]
    assert list(dagbag.dags["trendminer_report"].timetable.asset_condition.objects) == [
        TREND_TABLES
    ]


def test_collect_maps_one_task_per_hashtag(dagbag: DagBag) -> None:
    dag = dagbag.dags["trendminer_collect"]
    assert dag.get_task("collect_posts").is_mapped
    assert not dag.get_task("collect_influencers").is_mapped
    assert dag.get_task("collect_posts").upstream_task_ids == {"choose_hashtags"}


def test_detection_is_mapped_on_the_gpu_pool_and_queue(dagbag: DagBag) -> None:
    task = dagbag.dags["trendminer_detect"].get_task("detect_garments")
    assert task.is_mapped
    assert task.pool == "gpu"
    assert task.queue == "gpu"


def test_trends_run_daily_over_a_data_interval(dagbag: DagBag) -> None:
    from datetime import UTC, datetime

    from airflow.serialization.encoders import coerce_to_core_timetable

    timetable = coerce_to_core_timetable(dagbag.dags["trendminer_trends"].timetable)
    interval = timetable.infer_manual_data_interval(run_after=datetime(2026, 3, 2, 5, tzinfo=UTC))
    assert (interval.start, interval.end) == (
        datetime(2026, 3, 1, tzinfo=UTC),
        datetime(2026, 3, 2, tzinfo=UTC),
    )
