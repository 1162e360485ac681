"""Detect benchmark: the batched pipeline against a per-picture loop, and against the bare model.

    python benchmarks/detect.py [--quick] [--device cpu|cuda] [--model ssdlite|ssd300|ffssd|CKPT]
        [--pictures N] [--batch-size N] [--workers N] [--precision P] [--stages] [--no-prior]
        [--device-decode] [--no-int8]

The same JPEG pictures (street-scene-sized, 320x400, drawn with coloured shapes) are written
into a temporary folder; then, side by side on one device, with the same precision (bf16/fp16
autocast where the device has it; int8 is measured on its own, below) and the model in
channels-last memory format:

- ``loop_img_s``: per picture, PIL decode and torchvision's ``SSD.forward`` of the model as
  built (its per-picture transform and Python post-processing, with the pipeline's score
  threshold), one at a time;
- ``pipeline_img_s``: ``Detector.detect_files`` with the detect stage's decoding workers for the
  device (on the CPU: none, batches of 16, as the stage; on CUDA: DataLoader workers, batches of
  256, twice the stage's default of 128, as the H100 figures were taken), batched
  resize, normalise, the network with its batch norms folded, batched box decoding and
  NMS, and colours, which the loop does not compute;
- ``model_img_s``: the pipeline's network alone (backbone and heads, batch norms folded) on
  batches already on the device.

``batched_vs_loop`` = pipeline / loop (goal >= 1.5 on the CPU); ``pipeline_vs_model`` =
pipeline / model-only (what the data path costs; 1.0 means free). Two diagnostics:
``loader_img_s``, the loader alone (its decoding in the workers), and
``detections_per_picture`` (each detection costs NMS work, a colour and a Python object);
``--stages`` adds ``stages``, the share of a run's time in each stage of the pipeline
(:func:`stage_shares`). The pipeline runs with the JPEGs decoded in the workers; on CUDA (or with
``--device-decode``) it runs a second time with them decoded on the device (nvJPEG, the CUDA
default), the workers only reading the files: ``device_decode_img_s`` and
``device_decode_vs_model``. On the CPU, with a checkpoint that carries an int8 calibration
(``trendminer calibrate``; the shipped one does), the pipeline and the network run again in int8,
the CPU default for such checkpoints: ``int8_img_s``, ``int8_model_img_s`` and ``int8_vs_float``
(int8 pipeline / float pipeline; ``--no-int8`` skips them). Without ``--model`` the shipped
checkpoint is used (a random SSDLite if there is none). An untrained architecture gets the usual
background prior on its class biases (:func:`background_prior`), so that it keeps a trained
detector's handful of boxes a picture, not 100 (``--no-prior`` measures that case). The last line
is one JSON object. ``--quick``: 64 pictures on the CPU (the loop times 32 of them), 2,048 on
CUDA; else 800 and 8,192.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageDraw
from torch import nn
from torchvision.models.detection.ssd import SSD

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._support import emit
from trendminer.vision.checkpoint import CheckpointMeta, load_checkpoint, shipped_checkpoint
from trendminer.vision.classes import MODANET_CLASSES, with_background
from trendminer.vision.inference import (
    Detector,
    decode_picture,
    default_batch_size,
    default_workers,
    resolve_precision,
)
from trendminer.vision.models import ARCHITECTURES, build_model


def write_pictures(folder: Path, count: int, seed: int = 0) -> list[Path]:
    """``count`` 320x400 JPEGs of coloured shapes on a muted background."""
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(count):
        image = Image.new("RGB", (320, 400), tuple(int(v) for v in rng.integers(90, 200, 3)))
        draw = ImageDraw.Draw(image)
        for _ in range(6):
            x, y = int(rng.integers(0, 260)), int(rng.integers(0, 340))
            w, h = int(rng.integers(20, 120)), int(rng.integers(20, 160))
            draw.rectangle(
                [x, y, x + w, y + h], fill=tuple(int(v) for v in rng.integers(0, 255, 3))
            )
        path = folder / f"picture{i:05d}.jpg"
        image.save(path, quality=88)
        paths.append(path)
    return paths


BACKGROUND_PRIOR = 0.999
"""The background probability an untrained model's class biases start from (RetinaNet's prior
initialisation, Lin et al. 2017)."""


def background_prior(model: SSD, probability: float = BACKGROUND_PRIOR) -> None:
    """Set the class-logit biases so that every default box starts at ``probability`` of
    background and the rest spread over the garment classes. Untrained, the VGG SSD300 keeps
    the maximum 100 boxes of every picture; with this prior about 11 (FFSSD about 3), the order
    of a trained detector's (7 a picture on the Sample world)."""
    head = model.head.classification_head
    columns = head.num_columns
    for module in head.module_list:
        conv = [m for m in module.modules() if isinstance(m, nn.Conv2d)][-1]
        assert conv.bias is not None
        with torch.no_grad():
            conv.bias.view(-1, columns)[:, 0] = math.log(
                probability * (columns - 1) / (1 - probability)
            )


