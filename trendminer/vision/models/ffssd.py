"""Feature-Fused SSD (Cao et al. 2017): conv4_3 fused with deconvolved conv5_3.

conv5_3 (512x19x19 at 300 px) is deconvolved to conv4_3's 38x38 and fused with it by one of two
modules; the fused 512x38x38 map replaces conv4_3 as the first prediction layer. The rest is
the seed's SSD300 (same default boxes, input and mean).
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor, nn
from torch.nn import functional as F
from torchvision.models.detection.ssd import SSD

from trendminer.vision.errors import ModelSpecError
from trendminer.vision.models.ssd300 import seed_ssd, vgg_features

Fusion = Literal["concat", "sum"]
FUSIONS: tuple[Fusion, ...] = ("concat", "sum")


class ConcatFusion(nn.Module):
    """Concatenation module: 3x3 conv on each branch, L2-normalised, concatenated, 1x1 to 512."""

    def __init__(self, channels: int = 512) -> None:
        super().__init__()
        self.deconv = nn.ConvTranspose2d(channels, channels, kernel_size=2, stride=2)
        self.low = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.high = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.low_scale = nn.Parameter(torch.full((channels,), 10.0))
        self.high_scale = nn.Parameter(torch.full((channels,), 10.0))
        self.reduce = nn.Conv2d(2 * channels, channels, kernel_size=1)

    def forward(self, conv4_3: Tensor, conv5_3: Tensor) -> Tensor:
        """``[N, C, H, W]`` and ``[N, C, H/2, W/2]`` -> ``[N, C, H, W]``."""
        up = _match(self.deconv(conv5_3), conv4_3)
        low = F.normalize(F.relu(self.low(conv4_3))) * self.low_scale.view(1, -1, 1, 1)
        high = F.normalize(F.relu(self.high(up))) * self.high_scale.view(1, -1, 1, 1)
        return F.relu(self.reduce(torch.cat([low, high], dim=1)))


class SumFusion(nn.Module):
    """Element-sum module: 3x3 conv + batch norm on each branch, summed, then ReLU."""

    def __init__(self, channels: int = 512) -> None:
        super().__init__()
        self.deconv = nn.ConvTranspose2d(channels, channels, kernel_size=2, stride=2)
        self.low = nn.Sequential(
            nn.Conv2d(channels, channels, kernel_size=3, padding=1), nn.BatchNorm2d(channels)
        )
        self.high = nn.Sequential(
            nn.Conv2d(channels, channels, kernel_size=3, padding=1), nn.BatchNorm2d(channels)
        )

    def forward(self, conv4_3: Tensor, conv5_3: Tensor) -> Tensor:
        """``[N, C, H, W]`` and ``[N, C, H/2, W/2]`` -> ``[N, C, H, W]``."""
        up = _match(self.deconv(conv5_3), conv4_3)
        return F.relu(self.low(conv4_3) + self.high(up))


def _match(up: Tensor, like: Tensor) -> Tensor:
    """Crop or pad the deconvolved map to ``like``'s height and width (odd sizes)."""
    dh, dw = like.shape[-2] - up.shape[-2], like.shape[-1] - up.shape[-1]
    return F.pad(up, [0, dw, 0, dh]) if dh or dw else up


class FeatureFusedExtractor(nn.Module):
    """The SSD300 VGG16 extractor whose first output is the fused conv4_3 ⊕ conv5_3 map."""

    def __init__(self, fusion: Fusion) -> None:
        super().__init__()
        vgg = vgg_features()
        self.features = vgg.features  # until conv4_3 (+ ReLU)
        first = vgg.extra[0]
        self.conv5 = nn.Sequential(*list(first)[:-1])  # maxpool4, conv5_1 .. conv5_3 (+ ReLU)
        self.fc = first[-1]  # maxpool5, fc6 (atrous), fc7
        self.extra = nn.ModuleList(list(vgg.extra)[1:])
        self.fusion: nn.Module = ConcatFusion() if fusion == "concat" else SumFusion()

    def fused(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``x``: ``[N, 3, H, W]`` -> (fused map shaped like conv4_3, conv5_3)."""
        conv4_3 = self.features(x)
        conv5_3 = self.conv5(conv4_3)
        return self.fusion(conv4_3, conv5_3), conv5_3

    def forward(self, x: Tensor) -> dict[str, Tensor]:
        """Six prediction maps: fused 512@38², fc7 1024@19², then 512@10², 256@5², 3², 1²."""
        fused, conv5_3 = self.fused(x)
        maps = [fused]
        y = self.fc(conv5_3)
        maps.append(y)
        for block in self.extra:
            y = block(y)
            maps.append(y)
        return {str(i): m for i, m in enumerate(maps)}


def ffssd(*, num_classes: int, fusion: Fusion = "concat") -> SSD:
    """Feature-Fused SSD300 with the ``'concat'`` or ``'sum'`` fusion module.

    Takes RGB ``[3, H, W]`` floats in [0, 1]; resized to 300x300 inside; 8,732 default boxes.
    """
    if fusion not in FUSIONS:
        raise ModelSpecError(f"unknown fusion {fusion!r}; choose one of {', '.join(FUSIONS)}")
    return seed_ssd(FeatureFusedExtractor(fusion), num_classes)
