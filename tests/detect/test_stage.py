"""The detect stage against a real PostgreSQL: bulk writes, corrupt media, idempotent reruns."""

from __future__ import annotations

import errno
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from sqlalchemy import Engine, text

from tests.factories import make_post
from trendminer.db.bulk import upsert_posts
from trendminer.detect import detect, pending_media_batches
from trendminer.detect.stage import _write
from trendminer.records import MediaRecord
from trendminer.settings import Settings
from trendminer.vision.checkpoint import CheckpointMeta, read_meta, save_checkpoint
from trendminer.vision.classes import MODANET_CLASSES, with_background
from trendminer.vision.inference import BatchOutput, Detection, Failure
from trendminer.vision.models import build_model


@pytest.fixture
def checkpoint(tmp_path: Path) -> Path:
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = build_model("ssdlite", num_classes=len(with_background(MODANET_CLASSES)))
    meta = CheckpointMeta.for_model("ssdlite", MODANET_CLASSES)
    return save_checkpoint(tmp_path / "detector.pt", model, meta, half=True)


def _settings(tmp_path: Path, checkpoint: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        detector_checkpoint=checkpoint,
        detection_score_threshold=0.0,  # an untrained model: keep every box it proposes
        detection_batch_size=2,
        detection_device="cpu",
        detection_precision="fp32",
    )


def _picture(path: Path, seed: int) -> str:
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 255, (60, 40, 3), dtype=np.uint8)).save(path)
    return str(path)


def _add_media(engine: Engine, tmp_path: Path) -> dict[str, int]:
    good = [_picture(tmp_path / f"good{i}.jpg", i) for i in range(3)]
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(Path(good[0]).read_bytes()[:200])
    (tmp_path / "text.jpg").write_text("not a picture")
    paths = [*good, str(truncated), str(tmp_path / "text.jpg"), str(tmp_path / "gone.jpg")]
    posts = [
        replace(make_post(i), media=(MediaRecord(position=0, path=path, status="ok"),))
        for i, path in enumerate(paths)
    ]
    posts.append(replace(make_post(99), media=(MediaRecord(position=0, status="pending"),)))
    with engine.begin() as connection:
        upsert_posts(connection, posts)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT path, media_id FROM media WHERE path IS NOT NULL"))
        return {Path(path).name: int(media_id) for path, media_id in rows}


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        detections = connection.execute(text("SELECT count(*) FROM detections")).scalar_one()
        runs = connection.execute(text("SELECT count(*) FROM detection_runs")).scalar_one()
    return int(detections), int(runs)


def test_detect_writes_marks_corrupt_and_reruns_idempotently(
    engine: Engine, tmp_path: Path, checkpoint: Path
) -> None:
    ids = _add_media(engine, tmp_path)
    settings = _settings(tmp_path, checkpoint)
    version = read_meta(checkpoint).version

    batches = pending_media_batches(engine, settings, 4)
    assert [len(b) for b in batches] == [4, 2]  # six 'ok' media; the 'pending' one waits

    first = detect(engine, settings)
    assert (first.pictures, first.corrupt, first.missing) == (3, 2, 1)
    assert first.detections > 0
    assert first.as_dict()["pictures"] == 3
    detections, runs = _counts(engine)
    assert (detections, runs) == (first.detections, 3)

    with engine.connect() as connection:
        status = dict(connection.execute(text("SELECT media_id, status FROM media")).all())
        errors = dict(
            connection.execute(
                text("SELECT media_id, error FROM media WHERE error IS NOT NULL")
            ).all()
        )
        rows = connection.execute(
            text(
                "SELECT DISTINCT model_version, class_name, colour FROM detections "
                "WHERE media_id = :id"
            ),
            {"id": ids["good0.jpg"]},
        ).all()
        per_box = connection.execute(
            text("SELECT boxes FROM detection_runs WHERE media_id = :id"), {"id": ids["good1.jpg"]}
        ).scalar_one()
        stored = connection.execute(
            text("SELECT count(*) FROM detections WHERE media_id = :id"), {"id": ids["good1.jpg"]}
        ).scalar_one()
    assert status[ids["truncated.jpg"]] == "corrupt"
    assert status[ids["text.jpg"]] == "corrupt"
    assert status[ids["gone.jpg"]] == "missing"
    assert status[ids["good0.jpg"]] == "ok"
    assert "truncated" in errors[ids["truncated.jpg"]] or "OSError" in errors[ids["truncated.jpg"]]
    assert {r.model_version for r in rows} == {version}
    assert {r.class_name for r in rows} <= set(MODANET_CLASSES)
    assert per_box == stored

    again = detect(engine, settings)
    assert (again.pictures, again.detections, again.corrupt) == (0, 0, 0)
    assert _counts(engine) == (detections, runs)
    assert pending_media_batches(engine, settings, 4) == []


