"""Fixtures of the vision tests: a tiny shapes dataset and a random SSDLite checkpoint."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.vision.shapes import write_shapes
from trendminer.vision.checkpoint import CheckpointMeta, save_checkpoint
from trendminer.vision.classes import MODANET_CLASSES, with_background
from trendminer.vision.models import build_model


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    """The CI machine is small and shared: one intra-op thread is fastest there."""
    torch.set_num_threads(1)


@pytest.fixture
def shapes(tmp_path: Path) -> Path:
    """COCO JSON of 6 small pictures of rectangles (pictures beside it)."""
    return write_shapes(tmp_path / "shapes", count=6)


@pytest.fixture
def random_checkpoint(tmp_path: Path) -> Path:
    """A randomly initialised SSDLite checkpoint over the ModaNet classes."""
    torch.manual_seed(0)
    model = build_model("ssdlite", num_classes=len(with_background(MODANET_CLASSES)))
    meta = CheckpointMeta.for_model("ssdlite", MODANET_CLASSES, training_data={"test": True})
    return save_checkpoint(tmp_path / "random.pt", model, meta, half=True)
