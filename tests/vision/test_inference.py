"""The batched pipeline: unreadable pictures, decoding in workers or on the device, and the same
detections as torchvision's SSD."""

from __future__ import annotations

import errno
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from trendminer.sources.sample.render import Garment, PictureSpec, draw_picture
from trendminer.vision import inference
from trendminer.vision.checkpoint import load_checkpoint
from trendminer.vision.inference import (
    UNREADABLE,
    Detector,
    Failure,
    PictureError,
    PictureFiles,
    Read,
    decode_picture,
    default_batch_size,
    default_decode_on_device,
    default_workers,
)


def _jpeg(path: Path, size: tuple[int, int] = (64, 48)) -> Path:
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(path)
    return path


def test_batch_defaults_follow_the_device(monkeypatch: pytest.MonkeyPatch) -> None:
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    assert (default_workers(cpu), default_batch_size(cpu)) == (0, 16)
    assert (default_decode_on_device(cpu), default_decode_on_device(cuda)) == (False, True)
    monkeypatch.setattr("os.cpu_count", lambda: 16)
    assert (default_workers(cuda), default_batch_size(cuda)) == (8, 128)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert default_workers(cuda) == 1


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


@pytest.mark.parametrize("code", [errno.EIO, errno.EACCES, errno.EMFILE])
def test_a_failing_disk_makes_a_picture_unreadable_not_corrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    good = _jpeg(tmp_path / "good.jpg")

    def failing(*args: object, **kwargs: object) -> None:
        raise OSError(code, "the system failed")

    monkeypatch.setattr(Image, "open", failing)
    failed = PictureFiles([(1, good)], draft_size=320)[0]
    assert isinstance(failed, Failure)
    assert failed.status == UNREADABLE


def test_a_decompression_bomb_is_a_failure_of_its_own_not_of_the_batch(tmp_path: Path) -> None:
    """A PNG header claiming 20,000 x 20,000 pixels: Pillow's guard raises an error that is no
    OSError; the picture is marked corrupt and the others are read."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 20_000, 20_000, 8, 2, 0, 0, 0)
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))  # fmt: skip
    files = PictureFiles([(1, bomb), (2, _jpeg(tmp_path / "good.jpg"))], draft_size=320)
    failed, read = files[0], files[1]
    assert isinstance(failed, Failure)
    assert failed.status == "corrupt"
    assert isinstance(read, Read)


@pytest.mark.parametrize("chunk", [4096, 60], ids=["one-call", "chunked"])
def test_batched_postprocess_matches_torchvision(
    random_checkpoint: Path, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Our batched decode + NMS keeps what torchvision's per-picture postprocess keeps, in one
    NMS call or in calls of a few pictures (or one picture over the chunk) each."""
    monkeypatch.setattr("trendminer.vision.inference.NMS_CHUNK", chunk)
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
    logits[1, :, 0] += 4  # the middle picture keeps few boxes: pictures of unequal counts
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


def _damaged_scan(source: Path, path: Path) -> Path:
    """A JPEG whose header parses but whose scan header is bogus (its decoding fails)."""
    data = bytearray(source.read_bytes())
    scan = data.find(b"\xff\xda")
    data[scan + 2 : scan + 4] = b"\x00\x40"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("on_device", [False, True], ids=["workers", "device"])
def test_detect_files_marks_failures_and_goes_on(
    random_checkpoint: Path, tmp_path: Path, on_device: bool
) -> None:
    model, meta = load_checkpoint(random_checkpoint)
    detector = Detector(
        model, meta, device="cpu", precision="fp32", score_threshold=0.0, decode_on_device=on_device
    )
    good = _jpeg(tmp_path / "a.jpg")
    _jpeg(tmp_path / "b.jpg", (90, 120))
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8\xff garbage")
    _damaged_scan(good, tmp_path / "scan.jpg")
    (tmp_path / "truncated.jpg").write_bytes(good.read_bytes()[:-300])
    names = ["a.jpg", "bad.jpg", "b.jpg", "scan.jpg", "truncated.jpg", "absent.jpg"]
    items = [(key, tmp_path / name) for key, name in enumerate(names, start=1)]
    for batch_size in (2, 8):  # with 8, one batch: the device decodes it picture by picture
        outputs = list(detector.detect_files(items, batch_size=batch_size))
        found = {k: v for o in outputs for k, v in o.detections.items()}
        failures = sorted((f.key, f.status) for o in outputs for f in o.failures)
        assert sorted(found) == [1, 3]
        assert failures == [(2, "corrupt"), (4, "corrupt"), (5, "corrupt"), (6, "missing")]
        for detection in found[3]:
            x1, y1, x2, y2 = detection.box
            assert 0 <= x1 <= x2 <= 90
            assert 0 <= y1 <= y2 <= 120
            assert detection.colour is not None


