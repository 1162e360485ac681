"""
### TrendMiner · detect

Detects garments (class, box, score, colour) in the pictures not processed yet by the current
detector. `list_media_batches` splits the pending pictures into batches; `detect_garments` is
mapped over them in the pool `gpu` and on the Celery queue `gpu`, so each GPU worker (and each
slot of the `gpu` pool) adds throughput. Runs whenever the asset `trendminer.posts` is marked.

**Owner:** trendminer-data

**Triage:** a corrupt or missing picture is marked in `media.status`, never fatal; an
`unreadable` count (I/O errors, permissions on the media store) leaves the pictures pending for
the next run: check the store's mount. Tasks
queued but never running: the pool `gpu` is missing or has no slot (`airflow pools set gpu 1
"GPU slots"`), or no worker listens on the queue `gpu`. Out of GPU memory: lower
`TRENDMINER_DETECTION_BATCH_SIZE`.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import Param, dag, task

from trendminer.orchestration.assets import POSTS
from trendminer.orchestration.defaults import DEFAULT_ARGS, START_DATE
from trendminer.orchestration.tags import Tag


@dag(
    schedule=[POSTS],
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    default_args=DEFAULT_ARGS,
    tags=[Tag.TRENDMINER, Tag.DETECT, Tag.GPU],
    params={
        "batch_size": Param(512, type="integer", minimum=1, description="Pictures per task."),
        "max_batches": Param(256, type="integer", minimum=1, maximum=1024, description="Per run."),
    },
)
def trendminer_detect() -> None:
    @task
    def list_media_batches(params: dict[str, Any]) -> list[list[int]]:
        """Split the pictures awaiting detection into batches of media ids."""
        from trendminer.detect import pending_media_batches
        from trendminer.orchestration.runtime import task_engine, task_settings

        settings = task_settings()
        with task_engine(settings) as engine:
            batches = pending_media_batches(engine, settings, params["batch_size"])
        return batches[: params["max_batches"]]

    @task(pool="gpu", queue="gpu")
    def detect_garments(media_ids: list[int]) -> dict[str, int | float]:
        """Detect the garments in one batch of pictures."""
        from trendminer.detect import detect
        from trendminer.orchestration.runtime import task_engine, task_settings

        settings = task_settings()
        with task_engine(settings) as engine:
            return detect(engine, settings, media_ids=media_ids).as_dict()

    detect_garments.expand(media_ids=list_media_batches())


trendminer_detect()
