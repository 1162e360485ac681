"""Detect garments in the pictures that have none yet for the current model version.

Pending pictures: media with status ``'ok'`` and no ``detection_runs`` row for the model's
version. Each batch's results are written in one transaction (COPY into a staging table, then
``INSERT ... ON CONFLICT DO NOTHING``), together with one ``detection_runs`` row per picture, so a
rerun, a retried Airflow task or two workers on the same batch never duplicate a row. Unreadable
pictures get status ``'corrupt'`` (or ``'missing'``) and their error; the batch goes on. A read
that failed for the system's reasons (an I/O error, a permission, no file handle left) marks
nothing: the picture stays pending for the next run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, bindparam, text
from sqlalchemy.engine import Connection
from tqdm import tqdm

from trendminer.db.copy import copy_rows, to_copy_text
from trendminer.settings import Settings
from trendminer.vision.checkpoint import load_checkpoint, read_meta, shipped_checkpoint
from trendminer.vision.inference import (
    UNREADABLE,
    BatchOutput,
    Detector,
    default_batch_size,
    default_workers,
)

logger = logging.getLogger(__name__)

DETECTION_COLUMNS = (
    "media_id", "model_version", "box_index", "class_name", "score", "x1", "y1", "x2", "y2",
    "colour",
)  # fmt: skip

_PENDING = """
SELECT m.media_id, m.path FROM media m
WHERE m.status = 'ok' AND m.path IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM detection_runs r
                  WHERE r.media_id = m.media_id AND r.model_version = :version)
"""

_STAGE = """
CREATE TEMP TABLE IF NOT EXISTS stage_detections (LIKE detections) ON COMMIT DELETE ROWS
"""
_MERGE_DETECTIONS = """
INSERT INTO detections SELECT * FROM stage_detections ON CONFLICT DO NOTHING
"""
# A picture's run is claimed first: its boxes are written only by the run that claimed it, so
# two runs of one version at once (a manual run beside the DAG's) never mix their boxes.
# Claims and marks apply only while the media row still holds the path that was read: collect
# may have downloaded the picture again meanwhile, and the new file is not this result's.
_CLAIM_RUNS = """
INSERT INTO detection_runs (media_id, model_version, boxes)
SELECT u.media_id, u.model_version, u.boxes
FROM unnest(CAST(:ids AS bigint[]), CAST(:versions AS text[]), CAST(:boxes AS int[]),
            CAST(:paths AS text[])) AS u (media_id, model_version, boxes, path)