def test_a_jpeg_the_device_decoder_refuses_is_decoded_on_the_cpu(
    random_checkpoint: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """nvJPEG refuses some JPEGs that libjpeg-turbo reads: such a picture is detected, not
    marked corrupt; a truly broken one still is."""
    model, meta = load_checkpoint(random_checkpoint)
    detector = Detector(model, meta, device="cpu", precision="fp32", decode_on_device=True)
    good = _jpeg(tmp_path / "a.jpg")
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8\xff garbage" + b"\xff\xd9")
    cpu_decode = inference.decode_jpeg

    def device_decoder(data: object, **kw: object) -> object:
        if "device" in kw:
            raise RuntimeError("nvjpeg: unsupported JPEG")
        return cpu_decode(data, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(inference, "decode_jpeg", device_decoder)
    [batch] = list(detector.loader([(1, good), (2, tmp_path / "bad.jpg")], batch_size=2))
    keys, sizes, pixels, failures = detector.unpack(batch)
    expected, _ = decode_picture(good)
    assert (keys, sizes) == ([1], [tuple(expected.shape[1:])])
    assert torch.equal(pixels[0], expected)
    assert [(f.key, f.status) for f in failures] == [(2, "corrupt")]


def test_decoding_on_the_device_finds_what_the_workers_find(tmp_path: Path) -> None:
    outfit = (Garment("pants", "Blue"), Garment("top", "Red"), Garment("bag", "Yellow"))
    picture, _ = draw_picture(PictureSpec(320, 400, 77, (outfit,)))
    picture.save(tmp_path / "outfit.jpg", quality=90)
    model, meta = load_checkpoint()
    found = []
    for on_device in (False, True):
        detector = Detector(model, meta, device="cpu", precision="fp32", decode_on_device=on_device)
        [output] = detector.detect_files([(1, tmp_path / "outfit.jpg")], batch_size=1)
        found.append(output.detections[1])
    workers, device = found
    assert [d.class_name for d in workers] == [d.class_name for d in device]
    assert {d.class_name for d in workers} >= {"pants", "top"}
    for a, b in zip(workers, device, strict=True):
        assert a.box == pytest.approx(b.box, abs=2.0)
        assert a.score == pytest.approx(b.score, abs=0.02)


def test_prepare_resizes_each_picture_as_alone(random_checkpoint: Path) -> None:
    """Grouped by size (one already the input size, two sharing one), the batch holds what
    resizing each picture on its own in floats gives, to within the uint8 rounding."""
    model, meta = load_checkpoint(random_checkpoint)
    detector = Detector(model, meta, device="cpu", precision="fp32")
    size = detector.size
    rng = np.random.default_rng(3)
    shapes = [(400, 320), (size, size), (400, 320), (90, 120)]
    pictures = [
        torch.from_numpy(rng.integers(0, 256, (3, h, w), dtype=np.uint8)) for h, w in shapes
    ]
    batch = detector.prepare(pictures)
    assert batch.shape == (4, 3, size, size)
    assert batch.is_contiguous(memory_format=torch.channels_last)
    for picture, prepared in zip(pictures, batch, strict=True):
        alone = torch.nn.functional.interpolate(
            picture[None].float(), size=(size, size), mode="bilinear", align_corners=False
        )[0]
        assert torch.allclose(prepared, alone / 255, atol=1.01 / 255)
    assert torch.equal(batch[1], pictures[1].float() / 255)
    same = detector.prepare([pictures[1], pictures[1]])  # one group, nothing to resize
    assert torch.allclose(same, pictures[1].float()[None] / 255, atol=1e-7)


def test_candidates_cap_keeps_the_best_pairs(random_checkpoint: Path) -> None:
    """With more (anchor, class) pairs above the threshold than ``candidates``, only the best
    ``candidates`` of each picture go to NMS; the best of all always survives it."""
    model, meta = load_checkpoint(random_checkpoint)
    detector = Detector(
        model, meta, device="cpu", precision="fp32", score_threshold=0.2, candidates=5
    )
    torch.manual_seed(2)
    anchors = len(detector.anchors)
    logits = torch.randn(2, anchors, len(meta.classes) + 1) * 2
    picture, _, scores, _ = detector.decode(torch.randn(2, anchors, 4), logits)
    probabilities = torch.softmax(logits, dim=-1)[..., 1:].reshape(2, -1)
    for index in range(2):
        mine = scores[picture == index]
        best = probabilities[index].topk(5).values
        assert 1 <= len(mine) <= 5
        assert float(mine[0]) == pytest.approx(float(best[0]), abs=1e-6)
        assert all(any(abs(float(s) - float(b)) < 1e-6 for b in best) for s in mine)


def test_large_jpegs_are_read_once_and_drafted(random_checkpoint: Path, tmp_path: Path) -> None:
    """A JPEG that draft mode shrinks goes through PIL from the bytes already read: the same
    pixels as decoding the file, at the drafted size."""
    model, meta = load_checkpoint(random_checkpoint)
    detector = Detector(model, meta, device="cpu", precision="fp32")
    assert not detector.decode_on_device  # the CPU default
    big = _jpeg(tmp_path / "big.jpg", (4 * detector.size, 3 * detector.size))
    [batch] = list(detector.loader([(1, big)], batch_size=1))
    _, sizes, [pixels], failures = detector.unpack(batch)
    expected, _ = decode_picture(big, draft_size=detector.size)
    assert (failures, sizes) == ([], [(3 * detector.size, 4 * detector.size)])
    assert pixels.shape[1] < 3 * detector.size
    assert torch.equal(pixels, expected)
