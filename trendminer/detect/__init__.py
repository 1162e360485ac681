"""The detect stage: garments (class, box, score, colour) in pending pictures, kept per model."""

from trendminer.detect.stage import DetectResult, detect, pending_media_batches

__all__ = ["DetectResult", "detect", "pending_media_batches"]
