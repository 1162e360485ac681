"""A tiny COCO dataset of coloured rectangles on grey, written to a folder (for tests)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from trendminer.vision.classes import MODANET_CLASSES

PALETTE = {"Red": (200, 30, 35), "Blue": (35, 70, 195), "Yellow": (240, 215, 40)}


def write_shapes(folder: Path, count: int = 8, size: int = 96, seed: int = 0) -> Path:
    """``count`` JPEGs with one or two boxes each (class 'top' or 'pants'); returns the JSON."""
    rng = np.random.default_rng(seed)
    images, annotations = [], []
    folder.mkdir(parents=True, exist_ok=True)
    for image_id in range(1, count + 1):
        pixels = np.full((size, size, 3), 128, np.uint8)
        for _ in range(int(rng.integers(1, 3))):
            w, h = (int(v) for v in rng.integers(size // 4, size // 2, size=2))
            x, y = int(rng.integers(0, size - w)), int(rng.integers(0, size - h))
            colour = list(PALETTE)[int(rng.integers(len(PALETTE)))]
            category = 9 if w > h else 8  # top if wide, pants if tall
            pixels[y : y + h, x : x + w] = PALETTE[colour]
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": image_id,
                    "category_id": category,
                    "bbox": [x, y, w, h],
                    "area": w * h,
                    "iscrowd": 0,
                    "attributes": {"colour": colour},
                }
            )
        name = f"pic{image_id}.jpg"
        Image.fromarray(pixels).save(folder / name, quality=95)
        images.append({"id": image_id, "file_name": name, "width": size, "height": size})
    categories = [{"id": i + 1, "name": n} for i, n in enumerate(MODANET_CLASSES)]
    path = folder / "coco.json"
    path.write_text(
        json.dumps({"images": images, "annotations": annotations, "categories": categories})
    )
    return path
