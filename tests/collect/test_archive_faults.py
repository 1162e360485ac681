"""Fault test: an archive import killed with SIGKILL at a random moment, then rerun.

Each trial forks a process that runs the import (with its reader processes), kills it at a
moment drawn uniformly over its run (measured beforehand), checks that the database holds
whole batches only, reruns the import and checks that exactly the source's posts, pictures
and comments are there, once each.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.process
import os
import random
import shutil
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.collect.dumps import comment, graph_node, jpeg, write_post
from trendminer.collect import import_archive
from trendminer.collect.media import decode_picture
from trendminer.db.connection import make_engine
from trendminer.settings import Settings

TRIALS = 20
BATCH = 3
POSTS = 48


def _import_in_child(db_url: str, settings: Settings, root: Path) -> None:
    """The collect process: its own session (so its reader processes die with it), engine."""
    os.setsid()
    import_archive(make_engine(db_url), settings, root)


def _write_dump(root: Path) -> dict[str, tuple[int, int]]:
    """A dump of POSTS posts; returns shortcode → (pictures, comments) expected."""
    expected: dict[str, tuple[int, int]] = {}
    for i in range(POSTS):
        sidecar = i % 5 == 0
        node = graph_node(i, typename="GraphSidecar" if sidecar else "GraphImage")
        pictures = {"_1.jpg": jpeg(i), "_2.jpg": jpeg(i + 1000)} if sidecar else {".jpg": jpeg(i)}
        comments = [comment(10_000 + i, "nice")] if i % 7 == 0 else None
        write_post(root / ("#outfit" if i % 2 else "#streetstyle"), node, pictures=pictures,
                   comments=comments)  # fmt: skip
        expected[node["shortcode"]] = (2 if sidecar else 1, 1 if comments else 0)
    return expected


def _state(engine: Engine) -> tuple[dict[str, tuple[int, int]], int]:
    """shortcode → (pictures, comments) in the database, and the number of post rows."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT p.shortcode, "
                "(SELECT count(*) FROM media m"
                " WHERE m.shortcode = p.shortcode AND m.status = 'ok'),"
                "(SELECT count(*) FROM comments c WHERE c.shortcode = p.shortcode) FROM posts p"
            )
        ).all()
    return {row[0]: (int(row[1]), int(row[2])) for row in rows}, len(rows)


def _reset(engine: Engine, media_root: Path) -> None:
    with engine.begin() as connection:
        for table in ("posts", "locations", "profiles", "scrape_state"):  # children cascade
            connection.execute(text(f"DELETE FROM {table}"))
    shutil.rmtree(media_root, ignore_errors=True)


def _start(db_url: str, settings: Settings, root: Path) -> multiprocessing.process.BaseProcess:
    child = multiprocessing.get_context("fork").Process(
        target=_import_in_child, args=(db_url, settings, root)
    )
    child.start()
    return child


def _store_is_sound(media_root: Path) -> None:
    """Every picture under its content address decodes (no half-written file)."""
    for path in media_root.rglob("*"):
        if path.is_file() and not path.name.startswith(".part-"):
            decode_picture(path.read_bytes())


@pytest.mark.slow
def test_archive_import_killed_at_random_moments_then_rerun(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    root = tmp_path / "dump"
    expected = _write_dump(root)
    data = tmp_path / "data"
    settings = Settings(data_dir=data, upsert_batch_size=BATCH, collect_workers=2)
    media_root = Path(settings.media_root)

    started = time.monotonic()
    child = _start(db_url, settings, root)
    child.join(timeout=120)
    duration = time.monotonic() - started
    assert child.exitcode == 0
    assert _state(engine)[0] == expected

    rng = random.Random(20261127)
    partial = 0
    for _ in range(TRIALS):
        _reset(engine, media_root)
        child = _start(db_url, settings, root)
        time.sleep(rng.uniform(0, duration))
        with contextlib.suppress(ProcessLookupError):  # it may have finished
            os.killpg(child.pid, signal.SIGKILL)  # the import and its reader processes
        child.join(timeout=30)
        state, rows = _state(engine)
        assert rows % BATCH == 0 or rows == len(expected)  # whole batches only
        assert all(state[code] == expected[code] for code in state)
        partial += 0 < rows < len(expected)
        _store_is_sound(media_root)

        result = import_archive(engine, settings, root)
        assert result.posts == len(expected)
        assert _state(engine) == (expected, len(expected))
    assert partial > 0, "no kill landed while batches were being written"
