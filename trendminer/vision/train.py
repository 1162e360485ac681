"""Training recipes and the resumable training loop behind ``trendminer train``.

A run writes into its output folder: ``last.pt`` (model, optimizer and scheduler state, to
resume), ``best.pt`` (the best epoch so far as a detector checkpoint: by validation mAP when a
validation set is given, else by training loss) and ``loss_log.csv`` (one row per step).
"""

from __future__ import annotations

import csv
import dataclasses
import logging
import random
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import DataLoader

from trendminer.vision.checkpoint import (
    CheckpointMeta,
    load_checkpoint,
    read_meta,
    save_checkpoint,
)
from trendminer.vision.classes import with_background
from trendminer.vision.coco import CocoDataset, collate
from trendminer.vision.engine import Batch, evaluate_model, train_one_epoch
from trendminer.vision.errors import TrainingError
from trendminer.vision.inference import resolve_device, resolve_precision
from trendminer.vision.models import architecture, build_model
from trendminer.vision.presets import Augmentation, train_transforms

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipe:
    """How to train: optimizer, schedule (per epoch), batch, augmentation, loader workers."""

    optimizer: str = "sgd"
    lr: float = 1e-3
    momentum: float = 0.9
    weight_decay: float = 5e-4
    batch_size: int = 64
    epochs: int = 120
    iterations: int | None = 256
    """Steps per epoch; ``None``: one pass over the training set."""
    milestones: tuple[int, ...] = (80, 100)
    """Epochs at which the learning rate is multiplied by ``gamma``."""
    gamma: float = 0.1
    warmup: int = 0
    """Steps of linear learning-rate warm-up at the start of the run."""
    augmentation: Augmentation = field(default_factory=Augmentation)
    workers: int = 2
    eval_every: int = 1
    precision: str = "fp32"
    """``'bf16'``: autocast the forward pass to bfloat16; ``'auto'``: bf16 where the device runs
    it natively (GPUs with bf16, CPUs with AVX512-BF16 or AMX), float32 elsewhere (on an AVX2
    CPU, bf16 is emulated and several times slower)."""
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain types (for checkpoints and logs)."""
        data = asdict(self)
        data["milestones"] = list(self.milestones)
        return data


PRESETS: dict[str, Recipe] = {
    # The seed recipe: SGD, batch 64, 120 epochs of 256 steps, lr 1e-3 -> 1e-4 (80) -> 1e-5 (100).
    "seed": Recipe(),
    # A short CPU recipe for SSDLite on the Sample world: 1,400 AdamW steps of 8 pictures from
    # scratch, bf16 where native, lr /10 for the last two epochs, no expand.
    "cpu-short": Recipe(
        optimizer="adamw",
        lr=1.5e-3,
        weight_decay=1e-4,
        batch_size=8,
        epochs=14,
        iterations=100,
        milestones=(12,),
        warmup=50,
        augmentation=Augmentation(expand=False, lighting=0.05),
        workers=1,
        precision="auto",
    ),
    # A short GPU recipe for SSDLite: 4,500 AdamW steps of 32 pictures from scratch in bf16, lr
    # /10 at epochs 14 and 17, validated every 3 epochs. On one H200 with 16 cores it trained at
    # about 200 pictures/s, so 18 epochs take about 13 minutes; the shipped checkpoint is its
    # epoch 6.
    "gpu-short": Recipe(
        optimizer="adamw",
        lr=2e-3,
        weight_decay=1e-4,
        batch_size=32,
        epochs=18,
        iterations=250,
        milestones=(14, 17),
        warmup=300,
        augmentation=Augmentation(expand=False, lighting=0.05),
        workers=14,
        eval_every=3,
        precision="auto",
    ),
}


def make_recipe(preset: str, overrides: Mapping[str, Any] | None = None) -> Recipe:
    """The preset with ``overrides`` (recipe or augmentation fields); unknown names fail."""
    if preset not in PRESETS:
        raise TrainingError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    recipe = PRESETS[preset]
    recipe_fields = {f.name for f in dataclasses.fields(Recipe)} - {"augmentation"}
    aug_fields = {f.name for f in dataclasses.fields(Augmentation)}
    top: dict[str, Any] = {}
    aug: dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key in recipe_fields:
            top[key] = tuple(value) if key == "milestones" else value
        elif key in aug_fields:
            aug[key] = value
        else:
            raise TrainingError(f"unknown recipe option {key!r}")
    made = dataclasses.replace(
        recipe, **top, augmentation=dataclasses.replace(recipe.augmentation, **aug)
    )
    if made.optimizer not in ("sgd", "adamw"):
        raise TrainingError(f"optimizer must be 'sgd' or 'adamw', not {made.optimizer!r}")
    if made.precision not in ("auto", "fp32", "bf16"):
        raise TrainingError(
            f"training precision must be 'auto', 'fp32' or 'bf16', not {made.precision!r}"
        )
    return made


@dataclass(frozen=True, slots=True)
class TrainResult:
    """Where the best checkpoint is, which epoch it was and its score."""

    best: Path
    best_epoch: int
    best_score: float
    score_name: str
    epochs: int


def _optimizer(model: torch.nn.Module, recipe: Recipe) -> torch.optim.Optimizer:
    params = [p for p in model.parameters() if p.requires_grad]
    if recipe.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=recipe.lr, weight_decay=recipe.weight_decay)
    return torch.optim.SGD(
        params, lr=recipe.lr, momentum=recipe.momentum, weight_decay=recipe.weight_decay
    )


def _forever(loader: DataLoader[Any]) -> Iterator[Batch]:
    while True:
        yield from loader


def _training_data(dataset: CocoDataset) -> dict[str, Any]:
    info = {"annotations": str(dataset.annotations), "pictures": len(dataset)}
    if "renderer_version" in dataset.info:
        info["renderer_version"] = dataset.info["renderer_version"]
    return info


def _continued_options(
    asked: Mapping[str, Any] | None, recorded: Mapping[str, Any], source: Path
) -> dict[str, Any]:
    """The model options of a run that continues ``source``: its own unless others are asked,
    which is an error (its head learned the default boxes of its own options)."""
    if asked is not None and dict(asked) != dict(recorded):
        raise TrainingError(
            f"{source} was trained with the model options {dict(recorded)}, not {dict(asked)}; "
            "pass the same options, or start afresh (--no-resume, another --out, no --init)"
        )
    return dict(recorded)


def _continued_classes(state: dict[str, Any] | None, init: Path | None) -> tuple[str, ...] | None:
    """The classes of the run resumed (``state``) or the checkpoint fine-tuned (``init``): a
    continued model keeps its label space, and the dataset's categories are mapped onto it."""
    if state is not None:
        return tuple(state["meta"]["classes"])
    return read_meta(init).classes if init is not None else None


