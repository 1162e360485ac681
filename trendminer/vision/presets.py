"""Augmentation presets (torchvision.transforms.v2) and AlexNet's PCA lighting noise.

The seed's training augmentation: photometric distortion (brightness, contrast, hue,
saturation), lighting noise, expand (zoom out onto the mean colour), random IoU crop and
mirror. Each part can be switched off; pictures end resized to the model's square input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor
from torchvision import tv_tensors
from torchvision.transforms import v2

# ImageNet RGB eigenvalues/eigenvectors (Krizhevsky et al. 2012), for pixels in [0, 1].
_EIGVAL = torch.tensor([0.2175, 0.0188, 0.0045])
_EIGVEC = torch.tensor(
    [
        [-0.5675, 0.7192, 0.4009],
        [-0.5808, -0.0045, -0.8140],
        [-0.5836, -0.6948, 0.4203],
    ]
)


class LightingNoise(v2.Transform):
    """AlexNet PCA lighting: add ``eigvec @ (alpha * eigval)``, ``alpha ~ N(0, std)`` per picture.

    Works on float pictures in [0, 1]; boxes and labels pass through unchanged.
    """

    def __init__(self, std: float = 0.1) -> None:
        super().__init__()
        self.std = std

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        alpha = torch.randn(3) * self.std
        return {"shift": (_EIGVEC @ (alpha * _EIGVAL)).view(3, 1, 1)}

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        if isinstance(inpt, tv_tensors.Image) or (
            isinstance(inpt, Tensor) and not isinstance(inpt, tv_tensors.TVTensor)
        ):
            if not inpt.is_floating_point():
                raise TypeError("LightingNoise needs float pictures; put it after ToDtype")
            shifted = (inpt + params["shift"].to(inpt.device, inpt.dtype)).clamp(0.0, 1.0)
            return (
                tv_tensors.wrap(shifted, like=inpt)
                if isinstance(inpt, tv_tensors.Image)
                else shifted
            )
        return inpt


@dataclass(frozen=True, slots=True)
class Augmentation:
    """Which parts of the seed augmentation run (probabilities as in torchvision's SSD recipe)."""

    photometric: bool = True
    lighting: float = 0.1
    """Standard deviation of the PCA lighting noise; 0 switches it off."""
    expand: bool = True
    expand_max: float = 4.0
    iou_crop: bool = True
    mirror: bool = True


def train_transforms(size: int, mean: tuple[float, float, float], aug: Augmentation) -> v2.Compose:
    """Training pipeline ending in a float ``[3, size, size]`` picture and sanitised boxes."""
    steps: list[Any] = [v2.ToImage()]
    if aug.photometric:
        steps.append(v2.RandomPhotometricDistort(p=0.5))
    if aug.expand:
        fill = [round(m) for m in mean]
        steps.append(v2.RandomZoomOut(fill=fill, side_range=(1.0, aug.expand_max), p=0.5))
    if aug.iou_crop:
        steps.append(v2.RandomIoUCrop())
    if aug.mirror:
        steps.append(v2.RandomHorizontalFlip(p=0.5))
    steps += [v2.Resize((size, size), antialias=True), v2.ToDtype(torch.float32, scale=True)]
    if aug.lighting > 0:
        steps.append(LightingNoise(aug.lighting))
    # resizing can carry an edge box a float rounding past the canvas, which Sanitize drops
    steps += [v2.ClampBoundingBoxes(), v2.SanitizeBoundingBoxes(min_size=1.0)]
    return v2.Compose(steps)
