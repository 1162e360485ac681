"""End to end: the five DAGs, run with ``dag.test()`` one after the other as the assets would
chain them, on the ``small`` Sample world against PostgreSQL; the trend tables and the report
hold the world's planted negative-sentiment peak (London, 2025-04-22 .. 24) and its influencer.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Engine, text

if TYPE_CHECKING:
    from airflow.dag_processing.dagbag import DagBag

pytestmark = pytest.mark.slow

REPORT_DAY = "2025-04-24"


@pytest.fixture
def small_world(tmp_path: Path) -> Path:
    """The ``small`` world with a stronger London negative peak.

    At the default magnitude (+20 points on a few posts a day) no test with a sane false-alarm
    rate can see it in 28 days; this test checks that a visible peak flows through the chain.
    """
    from importlib import resources

    from trendminer.sources.sample import generate_world

    packaged = resources.files("trendminer.sources.sample") / "scenarios" / "small.toml"
    scenario = packaged.read_text()
    assert "increase = 0.2\n" in scenario
    strong = tmp_path / "small-strong.toml"
    strong.write_text(scenario.replace("increase = 0.2\n", "increase = 0.6\n"))
    generate_world(strong, tmp_path / "world")
    return tmp_path / "world"


@pytest.fixture
def chain_env(trendminer_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tasks read their settings from the environment (no ``trendminer_db`` connection)."""
    monkeypatch.setenv("TRENDMINER_MEDIA_STORE", str(trendminer_env / "media"))
    monkeypatch.delenv("AIRFLOW_CONN_TRENDMINER_DB", raising=False)
    # The small world spans 28 days with a few London posts a day: the defaults (28 days of
    # history, a strict test for many series) would judge none of its days. This test checks
    # the chain, not the tests' power (benchmarks/trends_accuracy.py measures that).
    monkeypatch.setenv("TRENDMINER_PEAK_MIN_HISTORY_DAYS", "10")
    monkeypatch.setenv("TRENDMINER_SENTIMENT_PEAK_ALPHA", "0.001")
    return trendminer_env


def _run(dagbag: DagBag, dag_id: str, conf: dict[str, Any] | None = None, **test: Any) -> None:
    run = dagbag.dags[dag_id].test(run_conf=conf, **test)
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert run.state == "success", states


@pytest.fixture
def detector_available() -> None:
    import os

    from trendminer.vision.checkpoint import shipped_checkpoint

    if not os.environ.get("TRENDMINER_DETECTOR_CHECKPOINT") and not shipped_checkpoint().exists():
        pytest.skip("no detector checkpoint: trendminer/vision/weights/ has not shipped one yet")


@pytest.mark.usefixtures("detector_available")
def test_the_dags_chain_from_posts_to_report(
    airflow_db: Path, dagbag: DagBag, small_world: Path, chain_env: Path, engine: Engine
) -> None:
    truth = json.loads((small_world / "truth" / "world.json").read_text())
    _run(dagbag, "trendminer_collect", {"source": "archive", "archive_path": str(small_world)})
    _run(dagbag, "trendminer_enrich")
    _run(dagbag, "trendminer_detect", {"batch_size": 40, "max_batches": 2})
    # as triggered from the UI with its window and no logical date (so no data interval)
    window = {"start": truth["start"], "end": truth["end"]}
    _run(dagbag, "trendminer_trends", window, logical_date=None)
    _run(dagbag, "trendminer_report", {"day": REPORT_DAY})

    with engine.connect() as connection:
        posts = connection.execute(text("SELECT count(*) FROM posts")).scalar_one()
        detected = connection.execute(text("SELECT count(*) FROM detection_runs")).scalar_one()
        days = connection.execute(
            text("SELECT count(DISTINCT day) FROM trend_daily_activity WHERE hashtag = '*'")
        ).scalar_one()
        peak_people = connection.execute(
            text(
                "SELECT DISTINCT i.username FROM trend_sentiment_days s "
                "JOIN trend_peak_influencers i ON i.peak_kind = 'sentiment' "
                " AND i.hashtag = s.hashtag AND i.city = s.city AND i.day = s.day "
                "WHERE s.is_peak AND s.city = 'London' "
                " AND s.day BETWEEN '2025-04-22' AND '2025-04-24'"
            )
        ).scalars()
        window_rows = connection.execute(
            text(
                "SELECT count(*) FROM trend_sentiment_days WHERE day BETWEEN '2025-03-28' AND :day"
            ),
            {"day": REPORT_DAY},
        ).scalar_one()
        drivers = set(peak_people)
    assert posts == truth["counts"]["posts"]
    assert detected == 80  # two mapped batches of 40 (the run's cap), of 544 pictures
    assert days == 28
    planted = json.loads((small_world / "truth" / "events.json").read_text())
    london = next(e for e in planted if e["id"] == "negative_peak_london")
    assert set(london["influencers"]) <= drivers

    folder = chain_env / "reports" / REPORT_DAY
    summary = json.loads((folder / "summary.json").read_text())
    london_peaks = [
        p for p in summary["peaks"] if p["kind"] == "sentiment" and p["city"] == "London"
    ]
    assert london_peaks
    assert set(london["influencers"]) <= {u for p in london_peaks for u in p["influencers"]}
    with (folder / "trend_sentiment_days.csv").open(newline="") as handle:
        assert len(list(csv.DictReader(handle))) == window_rows
    assert "rianri.style" in (folder / "index.html").read_text()


def test_an_archive_run_without_a_folder_fails_at_once(
    airflow_db: Path, dagbag: DagBag, chain_env: Path
) -> None:
    # The folder given as blanks: dag.test() keeps the params of an earlier run in this
    # process (the chain test's folder), so the default "" cannot be relied on here.
    run = dagbag.dags["trendminer_collect"].test(
        run_conf={"source": "archive", "archive_path": "  "}
    )
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["import_archive"] == "failed"  # not an import of the worker's folder
