"""A few training steps lower the loss; runs resume, keep the best epoch, fail loudly."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
import torch
from PIL import Image

from trendminer.vision.checkpoint import load_checkpoint, shipped_checkpoint
from trendminer.vision.classes import MODANET_CLASSES, with_background
from trendminer.vision.coco import CocoDataset, collate
from trendminer.vision.engine import train_one_epoch
from trendminer.vision.errors import CheckpointError, DatasetError, TrainingError
from trendminer.vision.models import build_model
from trendminer.vision.presets import Augmentation, train_transforms
from trendminer.vision.train import Recipe, make_recipe, train

NO_AUGMENTATION = Augmentation(
    photometric=False, lighting=0.0, expand=False, iou_crop=False, mirror=False
)


def _repeat(batch):  # type: ignore[no-untyped-def]
    while True:
        yield batch


def test_a_few_steps_on_a_tiny_set_lower_the_loss(shapes: Path) -> None:
    torch.manual_seed(0)
    dataset = CocoDataset(
        shapes, shapes.parent, transforms=train_transforms(320, (127.5,) * 3, NO_AUGMENTATION)
    )
    model = build_model("ssdlite", num_classes=len(with_background(dataset.classes)))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    batch = collate([dataset[0], dataset[1]])
    log: list[dict[str, float]] = []
    train_one_epoch(
        model, optimizer, _repeat(batch), iterations=12, device=torch.device("cpu"), log=log
    )
    losses = [row["loss"] for row in log]
    assert sum(losses[-3:]) / 3 < 0.8 * sum(losses[:3]) / 3


def test_garments_at_the_picture_edge_survive_the_training_transforms(tmp_path: Path) -> None:
    """A box touching the right edge of a 300 px wide picture (resizing carries it 3e-5 px past
    the canvas) and an annotation 0.4 px past the bottom edge are kept, cut at the edge."""
    Image.new("RGB", (300, 100), "white").save(tmp_path / "edge.jpg")
    coco = {
        "images": [{"id": 1, "file_name": "edge.jpg", "width": 300, "height": 100}],
        "categories": [{"id": 1, "name": "bag"}, {"id": 2, "name": "top"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [200, 10, 100, 40]},
            {"id": 2, "image_id": 1, "category_id": 2, "bbox": [20, 60, 100, 40.4]},
        ],
    }
    (tmp_path / "edge.json").write_text(json.dumps(coco))
    dataset = CocoDataset(
        tmp_path / "edge.json",
        tmp_path,
        transforms=train_transforms(320, (127.5,) * 3, NO_AUGMENTATION),
    )
    _, target = dataset[0]
    assert target["labels"].tolist() == [1, 2]
    assert float(target["boxes"].max()) <= 320


def test_ssd300_training_step_on_a_tiny_input(shapes: Path) -> None:
    """SSD300 is too slow to train on a CPU; one step checks that its loss is finite."""
    torch.manual_seed(0)
    dataset = CocoDataset(
        shapes,
        shapes.parent,
        transforms=train_transforms(300, (123.0, 117.0, 104.0), NO_AUGMENTATION),
    )
    model = build_model(
        "ffssd", num_classes=len(with_background(dataset.classes)), options={"fusion": "sum"}
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)
    log: list[dict[str, float]] = []
    train_one_epoch(
        model,
        optimizer,
        _repeat(collate([dataset[0]])),
        iterations=1,
        device=torch.device("cpu"),
        log=log,
    )
    assert torch.isfinite(torch.tensor(log[0]["loss"]))


def test_train_resumes_keeps_best_and_logs(shapes: Path, tmp_path: Path) -> None:
    recipe = make_recipe(
        "cpu-short",
        {
            "epochs": 2,
            "iterations": 2,
            "batch_size": 2,
            "workers": 0,
            "warmup": 0,
            "milestones": [1],
        },
    )
    out = tmp_path / "run"
    first = train(model_name="ssdlite", coco=shapes, images=shapes.parent, out=out, recipe=recipe)
    assert first.best_epoch in (1, 2)
    _, meta = load_checkpoint(first.best)
    assert meta.recipe["batch_size"] == 2
    assert meta.training_data["pictures"] == 6
    assert meta.epoch == first.best_epoch
    longer = make_recipe(
        "cpu-short",
        {
            "epochs": 3,
            "iterations": 2,
            "batch_size": 2,
            "workers": 0,
            "warmup": 0,
            "milestones": [1],
        },
    )
    train(model_name="ssdlite", coco=shapes, images=shapes.parent, out=out, recipe=longer)
    with (out / "loss_log.csv").open() as handle:
        epochs = [int(row["epoch"]) for row in csv.DictReader(handle)]
    assert epochs == [1, 1, 2, 2, 3, 3]  # the resumed run only did epoch 3


def _train(shapes: Path, out: Path, recipe: Recipe, model: str = "ssdlite", **kw: Any) -> Any:
    """``train`` on the shapes set."""
    return train(model_name=model, coco=shapes, images=shapes.parent, out=out, recipe=recipe, **kw)


def test_init_fine_tunes_from_a_checkpoint_of_the_same_model(shapes: Path, tmp_path: Path) -> None:
    still = {"epochs": 1, "iterations": 1, "batch_size": 2, "workers": 0, "warmup": 0}
    first = _train(shapes, tmp_path / "first", make_recipe("cpu-short", still))
    # lr 0: the fine-tune starts from, and keeps, the first run's weights
    frozen = make_recipe("cpu-short", {**still, "lr": 0.0, "weight_decay": 0.0})
    tuned = _train(shapes, tmp_path / "tuned", frozen, init=first.best)
    start, _ = load_checkpoint(first.best)
    end, meta = load_checkpoint(tuned.best)
    assert meta.training_data["init"] == str(first.best)
    assert all(torch.equal(a, b) for a, b in zip(start.parameters(), end.parameters(), strict=True))
    with pytest.raises(CheckpointError, match="'ssdlite' model, not 'ssd300'"):
        _train(shapes, tmp_path / "wrong", make_recipe("cpu-short", still), "ssd300",
               init=shipped_checkpoint())  # fmt: skip


def test_a_continued_run_keeps_the_model_options_it_continues(shapes: Path, tmp_path: Path) -> None:
    """Resuming or fine-tuning keeps the first run's default boxes; other options are refused."""
    still = make_recipe(
        "cpu-short", {"epochs": 1, "iterations": 1, "batch_size": 2, "workers": 0, "warmup": 0}
    )
    first = _train(shapes, tmp_path / "first", still, options={"min_ratio": 0.05})
    tuned = _train(shapes, tmp_path / "tuned", still, init=first.best)
    assert load_checkpoint(tuned.best)[1].options == {"min_ratio": 0.05}
    with pytest.raises(TrainingError, match=r"model options \{'min_ratio': 0.05\}"):
        _train(shapes, tmp_path / "other", still, init=first.best, options={"min_ratio": 0.2})
    longer = make_recipe(
        "cpu-short", {"epochs": 2, "iterations": 1, "batch_size": 2, "workers": 0, "warmup": 0}
    )
    with pytest.raises(TrainingError, match="pass the same options"):
        _train(shapes, tmp_path / "first", longer, options={})