def load_model(name: str | None, *, prior: bool = True) -> tuple[SSD, CheckpointMeta]:
    """A checkpoint (path, or the shipped one) or a randomly initialised architecture (with the
    background prior unless ``prior`` is false)."""
    if name in ARCHITECTURES:
        torch.manual_seed(0)
        model = build_model(name, num_classes=len(with_background(MODANET_CLASSES)))
        if prior:
            background_prior(model)
        return model.eval(), CheckpointMeta.for_model(name, MODANET_CLASSES)
    if name is None and not shipped_checkpoint().exists():
        return load_model("ssdlite", prior=prior)
    return load_checkpoint(Path(name) if name else None)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_loop(detector: Detector, model: SSD, paths: list[Path]) -> float:
    """Pictures per second of a per-picture loop through torchvision's own forward of
    ``model`` as built (the pipeline runs a copy with its batch norms folded)."""
    device = detector.device
    model = model.eval().to(device, memory_format=torch.channels_last)
    # The same score threshold and detection cap as the pipeline (torchvision's defaults keep
    # far more candidates, which would flatter the pipeline).
    model.score_thresh, model.detections_per_img = detector.score_threshold, detector.max_detections
    started = time.perf_counter()
    with torch.inference_mode(), detector.autocast():
        for path in paths:
            pixels, _ = decode_picture(path)
            picture = pixels.to(device).float().div_(255)
            model([picture])
    _sync(device)
    return len(paths) / (time.perf_counter() - started)


def time_pipeline(
    detector: Detector, paths: list[Path], batch: int, workers: int
) -> tuple[float, float]:
    """Pictures per second of the whole batched pipeline (decode to detections and colours),
    and the detections per picture (a random model finds far more than a trained one, and each
    costs a colour and a Python object)."""
    items = list(enumerate(paths))
    pictures = found = 0
    started = time.perf_counter()
    for out in detector.detect_files(items, batch_size=batch, workers=workers):
        pictures += len(out.detections)
        found += sum(len(dets) for dets in out.detections.values())
    _sync(detector.device)
    return pictures / (time.perf_counter() - started), found / max(1, pictures)


def time_loader(detector: Detector, paths: list[Path], batch: int, workers: int) -> float:
    """Pictures per second of the pipeline's loader alone (its decoding)."""
    started = time.perf_counter()
    batches = detector.loader(list(enumerate(paths)), batch_size=batch, workers=workers)
    done = sum(len(loaded) for loaded in batches)
    return done / (time.perf_counter() - started)


STAGES = ("unpack", "prepare", "forward", "decode", "_finish")


