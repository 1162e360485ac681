"""Defaults every TrendMiner DAG uses: owner, start date, retries with backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import ExceptionRetryPolicy, RetryAction, RetryRule

OWNER = "trendminer-data"
START_DATE = datetime(2026, 1, 1, tzinfo=UTC)

# Transient failures (rate limits, network) retry with backoff; mistakes a retry cannot fix
# (bad settings, invalid names) fail at once so the on-call sees them without waiting.
RETRY_POLICY = ExceptionRetryPolicy(
    rules=[
        RetryRule(exception="trendminer.errors.RetriableError", action=RetryAction.RETRY),
        RetryRule(
            exception=[
                "trendminer.errors.ConfigurationError",
                "trendminer.errors.InvalidNameError",
            ],
            action=RetryAction.FAIL,
            reason="a setting or name is wrong; fix it and clear the task",
        ),
    ]
)

DEFAULT_ARGS: dict[str, Any] = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=30),
    "retry_policy": RETRY_POLICY,
}
