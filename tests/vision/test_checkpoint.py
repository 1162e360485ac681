"""Checkpoints carry their metadata; loading checks it and fails clearly on a mismatch."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import torch

from trendminer.vision.checkpoint import (
    CheckpointMeta,
    load_checkpoint,
    read_meta,
    save_checkpoint,
)
from trendminer.vision.classes import MODANET_CLASSES
from trendminer.vision.errors import CheckpointError


def test_round_trip_keeps_metadata_and_weights(random_checkpoint: Path) -> None:
    model, meta = load_checkpoint(random_checkpoint)
    assert meta.architecture == "ssdlite"
    assert meta.classes == MODANET_CLASSES
    assert (meta.input_size, meta.channel_order) == (320, "RGB")
    assert meta.training_data == {"test": True}
    assert meta.version.startswith("ssdlite-")
    assert len(meta.version) == len("ssdlite-") + 12
    assert next(model.parameters()).dtype == torch.float32
    again = save_checkpoint(random_checkpoint.with_name("again.pt"), model, meta, half=True)
    assert read_meta(again).version == meta.version  # same weights, same version


def test_version_changes_with_the_weights(random_checkpoint: Path, tmp_path: Path) -> None:
    model, meta = load_checkpoint(random_checkpoint)
    with torch.no_grad():
        next(model.parameters()).add_(1.0)
    changed = save_checkpoint(tmp_path / "changed.pt", model, meta, half=True)
    assert read_meta(changed).version != meta.version


def test_version_changes_with_the_options_and_classes_the_weights_detect_with(
    random_checkpoint: Path, tmp_path: Path
) -> None:
    """Same weights, other default boxes (SSDLite's min_ratio) or class names: other
    detections, so another version the trend tables keep apart."""
    model, meta = load_checkpoint(random_checkpoint)
    boxes = dataclasses.replace(meta, options={**meta.options, "min_ratio": 0.1})
    renamed = dataclasses.replace(meta, classes=tuple(reversed(meta.classes)))
    versions = {
        read_meta(save_checkpoint(tmp_path / f"{i}.pt", model, m, half=True)).version
        for i, m in enumerate((meta, boxes, renamed))
    }
    assert len(versions) == 3


def test_mismatches_fail_clearly(random_checkpoint: Path, tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="classes"):
        load_checkpoint(random_checkpoint, classes=("top", "pants"))
    with pytest.raises(CheckpointError, match="not 'ssd300'"):
        load_checkpoint(random_checkpoint, architecture_name="ssd300")

    payload = torch.load(random_checkpoint, weights_only=True)
    payload["meta"]["mean"] = [123.0, 117.0, 104.0]
    torch.save(payload, tmp_path / "wrong_mean.pt")
    with pytest.raises(CheckpointError, match="does not match"):
        load_checkpoint(tmp_path / "wrong_mean.pt")

    payload["meta"] = CheckpointMeta.for_model("ssdlite", ("top",)).to_dict()
    torch.save(payload, tmp_path / "wrong_classes.pt")
    with pytest.raises(CheckpointError, match="weights do not fit"):
        load_checkpoint(tmp_path / "wrong_classes.pt")

    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="cannot read"):
        load_checkpoint(tmp_path / "junk.pt")
    with pytest.raises(CheckpointError, match="no detector checkpoint"):
        load_checkpoint(tmp_path / "absent.pt")


@pytest.mark.parametrize("drop", ["meta", "state_dict"])
def test_a_payload_without_its_parts_fails_clearly(
    random_checkpoint: Path, tmp_path: Path, drop: str
) -> None:
    payload = torch.load(random_checkpoint, weights_only=True)
    del payload[drop]
    torch.save(payload, tmp_path / "part.pt")
    with pytest.raises(CheckpointError, match="lacks its metadata or weights"):
        load_checkpoint(tmp_path / "part.pt")


def test_a_bad_option_value_fails_clearly(random_checkpoint: Path, tmp_path: Path) -> None:
    payload = torch.load(random_checkpoint, weights_only=True)
    payload["meta"]["options"] = {"min_ratio": "x"}
    torch.save(payload, tmp_path / "bad_option.pt")
    with pytest.raises(CheckpointError, match="options"):
        load_checkpoint(tmp_path / "bad_option.pt")
