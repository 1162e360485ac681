"""Detector builders (torchvision SSD models, random init: nothing is ever downloaded).

Every builder is keyword-only and returns a :class:`torchvision.models.detection.SSD` whose
``forward`` takes a list of float RGB images ``[3, H, W]`` in ``[0, 1]`` and returns boxes in
``(x1, y1, x2, y2)`` pixels of the input image. :data:`ARCHITECTURES` describes each one's
input: :class:`InputSpec` gives the square size, the mean in 0-255 RGB and the channel order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from torchvision.models.detection.ssd import SSD

from trendminer.vision.errors import ModelSpecError
from trendminer.vision.models.ffssd import FUSIONS, ffssd
from trendminer.vision.models.ssd300 import SEED_ASPECT_RATIOS, SEED_MEAN, SEED_SCALES, ssd300
from trendminer.vision.models.ssdlite import ssdlite


@dataclass(frozen=True, slots=True)
class InputSpec:
    """What a model expects: a ``size``x``size`` RGB picture, ``mean``/``std`` in 0-255 units."""

    size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    channel_order: str


@dataclass(frozen=True, slots=True)
class Architecture:
    """A named builder and its input specification."""

    name: str
    build: Callable[..., SSD]
    input: InputSpec


_SEED_INPUT = InputSpec(300, SEED_MEAN, (1.0, 1.0, 1.0), "BGR")

ARCHITECTURES: dict[str, Architecture] = {
    "ssd300": Architecture("ssd300", ssd300, _SEED_INPUT),
    "ffssd": Architecture("ffssd", ffssd, _SEED_INPUT),
    "ssdlite": Architecture(
        "ssdlite", ssdlite, InputSpec(320, (127.5, 127.5, 127.5), (127.5, 127.5, 127.5), "RGB")
    ),
}


def architecture(name: str) -> Architecture:
    """The architecture called ``name``; a :class:`ValueError` lists the known ones."""
    try:
        return ARCHITECTURES[name]
    except KeyError:
        known = ", ".join(sorted(ARCHITECTURES))
        raise ModelSpecError(
            f"unknown detector architecture {name!r}; choose one of {known}"
        ) from None


def build_model(name: str, *, num_classes: int, options: Mapping[str, Any] | None = None) -> SSD:
    """Build architecture ``name`` for ``num_classes`` labels (background included)."""
    return architecture(name).build(num_classes=num_classes, **(options or {}))


__all__ = [
    "ARCHITECTURES",
    "FUSIONS",
    "SEED_ASPECT_RATIOS",
    "SEED_SCALES",
    "Architecture",
    "InputSpec",
    "architecture",
    "build_model",
    "ffssd",
    "ssd300",
    "ssdlite",
]
