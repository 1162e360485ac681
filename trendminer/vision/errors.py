"""Errors of the detector: checkpoints, datasets and training runs."""

from trendminer.errors import ConfigurationError, TrendMinerError


class CheckpointError(ConfigurationError):
    """A checkpoint is missing, unreadable, or does not match what loads it."""


class DatasetError(TrendMinerError):
    """A COCO annotation file or its pictures cannot be used."""


class TrainingError(TrendMinerError):
    """A training run cannot go on (a non-finite loss, a bad option)."""


class ModelSpecError(ConfigurationError, ValueError):
    """An unknown detector architecture or a bad builder option."""