def train(
    *,
    model_name: str,
    coco: Path,
    images: Path,
    out: Path,
    recipe: Recipe,
    options: Mapping[str, Any] | None = None,
    val_coco: Path | None = None,
    val_images: Path | None = None,
    resume: bool = True,
    device: str = "auto",
    init: Path | None = None,
) -> TrainResult:
    """Train ``model_name`` on a COCO dataset; resumes from ``out/last.pt`` when present.

    On resume, weights, optimizer and learning rate continue; the recipe given now sets the
    number of epochs and the remaining learning-rate steps. ``init`` starts a new run from the
    weights of a detector checkpoint (same architecture) with a fresh optimizer and schedule: a
    fine-tune. A run that resumes ignores it. Both keep the classes of the run or checkpoint they
    continue (the dataset's categories are mapped onto them by name; one unknown to it is a
    :class:`DatasetError`) and its model options (``options`` None); other options are an error.
    """
    spec = architecture(model_name).input
    torch.manual_seed(recipe.seed)
    random.seed(recipe.seed)
    where = resolve_device(device)
    aug = train_transforms(spec.size, spec.mean, recipe.augmentation)
    last, best_path, log_path = out / "last.pt", out / "best.pt", out / "loss_log.csv"
    state = (
        torch.load(last, map_location=where, weights_only=False)
        if resume and last.exists()
        else None
    )
    dataset = CocoDataset(coco, images, classes=_continued_classes(state, init), transforms=aug)
    if len(dataset) == 0:
        raise TrainingError(f"{coco} has no pictures")
    val = (
        CocoDataset(val_coco, val_images or images, classes=dataset.classes)
        if val_coco is not None
        else None
    )
    out.mkdir(parents=True, exist_ok=True)
    if state is not None:
        options = _continued_options(options, state["meta"].get("options") or {}, last)
    elif init is not None:
        initial, initial_meta = load_checkpoint(
            init, classes=dataset.classes, architecture_name=model_name
        )
        options = _continued_options(options, initial_meta.options, init)
    model = build_model(
        model_name, num_classes=len(with_background(dataset.classes)), options=options
    )
    model.to(where, memory_format=torch.channels_last)
    optimizer = _optimizer(model, recipe)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(
        optimizer, milestones=list(recipe.milestones), gamma=recipe.gamma
    )
    meta = CheckpointMeta.for_model(
        model_name,
        dataset.classes,
        options=dict(options or {}),
        recipe=recipe.to_dict(),
        training_data=_training_data(dataset),
    )
    start_epoch, best_epoch, best_score = 0, -1, float("-inf")
    if state is not None:
        if state["meta"]["architecture"] != model_name:
            raise TrainingError(f"{last} is another model; pass --no-resume or another --out")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        # The recipe given now sets the rest of the schedule (e.g. more epochs, later steps).
        scheduler.milestones = Counter(recipe.milestones)
        start_epoch, best_epoch, best_score = (
            state["epoch"],
            state["best_epoch"],
            state["best_score"],
        )
        logger.info("resuming %s at epoch %d", out, start_epoch)
    elif init is not None:
        model.load_state_dict(initial.state_dict())
        meta = dataclasses.replace(meta, training_data={**meta.training_data, "init": str(init)})
        logger.info("fine-tuning from %s", init)
    loader = DataLoader(
        dataset,
        batch_size=recipe.batch_size,
        shuffle=True,
        num_workers=recipe.workers,
        collate_fn=collate,
        drop_last=len(dataset) >= recipe.batch_size,
        persistent_workers=recipe.workers > 0,
        generator=torch.Generator().manual_seed(recipe.seed + start_epoch),
    )
    iterations = recipe.iterations or len(loader)
    bf16 = resolve_precision(recipe.precision, where) == torch.bfloat16
    batches = _forever(loader)
    score_name = "val_mAP" if val is not None else "neg_train_loss"
    for epoch in range(start_epoch, recipe.epochs):
        log: list[dict[str, float]] = []
        stats = train_one_epoch(
            model,
            optimizer,
            batches,
            iterations=iterations,
            device=where,
            warmup=recipe.warmup,
            bf16=bf16,
            step_offset=epoch * iterations,
            desc=f"epoch {epoch + 1}/{recipe.epochs}",
            log=log,
        )
        scheduler.step()
        _append_log(log_path, epoch + 1, log)
        metrics: dict[str, Any] = {"train_loss": round(stats.loss, 4)}
        is_last = epoch + 1 == recipe.epochs
        score = -stats.loss
        if val is not None and ((epoch + 1) % recipe.eval_every == 0 or is_last):
            report = evaluate_model(model, meta, val, device=where, workers=recipe.workers)
            metrics.update({f"val_{k}": v for k, v in report.summary().items()})
            score = report.mAP
        elif val is not None:
            score = float("-inf")
        logger.info(
            "epoch %d: loss %.4f (%.1f img/s) %s",
            epoch + 1,
            stats.loss,
            stats.images_per_s,
            {k: v for k, v in metrics.items() if not isinstance(v, dict)},
        )
        if score > best_score:
            best_epoch, best_score = epoch + 1, score
            save_checkpoint(
                best_path,
                model,
                dataclasses.replace(meta, metrics=metrics, epoch=epoch + 1),
                half=True,
            )
        tmp = last.with_suffix(".tmp")
        torch.save(
            {
                "meta": meta.to_dict(),
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "epoch": epoch + 1,
                "best_epoch": best_epoch,
                "best_score": best_score,
            },
            tmp,
        )
        tmp.replace(last)
    return TrainResult(best_path, best_epoch, best_score, score_name, recipe.epochs)


def _append_log(path: Path, epoch: int, rows: list[dict[str, float]]) -> None:
    fields = ["epoch", "step", "lr", "loss", "bbox_regression", "classification"]
    new = not path.exists()
    with path.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        if new:
            writer.writeheader()
        for row in rows:
            writer.writerow({"epoch": epoch, **row})
