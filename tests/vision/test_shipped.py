"""The shipped checkpoint: small, self-describing, int8-calibrated, and it finds garments in a
Sample picture in float32 and in int8."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from trendminer.sources.sample.render import Garment, PictureSpec, draw_picture
from trendminer.vision.checkpoint import load_checkpoint, shipped_checkpoint
from trendminer.vision.classes import MODANET_CLASSES
from trendminer.vision.evaluation import iou
from trendminer.vision.inference import Detector


def test_shipped_checkpoint_describes_itself() -> None:
    path = shipped_checkpoint()
    assert path.stat().st_size < 10 * 1024 * 1024
    _, meta = load_checkpoint()
    assert (meta.architecture, meta.classes, meta.input_size) == ("ssdlite", MODANET_CLASSES, 320)
    assert isinstance(meta.training_data["renderer_version"], int)
    assert meta.recipe["optimizer"] == "adamw"
    assert meta.int8["pictures"] >= 100


PRECISIONS = pytest.mark.parametrize("precision", ["fp32", "int8"])


def _assert_found(
    outfit: tuple[Garment, ...], seed: int, classes: tuple[str, ...], precision: str
) -> None:
    """The shipped detector finds each of ``classes`` in a drawn picture (IoU >= 0.5)."""
    picture, boxes = draw_picture(PictureSpec(320, 400, seed, (outfit,)))
    model, meta = load_checkpoint()
    detector = Detector(model, meta, device="cpu", precision=precision, score_threshold=0.3)
    assert detector.precision == {"fp32": "float32", "int8": "int8"}[precision]
    pixels = torch.from_numpy(np.asarray(picture).copy()).permute(2, 0, 1)
    found = detector.detect([pixels], [(400, 320)])[0]
    for truth in (b for b in boxes if b.class_name in classes):
        same = [d for d in found if d.class_name == truth.class_name]
        assert len(same) > 0, truth.class_name
        overlaps = iou((truth.x1, truth.y1, truth.x2, truth.y2), np.array([d.box for d in same]))
        assert overlaps.max() >= 0.5, truth.class_name


@PRECISIONS
def test_shipped_checkpoint_finds_large_garments(precision: str) -> None:
    outfit = (Garment("pants", "Blue"), Garment("top", "Red"), Garment("footwear", "Black"))
    _assert_found(outfit, 12345, ("pants", "top"), precision)


@PRECISIONS
def test_shipped_checkpoint_finds_small_garments(precision: str) -> None:
    outfit = (
        Garment("dress", "Green"),
        Garment("bag", "Red"),
        Garment("headwear", "Black"),
        Garment("footwear", "White"),
    )
    _assert_found(outfit, 2024, ("bag", "headwear"), precision)
