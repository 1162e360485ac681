"""One training epoch, one evaluation pass (as in torchvision's references/detection) and the
int8 calibration pass."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor
from torch.optim import Optimizer
from torchvision.models.detection.ssd import SSD
from tqdm import tqdm

from trendminer.vision.checkpoint import CheckpointMeta
from trendminer.vision.coco import CocoDataset
from trendminer.vision.errors import TrainingError
from trendminer.vision.evaluation import Prediction, Report, Truth, evaluate
from trendminer.vision.inference import Detector
from trendminer.vision.quantize import calibrate

Batch = tuple[list[Tensor], list[dict[str, Tensor]]]


@dataclass(frozen=True, slots=True)
class EpochStats:
    """Mean losses of an epoch, its size and speed."""

    loss: float
    bbox_regression: float
    classification: float
    iterations: int
    images: int
    seconds: float

    @property
    def images_per_s(self) -> float:
        """Training throughput."""
        return self.images / self.seconds if self.seconds > 0 else 0.0


def train_one_epoch(
    model: SSD,
    optimizer: Optimizer,
    batches: Iterator[Batch],
    *,
    iterations: int,
    device: torch.device,
    warmup: int = 0,
    bf16: bool = False,
    step_offset: int = 0,
    desc: str = "train",
    log: list[dict[str, float]] | None = None,
) -> EpochStats:
    """Run ``iterations`` SGD steps; raise :class:`TrainingError` on a non-finite loss.

    ``warmup``: the learning rate ramps linearly over the first ``warmup`` steps of the run
    (``step_offset`` = steps already done); ``bf16`` autocasts the forward pass. ``log``
    receives one row per step.
    """
    model.train()
    totals = {"loss": 0.0, "bbox_regression": 0.0, "classification": 0.0}
    images = 0
    base_lrs = [group["lr"] for group in optimizer.param_groups]
    started = time.perf_counter()
    with tqdm(total=iterations, desc=desc, unit="it", disable=None, leave=False) as bar:
        for i in range(iterations):
            step = step_offset + i
            factor = min(1.0, (step + 1) / warmup) if warmup else 1.0
            for group, base in zip(optimizer.param_groups, base_lrs, strict=True):
                group["lr"] = base * factor
            pictures, targets = next(batches)
            pictures = [p.to(device, non_blocking=True) for p in pictures]
            targets = [{k: v.to(device) for k, v in t.items()} for t in targets]
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
                losses = model(pictures, targets)
            loss = sum(losses.values(), torch.zeros((), device=device))
            value = float(loss.detach())
            if not math.isfinite(value):
                parts = {k: float(v.detach()) for k, v in losses.items()}
                raise TrainingError(
                    f"non-finite loss {value} at step {step} ({parts}); lower the learning rate "
                    "or check the annotations for empty or degenerate boxes"
                )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            parts = {k: float(v.detach()) for k, v in losses.items()}
            totals["loss"] += value
            totals["bbox_regression"] += parts.get("bbox_regression", 0.0)
            totals["classification"] += parts.get("classification", 0.0)
            images += len(pictures)
            if log is not None:
                log.append(
                    {"step": step, "lr": optimizer.param_groups[0]["lr"], "loss": value, **parts}
                )
            elapsed = time.perf_counter() - started
            bar.set_postfix(loss=f"{value:.3f}", img_s=f"{images / max(elapsed, 1e-9):.1f}")
            bar.update()
    for group, base in zip(optimizer.param_groups, base_lrs, strict=True):
        group["lr"] = base
    n = max(iterations, 1)
    return EpochStats(
        totals["loss"] / n,
        totals["bbox_regression"] / n,
        totals["classification"] / n,
        iterations,
        images,
        time.perf_counter() - started,
    )


def evaluate_model(
    model: SSD,
    meta: CheckpointMeta,
    dataset: CocoDataset,
    *,
    device: torch.device | str = "auto",
    precision: str = "fp32",
    batch_size: int = 16,
    workers: int = 0,
    score_threshold: float = 0.01,
) -> Report:
    """Detect with the production pipeline on ``dataset``'s pictures and score it."""
    detector = Detector(
        model, meta, device=device, precision=precision, score_threshold=score_threshold
    )
    items = [(image.image_id, image.path) for image in dataset.images]
    predictions: dict[int, list[Prediction]] = {}
    label_of = {name: i + 1 for i, name in enumerate(meta.classes)}
    with tqdm(total=len(items), desc="evaluate", unit="img", disable=None, leave=False) as bar:
        for output in detector.detect_files(items, batch_size=batch_size, workers=workers):
            for failure in output.failures:
                raise TrainingError(f"picture {failure.key} unreadable: {failure.error}")
            for key, found in output.detections.items():
                predictions[key] = [
                    Prediction(label_of[d.class_name], d.score, d.box, d.colour) for d in found
                ]
            bar.update(len(output.detections))
    truths = {
        image.image_id: [Truth(o.label, o.box, o.area, o.iscrowd, o.colour) for o in image.objects]
        for image in dataset.images
    }
    return evaluate(predictions, truths, dataset.classes)


def calibrate_model(
    model: SSD,
    meta: CheckpointMeta,
    dataset: CocoDataset,
    *,
    pictures: int = 256,
    batch_size: int = 32,
) -> dict[str, Any]:
    """The int8 calibration of ``model`` (:func:`trendminer.vision.quantize.calibrate`) on
    ``pictures`` of ``dataset``'s pictures, spread evenly over it, prepared as for inference."""
    if pictures < 1:
        raise TrainingError("calibration needs at least one picture")
    detector = Detector(model, meta, device="cpu", precision="fp32", decode_on_device=False)
    images = dataset.images
    step = max(1, len(images) // pictures)
    items = [(image.image_id, image.path) for image in images[::step][:pictures]]

    def batches() -> Iterator[Tensor]:
        for batch in detector.loader(items, batch_size=batch_size):
            _, _, decoded, failures = detector.unpack(batch)
            for failure in failures:
                raise TrainingError(f"picture {failure.key} unreadable: {failure.error}")
            yield detector.normalise(detector.prepare(decoded))

    return calibrate(detector.model, meta.input_size, batches())
