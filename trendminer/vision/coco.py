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


def _label_map(
    path: Path, categories: list[dict[str, Any]], classes: tuple[str, ...] | None
) -> tuple[tuple[str, ...], dict[Any, int]]:
    """The class list and the label (1-based) of each category id."""
    try:
        names = [canonical_class_name(str(c["name"])) for c in categories]
        ids = [c["id"] for c in categories]
    except (KeyError, TypeError) as exc:
        raise DatasetError(f"{path}: a category without id or name ({exc})") from exc
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DatasetError(f"{path} names categories {repeated} more than once")
    chosen = tuple(classes) if classes is not None else tuple(names)
    unknown = sorted(set(names) - set(chosen))
    if unknown:
        raise DatasetError(
            f"{path} has categories {unknown} that are not among the model's classes {list(chosen)}"
        )
    return chosen, {i: chosen.index(n) + 1 for i, n in zip(ids, names, strict=True)}


def _ground_truth(row: dict[str, Any], label_of: dict[Any, int]) -> tuple[int, GroundTruth]:
    """The picture id and the garment of one annotation row (KeyError/TypeError/ValueError)."""
    bbox = row["bbox"]
    if not isinstance(bbox, list) or len(bbox) != 4:
        raise ValueError(f"bbox {bbox!r} is not [x, y, width, height]")
    if row["category_id"] not in label_of:
        raise ValueError(f"category_id {row['category_id']!r} is not among the categories")
    x, y, w, h = (float(v) for v in bbox)
    truth = GroundTruth(
        (x, y, x + w, y + h),
        label_of[row["category_id"]],
        float(row.get("area") or w * h),
        bool(row.get("iscrowd", 0)),
        _colour_of(row),
    )
    return int(row["image_id"]), truth


def _row_error(path: Path, kind: str, index: int, row: object, exc: Exception) -> DatasetError:
    name = f"id {row.get('id')!r}" if isinstance(row, dict) else repr(row)[:60]
    reason = f"no {exc}" if isinstance(exc, KeyError) else str(exc)
    return DatasetError(f"{path}: {kind} {index} ({name}) is not valid: {reason}")


class CocoDataset(Dataset[tuple[Tensor, dict[str, Tensor]]]):
    """Pictures and targets ``{"boxes": [N, 4] xyxy, "labels": [N]}`` from a COCO JSON file.

    Raises :class:`DatasetError` for an unreadable file or a row that is not valid COCO."""

    def __init__(
        self,
        annotations: Path,
        images: Path,
        *,
        classes: tuple[str, ...] | None = None,
        transforms: v2.Compose | None = None,
    ) -> None:
        annotations = Path(annotations)
        try:
            data = json.loads(annotations.read_text())
            categories = sorted(data["categories"], key=lambda c: c["id"])
            image_rows = list(data["images"])
            annotation_rows = list(data.get("annotations") or [])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DatasetError(f"cannot read COCO annotations {annotations}: {exc}") from exc
        self.classes, label_of = _label_map(annotations, categories, classes)
        self.info: dict[str, Any] = dict(data.get("info") or {})
        self.annotations = annotations
        self.images: list[CocoImage] = []
        by_image: dict[int, list[GroundTruth]] = {}
        for index, row in enumerate(annotation_rows):
            try:
                image_id, truth = _ground_truth(row, label_of)
            except (KeyError, TypeError, ValueError) as exc:
                raise _row_error(annotations, "annotation", index, row, exc) from exc
            x1, y1, x2, y2 = truth.box
            if x2 > x1 and y2 > y1:
                by_image.setdefault(image_id, []).append(truth)
        for index, row in enumerate(image_rows):
            try:
                image_id = int(row["id"])
                self.images.append(
                    CocoImage(
                        image_id,
                        Path(images) / row["file_name"],
                        int(row.get("width") or 0),
                        int(row.get("height") or 0),
                        tuple(by_image.get(image_id, [])),
                    )
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise _row_error(annotations, "image", index, row, exc) from exc
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
