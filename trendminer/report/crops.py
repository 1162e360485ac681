"""Garment crops for the report: detection boxes cut from the media store's pictures."""

from __future__ import annotations

import logging
from pathlib import Path

from PIL import Image

from trendminer.report.data import CropSource

logger = logging.getLogger(__name__)

CROP_SIZE = 160
_MARGIN = 0.08  # of the box's size, on each side, so the garment is seen in context


def picture_path(stored: str, media_root: str) -> Path:
    """A media row's path: absolute as stored, or relative to the media store."""
    path = Path(stored).expanduser()
    return path if path.is_absolute() else Path(media_root).expanduser() / path


def cut_crop(source: CropSource, media_root: str, out: Path) -> bool:
    """Save ``source``'s box (with a margin, at most CROP_SIZE pixels) as JPEG ``out``.

    A picture that is gone or unreadable is skipped (logged), never fatal to the report.
    """
    path = picture_path(source.path, media_root)
    try:
        with Image.open(path) as picture:
            width, height = picture.size
            x1, y1, x2, y2 = source.box
            dx, dy = (x2 - x1) * _MARGIN, (y2 - y1) * _MARGIN
            box = (
                max(0, int(x1 - dx)), max(0, int(y1 - dy)),
                min(width, int(x2 + dx + 0.5)), min(height, int(y2 + dy + 0.5)),
            )  # fmt: skip
            if box[2] - box[0] < 2 or box[3] - box[1] < 2:
                return False
            crop = picture.convert("RGB").crop(box)
    except (OSError, ValueError) as exc:
        logger.warning("no crop from %s: %s", path, exc)
        return False
    crop.thumbnail((CROP_SIZE, CROP_SIZE))
    crop.save(out, format="JPEG", quality=85)
    return True
