"""``trendminer detect`` runs the stage on the configured database and prints its counts."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.factories import make_post
from trendminer.cli.main import app
from trendminer.db.bulk import upsert_posts
from trendminer.records import MediaRecord
from trendminer.vision.checkpoint import CheckpointMeta, save_checkpoint
from trendminer.vision.classes import MODANET_CLASSES, with_background
from trendminer.vision.models import build_model


def test_detect_command(
    engine: Engine, trendminer_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    torch.set_num_threads(1)
    model = build_model("ssdlite", num_classes=len(with_background(MODANET_CLASSES)))
    checkpoint = save_checkpoint(
        trendminer_env / "d.pt", model, CheckpointMeta.for_model("ssdlite", MODANET_CLASSES)
    )
    picture = trendminer_env / "p.jpg"
    Image.fromarray(np.full((50, 40, 3), 90, np.uint8)).save(picture)
    post = replace(make_post(1), media=(MediaRecord(position=0, path=str(picture), status="ok"),))
    with engine.begin() as connection:
        upsert_posts(connection, [post])
    monkeypatch.setenv("TRENDMINER_DETECTOR_CHECKPOINT", str(checkpoint))
    monkeypatch.setenv("TRENDMINER_DETECTION_WORKERS", "0")
    monkeypatch.setenv("TRENDMINER_DETECTION_DEVICE", "cpu")
    first = CliRunner().invoke(app, ["detect"])
    assert first.exit_code == 0, first.output
    counts = json.loads(first.stdout.strip().splitlines()[-1])
    assert counts["pictures"] == 1
    assert counts["model_version"].startswith("ssdlite-")
    again = json.loads(CliRunner().invoke(app, ["detect"]).stdout.strip().splitlines()[-1])
    assert again["pictures"] == 0
