"""SSD300 on VGG16 with the seed configuration (8,732 default boxes)."""

from __future__ import annotations

from torch import Tensor, nn
from torchvision.models.detection.anchor_utils import DefaultBoxGenerator
from torchvision.models.detection.ssd import SSD, SSDFeatureExtractorVGG, SSDHead
from torchvision.models.vgg import cfgs, make_layers

SEED_SIZE = 300
SEED_MEAN = (123.0, 117.0, 104.0)
"""Mean picture colour in 0-255, listed R, G, B; subtracted before the flip to BGR."""
SEED_SCALES = [0.07, 0.15, 0.33, 0.51, 0.69, 0.87, 1.05]
SEED_ASPECT_RATIOS: list[list[float]] = [
    [1.0, 2.0, 0.5],
    [1.0, 2.0, 0.5, 3.0, 1.0 / 3.0],
    [1.0, 2.0, 0.5, 3.0, 1.0 / 3.0],
    [1.0, 2.0, 0.5, 3.0, 1.0 / 3.0],
    [1.0, 2.0, 0.5],
    [1.0, 2.0, 0.5],
]
"""Per feature map; ratio 1 also gets the extra box of scale sqrt(s_k * s_k+1)."""
SEED_STEPS = [8, 16, 32, 64, 100, 300]
SEED_CHANNELS = [512, 1024, 512, 256, 256, 256]
"""Channels of the six prediction maps (conv4_3, fc7, conv8_2 ... conv11_2)."""


class BgrInput(nn.Module):
    """Feed a feature extractor BGR pictures (the seed's Caffe order) from RGB tensors."""

    def __init__(self, body: nn.Module) -> None:
        super().__init__()
        self.body = body

    def forward(self, x: Tensor) -> dict[str, Tensor]:
        """``x``: ``[N, 3, H, W]`` RGB, mean-subtracted; returns the body's feature maps."""
        out: dict[str, Tensor] = self.body(x.flip(1))
        return out


def seed_default_boxes() -> DefaultBoxGenerator:
    """The seed's default boxes: scales and ratios above, in torchvision's notation."""
    ratios = [[r for r in rs if r > 1.0] for rs in SEED_ASPECT_RATIOS]
    return DefaultBoxGenerator(ratios, scales=SEED_SCALES, steps=SEED_STEPS)


def vgg_features() -> SSDFeatureExtractorVGG:
    """torchvision's SSD VGG16 extractor, randomly initialised as torchvision's VGG is.

    Only VGG16's convolutional part is built (its 120M-parameter classifier is never used).
    """
    layers = make_layers(cfgs["D"], batch_norm=False)
    for module in layers.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            if module.bias is not None:
                nn.init.zeros_(module.bias)
    return SSDFeatureExtractorVGG(layers, highres=False)


def seed_ssd(backbone: nn.Module, num_classes: int) -> SSD:
    """An SSD with the seed's input, mean, BGR order and default boxes around ``backbone``."""
    mean = [m / 255.0 for m in SEED_MEAN]
    std = [1.0 / 255.0] * 3
    return SSD(
        BgrInput(backbone),
        seed_default_boxes(),
        (SEED_SIZE, SEED_SIZE),
        num_classes,
        image_mean=mean,
        image_std=std,
        head=SSDHead(SEED_CHANNELS, seed_default_boxes().num_anchors_per_location(), num_classes),
    )


def ssd300(*, num_classes: int) -> SSD:
    """SSD300-VGG16, seed configuration; ``num_classes`` counts the background.

    Takes RGB ``[3, H, W]`` floats in [0, 1]; resized to 300x300 inside; 8,732 default boxes.
    """
    return seed_ssd(vgg_features(), num_classes)
