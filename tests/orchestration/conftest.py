"""Tests that read Airflow connections or variables use the DAG tests' private Airflow home."""

from tests.dags.conftest import airflow_home

__all__ = ["airflow_home"]
