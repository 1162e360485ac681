"""One exception hierarchy for TrendMiner; messages say what was wrong and what to do."""


class TrendMinerError(Exception):
    """Base of every error TrendMiner raises on purpose."""


class ConfigurationError(TrendMinerError):
    """A setting is missing or invalid."""


class DatabaseError(TrendMinerError):
    """The database cannot be reached, started or migrated."""


class InvalidNameError(TrendMinerError, ValueError):
    """A user name or hashtag does not follow Instagram's rules."""


class InvalidRecordError(TrendMinerError, ValueError):
    """A record lacks what it needs (shortcode, owner, valid time) and is rejected."""


class RetriableError(TrendMinerError):
    """A transient failure; retry after ``retry_after_s`` seconds."""

    def __init__(self, message: str, retry_after_s: float = 60.0) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
