"""COCO files: categories in our spelling, and a row that is not valid COCO fails naming it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from trendminer.cli.main import app
from trendminer.vision.coco import CocoDataset
from trendminer.vision.errors import DatasetError

CATEGORIES = [{"id": 5, "name": "top"}, {"id": 2, "name": "bag"}]
IMAGE = {"id": 0, "file_name": "0.jpg"}
ANNOTATION = {"id": 7, "image_id": 0, "category_id": 5, "bbox": [1, 1, 10, 10]}


def _write(folder: Path, **rows: Any) -> Path:
    data = {"categories": CATEGORIES, "images": [IMAGE], "annotations": [ANNOTATION], **rows}
    path = folder / "coco.json"
    path.write_text(json.dumps(data))
    return path


def test_labels_follow_the_category_ids(tmp_path: Path) -> None:
    dataset = CocoDataset(_write(tmp_path), tmp_path)
    assert dataset.classes == ("bag", "top")
    assert [o.label for o in dataset.images[0].objects] == [2]


def _without(key: str) -> dict[str, Any]:
    return {"annotations": [{k: v for k, v in ANNOTATION.items() if k != key}]}


TOPS = [{"id": 1, "name": "top"}, {"id": 5, "name": " Top"}]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"annotations": [{**ANNOTATION, "category_id": 9}]}, r"annotation 0 \(id 7\).*id 9"),
        (_without("bbox"), "annotation 0.*bbox"),
        ({"annotations": [{**ANNOTATION, "bbox": None}]}, "annotation 0.*bbox None"),
        (_without("image_id"), "annotation 0.*image_id"),
        ({"images": [{"id": 0}]}, r"image 0 \(id 0\).*file_name"),
        ({"images": [{"id": "a", "file_name": "0.jpg"}]}, r"image 0 \(id 'a'\)"),
        ({"categories": TOPS}, r"\['top'\] more than once"),
    ],
)
def test_a_row_that_is_not_valid_coco_is_named(
    tmp_path: Path, rows: dict[str, Any], message: str
) -> None:
    with pytest.raises(DatasetError, match=message):
        CocoDataset(_write(tmp_path, **rows), tmp_path)


def test_evaluate_reports_a_bad_row_in_one_line(tmp_path: Path, random_checkpoint: Path) -> None:
    path = _write(tmp_path, annotations=[{**ANNOTATION, "bbox": None}])
    result = CliRunner().invoke(
        app, ["evaluate", "--model", str(random_checkpoint), "--coco", str(path), "--images",
              str(tmp_path), "--device", "cpu", "--precision", "fp32"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "annotation 0 (id 7)" in result.output
    assert "Traceback" not in result.output
