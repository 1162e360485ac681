"""What the Airflow DAGs in ``dags/`` share: tags, assets, defaults, task-time helpers.

Everything here is cheap to import (the DAG processor imports it on every parse); the stages
themselves are imported inside the tasks.
"""