JOIN media m ON m.media_id = u.media_id AND m.path = u.path AND m.status = 'ok'
ON CONFLICT DO NOTHING
RETURNING media_id
"""
_MARK = """
UPDATE media SET status = :status, error = :error, updated_at = now()
WHERE media_id = :media_id AND path = :path AND status = 'ok'
"""


@dataclass(frozen=True, slots=True)
class DetectResult:
    """Counts of one detect run; ``images_per_s`` over the whole run (reading to writing)."""

    model_version: str
    pictures: int = 0
    detections: int = 0
    corrupt: int = 0
    missing: int = 0
    unreadable: int = 0
    seconds: float = 0.0
    images_per_s: float = 0.0

    def as_dict(self) -> dict[str, int | float]:
        """The counts by name (the model version is left out: not a number)."""
        return {k: v for k, v in asdict(self).items() if isinstance(v, int | float)}


@lru_cache(maxsize=2)
def _detector(
    checkpoint: Path,
    mtime: float,
    device: str,
    precision: str,
    threshold: float,
    decode_on_device: bool | None,
) -> Detector:
    model, meta = load_checkpoint(checkpoint)
    detector = Detector(
        model,
        meta,
        device=device,
        precision=precision,
        score_threshold=threshold,
        decode_on_device=decode_on_device,
    )
    logger.info(
        "detector %s (%s) on %s in %s",
        meta.version,
        checkpoint,
        detector.device,
        detector.precision,
    )
    return detector


def _checkpoint_path(settings: Settings) -> Path:
    return Path(settings.detector_checkpoint or shipped_checkpoint()).expanduser()


def load_detector(settings: Settings) -> Detector:
    """The configured detector (the shipped one by default), cached per process."""
    path = _checkpoint_path(settings)
    mtime = path.stat().st_mtime if path.exists() else 0.0
    return _detector(
        path,
        mtime,
        settings.detection_device,
        settings.detection_precision,
        settings.detection_score_threshold,
        settings.detection_decode_on_device,
    )


def _pending(
    connection: Connection,
    version: str,
    media_ids: Sequence[int] | None,
    limit: int | None,
) -> list[tuple[int, str]]:
    sql = _PENDING
    params: dict[str, object] = {"version": version}
    if media_ids is not None:
        sql += " AND m.media_id = ANY(:ids)"
        params["ids"] = list(media_ids)
    sql += " ORDER BY m.media_id"
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    return [(int(r[0]), str(r[1])) for r in connection.execute(text(sql), params)]


def pending_media_batches(engine: Engine, settings: Settings, batch_size: int) -> list[list[int]]:
    """Ids of the pictures awaiting the current model, in batches of ``batch_size`` (Airflow)."""
    version = read_meta(_checkpoint_path(settings)).version
    with engine.connect() as connection:
        ids = [media_id for media_id, _ in _pending(connection, version, None, None)]
    return [ids[i : i + batch_size] for i in range(0, len(ids), batch_size)]


def _resolve(path: str, media_root: str) -> Path:
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else Path(media_root).expanduser() / candidate


def _write(
    connection: Connection, version: str, output: BatchOutput, paths: Mapping[int, str]
) -> int:
    """Write one batch's boxes and marks; ``paths`` are the media paths as read by ``_pending``."""
    claimed: set[int] = set()
    if output.detections:
        ids = list(output.detections)
        claimed = set(
            connection.execute(
                text(_CLAIM_RUNS).bindparams(
                    bindparam("ids"), bindparam("versions"), bindparam("boxes"), bindparam("paths")
                ),
                {
                    "ids": ids,
                    "versions": [version] * len(ids),
                    "boxes": [len(output.detections[i]) for i in ids],
                    "paths": [paths[i] for i in ids],
                },
            ).scalars()
        )
    rows = [
        (media_id, version, index, d.class_name, d.score, *d.box, d.colour)
        for media_id, found in output.detections.items()
        if media_id in claimed
        for index, d in enumerate(found)
    ]
    if rows:
        connection.exec_driver_sql(_STAGE)
        copy_rows(connection, "stage_detections", DETECTION_COLUMNS, to_copy_text(rows))
        connection.exec_driver_sql(_MERGE_DETECTIONS)
    marks = [
        {"status": f.status, "error": f.error, "media_id": f.key, "path": paths[f.key]}
        for f in output.failures
        if f.status != UNREADABLE  # the system's fault, not the picture's: read again next run
    ]
    if marks:
        connection.execute(text(_MARK), marks)
    return len(rows)


def detect(
    engine: Engine,
    settings: Settings,
    *,
    media_ids: Sequence[int] | None = None,
    limit: int | None = None,
) -> DetectResult:
    """Detect garments in pending pictures (all, or those of ``media_ids``; at most ``limit``).

    Writes ``detections`` and ``detection_runs`` keyed by the model version; marks unreadable
    pictures ``corrupt``/``missing``; a picture the system failed to read (I/O error, no
    permission) is counted ``unreadable`` and stays pending. Safe to rerun: done pictures are
    not pending any more.
    """
    detector = load_detector(settings)
    version = detector.meta.version
    with engine.connect() as connection:
        pending = _pending(connection, version, media_ids, limit)
    paths = dict(pending)
    items = [(media_id, _resolve(path, settings.media_root)) for media_id, path in pending]
    batch_size = settings.detection_batch_size or default_batch_size(detector.device)
    workers = settings.detection_workers
    if workers is None:
        workers = default_workers(detector.device)
    started = time.perf_counter()
    pictures = detections = corrupt = missing = unreadable = 0
    with tqdm(total=len(items), unit="img", desc="detect", disable=None) as bar:
        for output in detector.detect_files(items, batch_size=batch_size, workers=workers):
            with engine.begin() as connection:
                detections += _write(connection, version, output, paths)
            pictures += len(output.detections)
            corrupt += sum(f.status == "corrupt" for f in output.failures)
            missing += sum(f.status == "missing" for f in output.failures)
            unreadable += sum(f.status == UNREADABLE for f in output.failures)
            for failure in output.failures:
                logger.warning("media %d %s: %s", failure.key, failure.status, failure.error)
            bar.update(len(output.detections) + len(output.failures))
    seconds = time.perf_counter() - started
    result = DetectResult(
        version,
        pictures,
        detections,
        corrupt,
        missing,
        unreadable,
        round(seconds, 3),
        round(pictures / seconds, 2) if seconds > 0 and pictures else 0.0,
    )
    logger.info("detect: %s", result)
    return result
