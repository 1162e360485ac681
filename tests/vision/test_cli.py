"""``trendminer evaluate`` prints the tables and, last, one JSON object with mAP; ``train``
refuses bad options with a one-line error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trendminer.cli.main import app
from trendminer.vision.classes import MODANET_CLASSES


def test_evaluate_prints_tables_then_json(shapes: Path, random_checkpoint: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "evaluate",
            "--model",
            str(random_checkpoint),
            "--coco",
            str(shapes),
            "--images",
            str(shapes.parent),
            "--device",
            "cpu",
            "--precision",
            "fp32",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    assert 0.0 <= figures["mAP"] < 0.5  # an untrained model
    assert tuple(figures["per_class_AP"]) == MODANET_CLASSES
    # the shapes set has tops and pants only: the other classes have no AP
    assert {c for c, ap in figures["per_class_AP"].items() if ap is not None} == {"top", "pants"}
    assert figures["model_version"].startswith("ssdlite-")
    assert any(line.startswith("Average precision") for line in lines)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--preset", "quick"], "unknown preset"),
        (["--min-ratio", "1.5"], "min_ratio must lie in"),
        (["--model", "yolo"], "unknown detector architecture"),
    ],
)
def test_train_rejects_bad_options_in_one_line(
    shapes: Path, tmp_path: Path, option: list[str], message: str
) -> None:
    result = CliRunner().invoke(
        app,
        ["train", "--model", "ssdlite", "--coco", str(shapes), "--images", str(shapes.parent),
         "--out", str(tmp_path / "run"), "--epochs", "1", "--iterations", "1", "--workers", "0",
         "--device", "cpu", *option],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
