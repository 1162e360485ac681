"""How long each DAG file takes to parse as the DAG processor sees it, and the demo's wall time.

The DAG processor imports Airflow once, then forks a child per file that fills a DagBag with
that one file. This benchmark does the same (``os.fork`` after ``import airflow``), several
times per file, and reports the median. Goal: at most 0.2 s per file (so no heavy import hides
at the top of a DAG file). Without ``--quick`` it also runs ``trendminer demo`` (the README's
main command) on a fresh embedded PostgreSQL and times it (goal: at most 300 s).

    .venv/bin/python benchmarks/dag_parse.py [--quick] [--repeat N]

Last stdout line: one JSON object with ``max_parse_s``, ``demo_s`` (null with ``--quick``) and
the figures behind them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAGS = sorted((ROOT / "dags").glob("trendminer_*.py"))
PARSE_GOAL_S = 0.2
DEMO_GOAL_S = 300.0


def parse_in_child(path: Path) -> float:
    """Fork, fill a DagBag with ``path`` in the child, return the child's parse seconds."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: parse, report, leave without running the parent's cleanup
        os.close(read_end)
        from airflow.dag_processing.dagbag import DagBag

        started = time.perf_counter()
        bag = DagBag(dag_folder=str(path), safe_mode=False)
        elapsed = time.perf_counter() - started
        ok = not bag.import_errors and bag.dag_ids == [path.stem]
        os.write(write_end, json.dumps({"s": elapsed, "ok": ok}).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        answer = json.loads(pipe.read())
    os.waitpid(pid, 0)
    if not answer["ok"]:
        raise SystemExit(f"{path.name} did not parse into one DAG named {path.stem}")
    return float(answer["s"])


def time_demo(workdir: Path) -> float:
    """Wall seconds of ``trendminer demo`` with a fresh data folder and embedded PostgreSQL."""
    from trendminer.db.embedded import stop_embedded

    env = {
        **os.environ,
        "TRENDMINER_DATA_DIR": str(workdir / "data"),
        "TRENDMINER_REPORT_DIR": str(workdir / "reports"),
    }
    env.pop("TRENDMINER_DATABASE_URL", None)
    started = time.perf_counter()
    try:
        subprocess.run(
            [sys.executable, "-m", "trendminer", "demo"], check=True, env=env, cwd=workdir
        )
        return time.perf_counter() - started
    finally:
        stop_embedded(workdir / "data")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Parse times only; skip the demo.")
    parser.add_argument("--repeat", type=int, default=5, help="Parses per file (median).")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="tm-dag-parse-"))
    os.environ.update(
        {
            "AIRFLOW_HOME": str(workdir / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        }
    )
    try:
        started = time.perf_counter()
        import airflow.dag_processing.dagbag  # noqa: F401  # what the processor has loaded

        airflow_import_s = time.perf_counter() - started
        parse_s = {
            path.stem: statistics.median(parse_in_child(path) for _ in range(args.repeat))
            for path in DAGS
        }
        for name, seconds in parse_s.items():
            print(f"{name:24s} {seconds:.3f} s")
        max_parse_s = max(parse_s.values())
        demo_s = None if args.quick else time_demo(workdir)
        figures = {
            "max_parse_s": round(max_parse_s, 4),
            "parse_s": {name: round(seconds, 4) for name, seconds in parse_s.items()},
            "airflow_import_s": round(airflow_import_s, 3),
            "max_parse_vs_airflow_import": round(max_parse_s / airflow_import_s, 4),
            "parse_goal_s": PARSE_GOAL_S,
            "parse_within_goal": max_parse_s <= PARSE_GOAL_S,
            "demo_s": None if demo_s is None else round(demo_s, 1),
            "demo_goal_s": DEMO_GOAL_S,
        }
        print(json.dumps(figures))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
