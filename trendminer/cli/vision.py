"""``trendminer detect``, ``train``, ``evaluate`` and ``calibrate``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Annotated, Any

import typer

from trendminer.cli.common import clean_errors, database, settings

ImagesFolder = Annotated[Path, typer.Option(help="Folder that file_name entries are relative to.")]
ModelCheckpoint = Annotated[
    Path | None, typer.Option(help="Checkpoint; default: the configured (or shipped) one.")
]


@clean_errors
def detect(
    limit: Annotated[int | None, typer.Option(help="At most this many pictures.")] = None,
    media_id: Annotated[
        list[int] | None, typer.Option("--media-id", help="Only these media (repeatable).")
    ] = None,
) -> None:
    """Detect garments (class, box, score, colour) in pictures not yet seen by the model."""
    from trendminer.detect import detect as run_detect

    with database() as engine:
        result = run_detect(engine, settings(), media_ids=media_id or None, limit=limit)
    typer.echo(json.dumps({**result.as_dict(), "model_version": result.model_version}))


def _model_options(model: str, *, fusion: str, min_ratio: float | None) -> dict[str, Any] | None:
    """The builder options that apply to ``model`` (recorded in the checkpoint)."""
    if model == "ffssd":
        return {"fusion": fusion}
    if model == "ssdlite" and min_ratio is not None:
        return {"min_ratio": min_ratio}
    return None


@clean_errors
def train(
    model: Annotated[str, typer.Option(help="ssd300, ffssd or ssdlite.")],
    coco: Annotated[Path, typer.Option(help="COCO annotations of the training set.")],
    images: ImagesFolder,
    out: Annotated[Path, typer.Option(help="Run folder: last.pt, best.pt, loss_log.csv.")] = Path(
        "runs/detector"
    ),
    preset: Annotated[str, typer.Option(help="seed, cpu-short or gpu-short.")] = "seed",
    val_coco: Annotated[Path | None, typer.Option(help="Validation annotations.")] = None,
    val_images: Annotated[Path | None, typer.Option(help="Validation pictures folder.")] = None,
    fusion: Annotated[str, typer.Option(help="ffssd only: concat or sum.")] = "concat",
    min_ratio: Annotated[
        float | None,
        typer.Option(help="ssdlite only: smallest default box, fraction of the input (0.2)."),
    ] = None,
    resume: Annotated[bool, typer.Option(help="Continue from OUT/last.pt.")] = True,
    init: Annotated[
        Path | None, typer.Option(help="Fine-tune: start from this detector checkpoint's weights.")
    ] = None,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, cuda:N.")] = "auto",
    export: Annotated[Path | None, typer.Option(help="Copy the best checkpoint here.")] = None,
    threads: Annotated[int | None, typer.Option(help="Torch CPU threads.")] = None,
    optimizer: Annotated[str | None, typer.Option(help="sgd or adamw.")] = None,
    lr: Annotated[float | None, typer.Option(help="Learning rate.")] = None,
    momentum: Annotated[float | None, typer.Option()] = None,
    weight_decay: Annotated[float | None, typer.Option()] = None,
    batch_size: Annotated[int | None, typer.Option()] = None,
    epochs: Annotated[int | None, typer.Option()] = None,
    iterations: Annotated[int | None, typer.Option(help="Steps per epoch.")] = None,
    milestones: Annotated[str | None, typer.Option(help="Epochs of lr steps, e.g. 80,100.")] = None,
    gamma: Annotated[float | None, typer.Option(help="lr factor at each milestone.")] = None,
    warmup: Annotated[int | None, typer.Option(help="Warm-up steps.")] = None,
    workers: Annotated[int | None, typer.Option(help="Loader processes.")] = None,
    eval_every: Annotated[int | None, typer.Option(help="Validate every N epochs.")] = None,
    seed: Annotated[int | None, typer.Option()] = None,
    precision: Annotated[str | None, typer.Option(help="auto, fp32 or bf16.")] = None,
    photometric: Annotated[bool | None, typer.Option(help="Photometric distortion.")] = None,
    lighting: Annotated[float | None, typer.Option(help="PCA lighting noise std; 0: off.")] = None,
    expand: Annotated[bool | None, typer.Option(help="Expand (zoom out).")] = None,
    iou_crop: Annotated[bool | None, typer.Option(help="Random IoU crop.")] = None,
    mirror: Annotated[bool | None, typer.Option(help="Horizontal mirror.")] = None,
) -> None:
    """Train a detector on COCO annotations; every recipe value can be overridden."""
    import torch

    from trendminer.vision.train import make_recipe
    from trendminer.vision.train import train as run_train

    if threads:
        torch.set_num_threads(threads)
    overrides = {
        "optimizer": optimizer,
        "lr": lr,
        "momentum": momentum,
        "weight_decay": weight_decay,
        "batch_size": batch_size,
        "epochs": epochs,
        "iterations": iterations,
        "milestones": [int(m) for m in milestones.split(",") if m] if milestones else None,
        "gamma": gamma,
        "warmup": warmup,
        "workers": workers,
        "eval_every": eval_every,
        "seed": seed,
        "precision": precision,
        "photometric": photometric,
        "lighting": lighting,
        "expand": expand,
        "iou_crop": iou_crop,
        "mirror": mirror,
    }
    recipe = make_recipe(preset, overrides)
    result = run_train(
        model_name=model,
        coco=coco,
        images=images,
        out=out,
        recipe=recipe,
        options=_model_options(model, fusion=fusion, min_ratio=min_ratio),
        val_coco=val_coco,
        val_images=val_images,
        resume=resume,
        device=device,
        init=init,
    )
    if export is not None:
        export.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(result.best, export)
    typer.echo(
        json.dumps(
            {
                "best": str(export or result.best),
                "best_epoch": result.best_epoch,
                result.score_name: round(result.best_score, 4),
            }
        )
    )


@clean_errors
def evaluate(
    coco: Annotated[Path, typer.Option(help="COCO annotations to score against.")],
    images: ImagesFolder,
    model: ModelCheckpoint = None,
    batch_size: Annotated[int, typer.Option()] = 16,
    workers: Annotated[int, typer.Option(help="Picture-decoding processes.")] = 0,
    device: Annotated[str | None, typer.Option(help="auto, cpu, cuda, cuda:N.")] = None,
    precision: Annotated[
        str | None, typer.Option(help="auto, fp32, bf16, fp16, int8 (CPU, calibrated).")
    ] = None,
) -> None:
    """Per-class AP at IoU 0.5, mAP, a small-object table and colour agreement; JSON last."""
    from trendminer.vision.checkpoint import load_checkpoint
    from trendminer.vision.coco import CocoDataset
    from trendminer.vision.engine import evaluate_model
    from trendminer.vision.evaluation import format_report

    config = settings()
    net, meta = load_checkpoint(model or config.detector_checkpoint)
    dataset = CocoDataset(coco, images, classes=meta.classes)
    report = evaluate_model(
        net,
        meta,
        dataset,
        device=device or config.detection_device,
        precision=precision or config.detection_precision,
        batch_size=batch_size,
        workers=workers,
    )
    typer.echo(format_report(report))
    typer.echo(json.dumps({**report.summary(), "model_version": meta.version}))


@clean_errors
def calibrate(
    coco: Annotated[Path, typer.Option(help="COCO annotations of pictures like the model's.")],
    images: ImagesFolder,
    model: ModelCheckpoint = None,
    out: Annotated[
        Path | None, typer.Option(help="Calibrated checkpoint; default: the model file itself.")
    ] = None,
    pictures: Annotated[int, typer.Option(help="Calibration pictures, spread over the set.")] = 256,
) -> None:
    """Add an int8 calibration to a checkpoint, so that CPUs run its network in int8."""
    from trendminer.vision.checkpoint import (
        load_checkpoint,
        shipped_checkpoint,
        store_int8_calibration,
    )
    from trendminer.vision.coco import CocoDataset
    from trendminer.vision.engine import calibrate_model

    path = model or settings().detector_checkpoint or shipped_checkpoint()
    net, meta = load_checkpoint(path)
    dataset = CocoDataset(coco, images, classes=meta.classes)
    calibration = calibrate_model(net, meta, dataset, pictures=pictures)
    written = store_int8_calibration(path, calibration, out or path)
    typer.echo(
        json.dumps(
            {
                "checkpoint": str(written),
                "model_version": meta.version,
                "pictures": calibration["pictures"],
                "observers": len(calibration["observers"]),
            }
        )
    )


def register(app: typer.Typer) -> None:
    """Add ``detect``, ``train``, ``evaluate`` and ``calibrate`` to the main command."""
    app.command("detect")(detect)
    app.command("train")(train)
    app.command("evaluate")(evaluate)
    app.command("calibrate")(calibrate)
