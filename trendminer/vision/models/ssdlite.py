"""SSDLite320 on MobileNetV3-Large, for CPU machines."""

from __future__ import annotations

from torchvision.models.detection import ssdlite320_mobilenet_v3_large
from torchvision.models.detection.ssd import SSD


def ssdlite(*, num_classes: int) -> SSD:
    """SSDLite320-MobileNetV3-Large, random init; ``num_classes`` counts the background.

    Takes RGB ``[3, H, W]`` floats in [0, 1]; resized to 320x320 inside.
    """
    return ssdlite320_mobilenet_v3_large(
        weights=None, weights_backbone=None, num_classes=num_classes
    )