def test_a_picture_the_system_fails_to_read_stays_pending_for_the_next_run(
    engine: Engine, tmp_path: Path, checkpoint: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An I/O error is the disk's fault, not the picture's: no 'corrupt' mark, read again."""
    ids = _add_media(engine, tmp_path)
    settings = _settings(tmp_path, checkpoint)
    opened = Image.open

    def failing_disk(path: object, *args: object, **kwargs: object) -> Image.Image:
        if str(path).endswith("good1.jpg"):
            raise OSError(errno.EIO, "Input/output error", str(path))
        return opened(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Image, "open", failing_disk)
    first = detect(engine, settings)
    assert (first.pictures, first.corrupt, first.missing, first.unreadable) == (2, 2, 1, 1)
    with engine.connect() as connection:
        status = connection.execute(
            text("SELECT status, error FROM media WHERE media_id = :id"), {"id": ids["good1.jpg"]}
        ).one()
    assert tuple(status) == ("ok", None)
    assert pending_media_batches(engine, settings, 4) == [[ids["good1.jpg"]]]

    monkeypatch.setattr(Image, "open", opened)
    again = detect(engine, settings)
    assert (again.pictures, again.unreadable) == (1, 0)
    assert pending_media_batches(engine, settings, 4) == []


def test_detect_only_the_given_media_and_limit(
    engine: Engine, tmp_path: Path, checkpoint: Path
) -> None:
    ids = _add_media(engine, tmp_path)
    settings = _settings(tmp_path, checkpoint)
    only = detect(engine, settings, media_ids=[ids["good2.jpg"], ids["text.jpg"]])
    assert (only.pictures, only.corrupt) == (1, 1)
    limited = detect(engine, settings, limit=1)
    assert limited.pictures + limited.corrupt + limited.missing == 1
    assert _counts(engine)[1] == 2


def test_two_runs_of_one_version_never_mix_their_boxes(engine: Engine, tmp_path: Path) -> None:
    """A run that finds a picture already claimed by another writes none of its boxes."""
    media_id = _add_media(engine, tmp_path)["good0.jpg"]
    paths = {media_id: str(tmp_path / "good0.jpg")}

    def boxes(count: int, name: str) -> BatchOutput:
        found = [Detection(name, 0.9, (0.0, 0.0, 5.0, 5.0), "Red")] * count
        return BatchOutput({media_id: found}, [])

    with engine.begin() as connection:
        assert _write(connection, "v1", boxes(3, "dress"), paths) == 3
    with engine.begin() as connection:
        assert _write(connection, "v1", boxes(5, "skirt"), paths) == 0
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT class_name, count(*) FROM detections GROUP BY 1")
        ).all()
        runs = connection.execute(text("SELECT boxes FROM detection_runs")).scalars().all()
    assert [tuple(row) for row in stored] == [("dress", 3)]
    assert runs == [3]


def test_a_result_for_a_replaced_picture_touches_neither_its_row_nor_its_run(
    engine: Engine, tmp_path: Path
) -> None:
    """Collect downloaded both pictures again while they were read: the old results are stale."""
    ids = _add_media(engine, tmp_path)
    gone, good = ids["gone.jpg"], ids["good0.jpg"]
    read = {gone: str(tmp_path / "gone.jpg"), good: str(tmp_path / "good0.jpg")}
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE media SET path = 'new/' || media_id WHERE media_id = ANY(:ids)"),
            {"ids": [gone, good]},
        )
    found = [Detection("dress", 0.9, (0.0, 0.0, 5.0, 5.0), "Red")]
    output = BatchOutput({good: found}, [Failure(gone, "missing", "no such file")])
    with engine.begin() as connection:
        assert _write(connection, "v1", output, read) == 0
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT status, error FROM media WHERE media_id = ANY(:ids)"),
            {"ids": [gone, good]},
        ).all()
    assert [tuple(row) for row in rows] == [("ok", None), ("ok", None)]
    assert _counts(engine) == (0, 0)
