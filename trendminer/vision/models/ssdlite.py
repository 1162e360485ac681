"""SSDLite320 on MobileNetV3-Large, for CPU machines."""

from __future__ import annotations

from torchvision.models.detection import ssdlite320_mobilenet_v3_large
from torchvision.models.detection.anchor_utils import DefaultBoxGenerator
from torchvision.models.detection.ssd import SSD

from trendminer.vision.errors import ModelSpecError

TORCHVISION_MIN_RATIO = 0.2
"""torchvision's smallest default box, as a fraction of the input: 64 px at 320."""
MAX_RATIO = 0.95


def ssdlite(*, num_classes: int, min_ratio: float = TORCHVISION_MIN_RATIO) -> SSD:
    """SSDLite320-MobileNetV3-Large, random init; ``num_classes`` counts the background.

    Takes RGB ``[3, H, W]`` floats in [0, 1]; resized to 320x320 inside. ``min_ratio`` is the
    scale of the first feature map's default boxes as a fraction of the input (the other five
    maps spread linearly up to 0.95): below torchvision's 0.2 the first map's boxes fit small
    garments (belts, sunglasses) better. The number of boxes per cell, hence every weight
    shape, does not depend on it.
    """
    if not 0.0 < min_ratio < MAX_RATIO:
        raise ModelSpecError(f"min_ratio must lie in (0, {MAX_RATIO}), not {min_ratio}")
    model = ssdlite320_mobilenet_v3_large(
        weights=None, weights_backbone=None, num_classes=num_classes
    )
    if min_ratio != TORCHVISION_MIN_RATIO:
        model.anchor_generator = DefaultBoxGenerator(
            [[2, 3] for _ in range(6)], min_ratio=min_ratio, max_ratio=MAX_RATIO
        )
    return model
