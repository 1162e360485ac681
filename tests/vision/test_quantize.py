"""Int8 inference: the calibration a checkpoint stores rebuilds the network it was made on; the
CPU runs calibrated checkpoints in int8 by default (the shipped one: tests/vision/test_shipped)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch.ao.quantization.quantize_fx import convert_fx
from typer.testing import CliRunner

from trendminer.cli.main import app
from trendminer.vision.checkpoint import (
    CheckpointMeta,
    load_checkpoint,
    read_meta,
    save_checkpoint,
    store_int8_calibration,
)
from trendminer.vision.classes import MODANET_CLASSES
from trendminer.vision.errors import CheckpointError
from trendminer.vision.fold import fold_batchnorm
from trendminer.vision.inference import Detector, uses_int8
from trendminer.vision.quantize import _prepared, calibrate, int8_network


def _batches(seed: int = 0) -> list[torch.Tensor]:
    """Two normalised pictures (SSDLite's input lies in [-1, 1])."""
    generator = torch.Generator().manual_seed(seed)
    return [torch.rand(2, 3, 320, 320, generator=generator) * 2 - 1]


@pytest.fixture(scope="module")
def ssdlite() -> torch.nn.Module:
    """The shipped network, folded as a Detector runs it (a trained network's activations
    are what calibration is for; a random one's grow without bound)."""
    return fold_batchnorm(load_checkpoint()[0])


@pytest.fixture
def calibration(ssdlite: torch.nn.Module) -> dict[str, Any]:
    """Made with the test's thread count: the float activations, and so the ranges chosen,
    depend on the order of their sums."""
    return calibrate(ssdlite, 320, _batches())


def test_stored_calibration_rebuilds_the_calibrated_network(
    ssdlite: torch.nn.Module, calibration: dict[str, Any]
) -> None:
    assert calibration["pictures"] == 2
    json.dumps(calibration)  # plain types: it lives in the checkpoint's metadata
    prepared = _prepared(ssdlite, 320)
    with torch.inference_mode():
        for batch in _batches():
            prepared(batch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = convert_fx(prepared)
    rebuilt = int8_network(ssdlite, 320, calibration)
    x = _batches(seed=1)[0]
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected, got = direct(x), rebuilt(x)
        regression, logits = (t.float() for t in got)
        float_logits = ssdlite.head(list(ssdlite.backbone(x).values()))["cls_logits"]
    for want, have in zip(expected, got, strict=True):
        assert torch.equal(want, have)
    assert regression.shape[-1] == 4
    assert logits.shape == float_logits.shape
    # int8 follows the float network closely.
    assert np.corrcoef(logits.flatten(), float_logits.flatten())[0, 1] > 0.95


def test_a_calibration_of_another_network_is_refused(
    ssdlite: torch.nn.Module, calibration: dict[str, Any]
) -> None:
    name = next(iter(calibration["observers"]))
    broken = {**calibration, "observers": {k: v for k, v in calibration["observers"].items()
                                           if k != name}}  # fmt: skip
    with pytest.raises(CheckpointError, match="trendminer calibrate"):
        int8_network(ssdlite, 320, broken)
    odd = {**calibration["observers"], name: [0.1, 0, "float8", "per_tensor_affine", 0, 127]}
    with pytest.raises(CheckpointError, match="trendminer calibrate"):
        int8_network(ssdlite, 320, {**calibration, "observers": odd})


def test_int8_is_the_cpu_default_for_calibrated_checkpoints_only() -> None:
    plain = CheckpointMeta.for_model("ssdlite", MODANET_CLASSES)
    calibrated = CheckpointMeta.from_dict({**plain.to_dict(), "int8": {"backend": "x86"}})
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    assert uses_int8("auto", cpu, calibrated)
    assert uses_int8("int8", cpu, calibrated)
    assert not uses_int8("auto", cpu, plain)
    assert not uses_int8("fp32", cpu, calibrated)
    assert not uses_int8("auto", cuda, calibrated)
    with pytest.raises(CheckpointError, match="no int8 calibration"):
        uses_int8("int8", cpu, plain)
    with pytest.raises(ValueError, match="x86 CPUs only"):
        uses_int8("int8", cuda, calibrated)


def test_cpus_without_x86_int8_kernels_run_in_float(monkeypatch: pytest.MonkeyPatch) -> None:
    calibrated = CheckpointMeta.from_dict(
        {**CheckpointMeta.for_model("ssdlite", MODANET_CLASSES).to_dict(), "int8": {"x": 1}}
    )
    monkeypatch.setattr("trendminer.vision.inference.int8_supported", lambda: False)
    assert not uses_int8("auto", torch.device("cpu"), calibrated)
    with pytest.raises(ValueError, match="x86 CPUs only"):
        uses_int8("int8", torch.device("cpu"), calibrated)


def test_calibrate_command_stores_the_calibration(shapes: Path, tmp_path: Path) -> None:
    model, meta = load_checkpoint()
    plain = save_checkpoint(
        tmp_path / "plain.pt", model, CheckpointMeta.from_dict({**meta.to_dict(), "int8": {}})
    )
    out = tmp_path / "calibrated.pt"
    result = CliRunner().invoke(
        app,
        ["calibrate", "--model", str(plain), "--coco", str(shapes),
         "--images", str(shapes.parent), "--pictures", "3", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["pictures"] == 3
    assert figures["observers"] > 50
    before, after = read_meta(plain), read_meta(out)
    assert not before.int8
    assert after.int8["pictures"] == 3
    assert after.version == before.version  # the weights are the same
    calibrated, calibrated_meta = load_checkpoint(out)
    assert Detector(calibrated, calibrated_meta, device="cpu").precision == "int8"
    # Storing again replaces the calibration; the weights stay as they were.
    again = store_int8_calibration(out, {**after.int8, "pictures": 5}, tmp_path / "again.pt")
    assert read_meta(again).int8["pictures"] == 5
    weights, stored = load_checkpoint(out)[0].state_dict(), load_checkpoint(again)[0].state_dict()
    assert all(torch.equal(weights[key], stored[key]) for key in weights)
