"""COCO-format detection datasets (ModaNet as published, DeepFashion2 converted, the Sample world).

Categories are read from the file and named in our spelling (``'scarf & tie'`` ->
``'scarf/tie'``); their order (by category id) is the label order: label ``i + 1`` is the
``i``-th category. A dataset can instead be mapped onto a given class list (evaluating or
fine-tuning a checkpoint), where every category must be one of those classes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from PIL import Image
from torch import Tensor
from torch.utils.data import Dataset
from torchvision import tv_tensors
from torchvision.transforms import v2

from trendminer.vision.classes import canonical_class_name
from trendminer.vision.errors import DatasetError


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """One annotated garment: box (x1, y1, x2, y2) pixels, label, area, crowd flag, colour."""

    box: tuple[float, float, float, float]
    label: int
    area: float
    iscrowd: bool
    colour: str | None


@dataclass(frozen=True, slots=True)
class CocoImage:
    """One picture of the dataset and its annotations."""

    image_id: int
    path: Path
    width: int
    height: int
    objects: tuple[GroundTruth, ...]


def _colour_of(annotation: dict[str, Any]) -> str | None:
    attributes = annotation.get("attributes") or {}
    value = annotation.get("colour") or attributes.get("colour") or attributes.get("color")
    return str(value) if value else None


class CocoDataset(Dataset[tuple[Tensor, dict[str, Tensor]]]):
    """Pictures and targets ``{"boxes": [N, 4] xyxy, "labels": [N]}`` from a COCO JSON file."""

    def __init__(
        self,
        annotations: Path,
        images: Path,
        *,
        classes: tuple[str, ...] | None = None,
        transforms: v2.Compose | None = None,
    ) -> None:
        try:
            data = json.loads(Path(annotations).read_text())
            categories = sorted(data["categories"], key=lambda c: c["id"])
            image_rows = data["images"]
            annotation_rows = data.get("annotations", [])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DatasetError(f"cannot read COCO annotations {annotations}: {exc}") from exc
        names = [canonical_class_name(c["name"]) for c in categories]
        self.classes: tuple[str, ...] = tuple(classes) if classes is not None else tuple(names)
        unknown = sorted(set(names) - set(self.classes))
        if unknown:
            raise DatasetError(
                f"{annotations} has categories {unknown} that are not among the model's classes "
                f"{list(self.classes)}"
            )
        label_of = {
            c["id"]: self.classes.index(n) + 1 for c, n in zip(categories, names, strict=True)
        }
        self.info: dict[str, Any] = dict(data.get("info") or {})
        self.annotations = Path(annotations)
        by_image: dict[int, list[GroundTruth]] = {int(row["id"]): [] for row in image_rows}
        for row in annotation_rows:
            x, y, w, h = (float(v) for v in row["bbox"])
            if w <= 0 or h <= 0:
                continue
            by_image.setdefault(int(row["image_id"]), []).append(
                GroundTruth(
                    (x, y, x + w, y + h),
                    label_of[row["category_id"]],
                    float(row.get("area") or w * h),
                    bool(row.get("iscrowd", 0)),
                    _colour_of(row),
                )
            )
        self.images = [
            CocoImage(
                int(row["id"]),
                Path(images) / row["file_name"],
                int(row.get("width") or 0),
                int(row.get("height") or 0),
                tuple(by_image.get(int(row["id"]), [])),
            )
            for row in image_rows
        ]
        self.transforms = transforms

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[Tensor, dict[str, Tensor]]:
        """A float ``[3, H, W]`` picture in [0, 1] (after the transforms) and its target."""
        item = self.images[index]
        try:
            with Image.open(item.path) as image:
                picture = tv_tensors.Image(v2.functional.pil_to_tensor(image.convert("RGB")))
        except (OSError, ValueError) as exc:
            raise DatasetError(f"cannot read picture {item.path}: {exc}") from exc
        kept = [o for o in item.objects if not o.iscrowd]
        height, width = picture.shape[-2:]
        xyxy = torch.tensor([o.box for o in kept], dtype=torch.float32).reshape(-1, 4)
        # an annotation running past the picture is cut at its edge (the transforms' Sanitize
        # would drop it whole); one wholly outside is left out
        xyxy[:, 0::2] = xyxy[:, 0::2].clamp(0, width)
        xyxy[:, 1::2] = xyxy[:, 1::2].clamp(0, height)
        inside = (xyxy[:, 2] > xyxy[:, 0]) & (xyxy[:, 3] > xyxy[:, 1])
        target: dict[str, Any] = {
            "boxes": tv_tensors.BoundingBoxes(
                xyxy[inside], format="XYXY", canvas_size=(height, width)
            ),
            "labels": torch.tensor([o.label for o in kept], dtype=torch.int64)[inside],
        }
        if self.transforms is not None:
            picture, target = self.transforms(picture, target)
        else:
            picture = v2.functional.to_dtype(picture, torch.float32, scale=True)
        return picture.as_subclass(Tensor), {
            "boxes": target["boxes"].as_subclass(Tensor),
            "labels": target["labels"],
        }


def collate(
    batch: list[tuple[Tensor, dict[str, Tensor]]],
) -> tuple[list[Tensor], list[dict[str, Tensor]]]:
    """Lists of pictures and targets (SSD takes lists)."""
    return [b[0] for b in batch], [b[1] for b in batch]
