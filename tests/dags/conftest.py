"""Airflow for the DAG tests: a private AIRFLOW_HOME, our dags/ and plugins/, no examples.

Airflow reads its configuration when first imported, so tests here import it inside fixtures
and tests, never at module level.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from airflow.dag_processing.dagbag import DagBag

ROOT = Path(__file__).resolve().parents[2]
DAGS_FOLDER = ROOT / "dags"
DAG_FILES = sorted(DAGS_FOLDER.glob("trendminer_*.py"))


def airflow_environment(home: Path) -> dict[str, str]:
    """The environment that points Airflow at ``home`` and at this project's folders."""
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
    }


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private AIRFLOW_HOME, set in the environment for the whole session."""
    home = tmp_path_factory.mktemp("airflow")
    with pytest.MonkeyPatch.context() as patch:
        for key, value in airflow_environment(home).items():
            patch.setenv(key, value)
        yield home


@pytest.fixture(scope="session")
def dagbag(airflow_home: Path) -> DagBag:
    """Every DAG file of dags/, parsed once for the session."""
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_FOLDER), safe_mode=False)


@pytest.fixture
def airflow_db(airflow_home: Path) -> Path:
    """Airflow's own metadata database (SQLite in the private AIRFLOW_HOME)."""
    from airflow.utils.db import initdb

    initdb()
    return airflow_home
