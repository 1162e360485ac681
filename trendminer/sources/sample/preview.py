"""Contact sheet: a grid of a world's pictures with their COCO boxes, classes and colours drawn."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image, ImageDraw

from trendminer.sources.sample.render import CLASSES, COLOURS
from trendminer.sources.sample.scenario import ScenarioError

_TILE = 320
_COLUMNS = 6


def contact_sheet(world: Path, out: Path, *, count: int = 24, split: str = "val") -> Path:
    """Writes a PNG grid of the first ``count`` pictures of ``split`` to ``out``; returns it."""
    coco_file = world / "truth" / f"coco_{split}.json"
    if not coco_file.is_file():
        raise ScenarioError(
            f"{coco_file} does not exist; give a folder written by 'trendminer sample generate' "
            "and a split of train, val or test."
        )
    coco = json.loads(coco_file.read_text())
    images = coco["images"][: max(1, count)]
    by_image: dict[int, list[dict]] = {}
    for annotation in coco["annotations"]:
        by_image.setdefault(annotation["image_id"], []).append(annotation)
    rows = (len(images) + _COLUMNS - 1) // _COLUMNS
    sheet = Image.new("RGB", (_COLUMNS * _TILE, rows * (_TILE * 5 // 4)), "white")
    for index, image in enumerate(images):
        picture = Image.open(world / image["file_name"]).convert("RGB")
        draw = ImageDraw.Draw(picture)
        for annotation in by_image.get(image["id"], []):
            x, y, w, h = annotation["bbox"]
            colour = annotation["attributes"]["colour"]
            edge = (255, 0, 255) if colour not in COLOURS else (255, 40, 40)
            draw.rectangle([x, y, x + w - 1, y + h - 1], outline=edge)
            label = f"{CLASSES[annotation['category_id'] - 1]}:{colour[:5]}"
            draw.text((x + 2, y + 1), label, fill=(0, 0, 0))
            draw.text((x + 1, y), label, fill=(255, 255, 255))
        picture.thumbnail((_TILE, _TILE * 5 // 4))
        sheet.paste(picture, ((index % _COLUMNS) * _TILE, (index // _COLUMNS) * (_TILE * 5 // 4)))
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out)
    return out
