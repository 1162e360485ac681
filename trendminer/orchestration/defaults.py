"""Defaults every TrendMiner DAG uses: owner, start date, retries with backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import RetryDecision, RetryPolicy

from trendminer.errors import ConfigurationError, InvalidNameError, RetriableError

OWNER = "trendminer-data"
START_DATE = datetime(2026, 1, 1, tzinfo=UTC)
MAX_RETRY_DELAY = timedelta(hours=2)


class TrendMinerRetryPolicy(RetryPolicy):
    """Transient failures (rate limits, network) retry after the wait they name (a 429's
    ``retry_after_s``, at most ``MAX_RETRY_DELAY``); mistakes a retry cannot fix (bad settings,
    invalid names) fail at once so the on-call sees them without waiting; anything else
    follows the task's retries with backoff."""

    def evaluate(
        self,
        exception: BaseException,
        try_number: int,
        max_tries: int,
        context: Any = None,
    ) -> RetryDecision:
        if isinstance(exception, RetriableError):
            wait = min(timedelta(seconds=max(exception.retry_after_s, 0)), MAX_RETRY_DELAY)
            return RetryDecision.retry(delay=wait, reason=f"transient: {exception}")
        if isinstance(exception, ConfigurationError | InvalidNameError):
            return RetryDecision.fail(reason="a setting or name is wrong: fix it, clear the task")
        return RetryDecision.default()


DEFAULT_ARGS: dict[str, Any] = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=30),
    "retry_policy": TrendMinerRetryPolicy(),
}
