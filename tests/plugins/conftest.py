"""The plugin tests use the same private Airflow home as the DAG tests."""

from tests.dags.conftest import airflow_home

__all__ = ["airflow_home"]
