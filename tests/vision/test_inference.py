"""The batched pipeline: unreadable pictures, and the same detections as torchvision's SSD."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from trendminer.vision.checkpoint import load_checkpoint
from trendminer.vision.inference import Detector, PictureError, decode_picture


def _jpeg(path: Path, size: tuple[int, int] = (64, 48)) -> Path:
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(path)
    return path


def test_unreadable_pictures_are_reported(tmp_path: Path) -> None:
    good = _jpeg(tmp_path / "good.jpg")
    pixels, size = decode_picture(good)
    assert (pixels.dtype, tuple(pixels.shape), size) == (torch.uint8, (3, 48, 64), (48, 64))
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "text.jpg").write_text("this is not a picture")
    (tmp_path / "truncated.jpg").write_bytes(good.read_bytes()[:300])
    cases = {
        "empty.jpg": "corrupt",
        "text.jpg": "corrupt",
        "truncated.jpg": "corrupt",
        "absent.jpg": "missing",
    }
    for name, status in cases.items():
        with pytest.raises(PictureError) as caught:
            decode_picture(tmp_path / name)
        assert caught.value.status == status, name
    with pytest.raises(PictureError, match="pixel limit") as caught:
        decode_picture(good, max_pixels=64 * 48 - 1)  # a bomb: more pixels than allowed
    assert caught.value.status == "corrupt"


def test_batched_postprocess_matches_torchvision(random_checkpoint: Path) -> None:
    """Our batched decode + NMS keeps what torchvision's per-picture postprocess keeps."""
    model, meta = load_checkpoint(random_checkpoint)
    detector = Detector(
        model,
        meta,
        device="cpu",
        precision="fp32",
        score_threshold=0.2,
        max_detections=100_000,
        candidates=100_000,
    )
    anchors = len(detector.anchors)
    torch.manual_seed(1)
    regression = torch.randn(3, anchors, 4)
    logits = torch.randn(3, anchors, len(meta.classes) + 1) * 2
    picture, boxes, scores, labels = detector.decode(regression, logits)
    model.score_thresh, model.topk_candidates, model.detections_per_img = 0.2, 100_000, 100_000
    with torch.no_grad():
        expected = model.postprocess_detections(
            {"bbox_regression": regression, "cls_logits": logits},
            [detector.anchors] * 3,
            [(320, 320)] * 3,
        )
    assert len(picture) > 100
    for index, reference in enumerate(expected):
        mine = picture == index
        assert int(mine.sum()) == len(reference["scores"])
        ours = sorted(zip(*(t[mine].tolist() for t in (scores, labels, boxes)), strict=True))
        theirs = sorted(
            zip(*(reference[k].tolist() for k in ("scores", "labels", "boxes")), strict=True)
        )
        for (s1, l1, b1), (s2, l2, b2) in zip(ours, theirs, strict=True):
            assert (s1, l1) == (pytest.approx(s2, abs=1e-6), l2)
            assert b1 == pytest.approx(b2, abs=1e-3)


def test_detect_files_marks_failures_and_goes_on(random_checkpoint: Path, tmp_path: Path) -> None:
    model, meta = load_checkpoint(random_checkpoint)
    detector = Detector(model, meta, device="cpu", precision="fp32", score_threshold=0.0)
    _jpeg(tmp_path / "a.jpg")
    _jpeg(tmp_path / "b.jpg", (90, 120))
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8\xff garbage")
    items = [(1, tmp_path / "a.jpg"), (2, tmp_path / "bad.jpg"), (3, tmp_path / "b.jpg")]
    outputs = list(detector.detect_files(items, batch_size=2))
    found = {k: v for o in outputs for k, v in o.detections.items()}
    failures = [f for o in outputs for f in o.failures]
    assert sorted(found) == [1, 3]
    assert [(f.key, f.status) for f in failures] == [(2, "corrupt")]
    for detection in found[3]:
        x1, y1, x2, y2 = detection.box
        assert 0 <= x1 <= x2 <= 90
        assert 0 <= y1 <= y2 <= 120
        assert detection.colour is not None