def stage_shares(
    detector: Detector, paths: list[Path], batch: int, workers: int
) -> dict[str, float]:
    """Shares of a pipeline run's wall time spent in each stage of ``Detector`` (a diagnostic:
    the device is synchronised around each stage, so nothing overlaps). ``finish_rest`` is
    ``_finish`` less ``decode`` (colours and the Python detections); ``other`` the rest, mostly
    waiting for the loader."""
    spent = dict.fromkeys(STAGES, 0.0)

    def timed(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            _sync(detector.device)
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                _sync(detector.device)
                spent[name] += time.perf_counter() - started

        return run

    for name in STAGES:
        setattr(detector, name, timed(name, getattr(detector, name)))
    try:
        started = time.perf_counter()
        time_pipeline(detector, paths, batch, workers)
        total = time.perf_counter() - started
    finally:
        for name in STAGES:
            delattr(detector, name)
    shares = {name: spent[name] / total for name in STAGES[:-1]}
    shares["finish_rest"] = (spent["_finish"] - spent["decode"]) / total
    shares["other"] = 1 - sum(shares.values())
    return {name: round(share, 3) for name, share in shares.items()}


def time_model(detector: Detector, count: int, batch: int) -> float:
    """Pictures per second of the network alone on batches already on the device."""
    x = torch.rand(batch, 3, detector.size, detector.size, device=detector.device)
    rounds = max(1, count // batch)
    detector.forward(x)
    _sync(detector.device)
    started = time.perf_counter()
    for _ in range(rounds):
        detector.forward(x)
    _sync(detector.device)
    return rounds * batch / (time.perf_counter() - started)


def float_precision(precision: str, device: torch.device) -> str:
    """``precision`` with ``auto`` resolved to the device's float autocast (not int8)."""
    if precision != "auto":
        return precision
    names = {None: "fp32", torch.bfloat16: "bf16", torch.float16: "fp16"}
    return names[resolve_precision("auto", device)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="Fewer pictures (under a minute).")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N.")
    parser.add_argument("--model", default=None, help="ssdlite, ssd300, ffssd or a checkpoint.")
    parser.add_argument("--pictures", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--precision",
        default="auto",
        choices=("auto", "fp32", "bf16", "fp16"),
        help="The float runs: auto (the device's float autocast), fp32, bf16, fp16.",
    )
    parser.add_argument(
        "--int8",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Also time int8 (the CPU, a calibrated checkpoint).",
    )
    parser.add_argument(
        "--stages",
        action="store_true",
        help="Also time each stage of the pipeline (device decoding on CUDA), synchronised.",
    )
    parser.add_argument(
        "--no-prior",
        action="store_true",
        help="Leave an untrained model's class biases at zero (it keeps 100 boxes a picture).",
    )
    parser.add_argument(
        "--device-decode",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Also time the pipeline decoding JPEGs on the device (default: on CUDA only).",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    device = torch.device(args.device)
    cuda = device.type == "cuda"
    if not cuda:
        torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    count = args.pictures or (
        (2048 if args.quick else 8192) if cuda else (64 if args.quick else 800)
    )
    batch = args.batch_size or (256 if cuda else default_batch_size(device))
    workers = args.workers if args.workers is not None else default_workers(device)
    model, meta = load_model(args.model, prior=not args.no_prior)
    precision = float_precision(args.precision, device)
    detector = Detector(
        model, meta, device=device, precision=precision, score_threshold=0.4, decode_on_device=False
    )
    with tempfile.TemporaryDirectory(prefix="tm-detect-bench-") as tmp:
        paths = write_pictures(Path(tmp), count)
        warm = paths[: min(len(paths), batch)]
        time_pipeline(detector, warm, batch, 0)
        loop_paths = paths[:512] if cuda else paths[:32] if args.quick else paths
        loop = time_loop(detector, model, loop_paths)
        pipeline, per_picture = time_pipeline(detector, paths, batch, workers)
        loader = time_loader(detector, paths, batch, workers)
        bare = time_model(detector, count, batch)
        on_device = None
        staged = detector
        if cuda if args.device_decode is None else args.device_decode:
            decoding = Detector(
                model,
                meta,
                device=device,
                precision=precision,
                score_threshold=0.4,
                decode_on_device=True,
            )
            time_pipeline(decoding, warm, batch, 0)
            on_device, _ = time_pipeline(decoding, paths, batch, workers)
            staged = decoding
        stages = stage_shares(staged, paths, batch, workers) if args.stages else None
        int8 = None
        if args.int8 and not cuda and meta.int8:
            quantised = Detector(model, meta, device=device, precision="int8", score_threshold=0.4)
            time_pipeline(quantised, warm, batch, 0)
            int8 = (
                time_pipeline(quantised, paths, batch, workers)[0],
                time_model(quantised, count, batch),
            )
    figures: dict[str, object] = {
        "device": str(device),
        "model": meta.architecture,
        "precision": detector.precision,
        "pictures": count,
        "batch_size": batch,
        "workers": workers,
        "loop_img_s": round(loop, 2),
        "pipeline_img_s": round(pipeline, 2),
        "model_img_s": round(bare, 2),
        "loader_img_s": round(loader, 2),
        "detections_per_picture": round(per_picture, 1),
        "batched_vs_loop": round(pipeline / loop, 3),
        "pipeline_vs_model": round(pipeline / bare, 3),
    }
    if stages is not None:
        figures["stages"] = stages
    if on_device is not None:
        figures["device_decode_img_s"] = round(on_device, 2)
        figures["device_decode_vs_model"] = round(on_device / bare, 3)
    if int8 is not None:
        figures["int8_img_s"] = round(int8[0], 2)
        figures["int8_model_img_s"] = round(int8[1], 2)
        figures["int8_vs_float"] = round(int8[0] / pipeline, 3)
    for key, value in figures.items():
        print(f"{key:>18}: {value}")
    emit(figures)


if __name__ == "__main__":
    main()