def test_non_finite_loss_fails_loudly(shapes: Path, tmp_path: Path) -> None:
    recipe = make_recipe(
        "cpu-short",
        {
            "epochs": 1,
            "iterations": 3,
            "batch_size": 2,
            "workers": 0,
            "warmup": 0,
            "lr": 1e30,
            "optimizer": "sgd",
        },
    )
    with pytest.raises(TrainingError, match="non-finite loss"):
        _train(shapes, tmp_path / "run", recipe)


def test_unknown_recipe_options_fail() -> None:
    with pytest.raises(TrainingError, match="unknown recipe option"):
        make_recipe("seed", {"learning_rate": 1.0})
    with pytest.raises(TrainingError, match="unknown preset"):
        make_recipe("fast", {})
    with pytest.raises(TrainingError, match="'auto', 'fp32' or 'bf16'"):
        make_recipe("seed", {"precision": "fp8"})
    assert make_recipe("cpu-short", {}).precision == "auto"  # bf16 only where native
    seed = make_recipe("seed", {})
    assert (seed.optimizer, seed.batch_size, seed.epochs, seed.iterations, seed.lr) == (
        "sgd",
        64,
        120,
        256,
        1e-3,
    )
    assert seed.milestones == (80, 100)


def _relabel(shapes: Path, names: dict[int, str]) -> Path:
    """The shapes set with only the categories ``names`` (id -> name), written beside it."""
    data = json.loads(shapes.read_text())
    data["categories"] = [{"id": i, "name": n} for i, n in names.items()]
    path = shapes.with_name("relabelled.json")
    path.write_text(json.dumps(data))
    return path


def test_init_maps_a_subset_in_another_order_onto_the_checkpoint_classes(
    shapes: Path, tmp_path: Path, random_checkpoint: Path
) -> None:
    """Ids 9 (top) and 8 (pants) in the shapes set; the checkpoint has all 13 ModaNet classes."""
    still = make_recipe("cpu-short", {"epochs": 1, "iterations": 1, "batch_size": 2, "workers": 0})
    coco = _relabel(shapes, {9: "top", 8: "pants"})
    tuned = train(model_name="ssdlite", coco=coco, images=shapes.parent, out=tmp_path / "tuned",
                  recipe=still, init=random_checkpoint)  # fmt: skip
    assert load_checkpoint(tuned.best)[1].classes == MODANET_CLASSES
    unknown = _relabel(shapes, {9: "top", 8: "cape"})
    with pytest.raises(DatasetError, match=r"\['cape'\] that are not among the model's classes"):
        train(model_name="ssdlite", coco=unknown, images=shapes.parent, out=tmp_path / "cape",
              recipe=still, init=random_checkpoint)  # fmt: skip
