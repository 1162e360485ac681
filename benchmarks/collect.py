"""Collect benchmark: archive import rate against the bare cost of reading the same files.

    python benchmarks/collect.py [--quick] [--scenario NAME]

A Sample world (``small`` with ``--quick``, else ``default``) is generated into a temporary
folder, then, side by side in one run:
- read: every envelope decompressed and parsed, every picture read (one process);
- import: ``trendminer.collect.import_archive`` into a fresh database and media store (parse,
  map, verify and hash pictures, store them, upsert in batches).
The last line is one JSON object with ``posts_per_s`` (posts with their pictures imported per
second) and ``ratio_vs_read`` (import rate ÷ bare read rate, at most about 1).
"""

from __future__ import annotations

import argparse
import json
import logging
import lzma
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._support import emit, temporary_database
from trendminer.collect import import_archive
from trendminer.collect.archive import discover
from trendminer.collect.media import PICTURE_SUFFIXES
from trendminer.db import migrate
from trendminer.db.connection import make_engine
from trendminer.settings import Settings


def bare_read(world: Path) -> tuple[int, float]:
    """Posts read and seconds taken: envelopes parsed, pictures read, nothing else."""
    started = time.perf_counter()
    posts = 0
    for path in discover(world):
        opener = lzma.open if path.endswith(".xz") else open
        with opener(path, "rt", encoding="utf-8") as handle:
            envelope = json.load(handle)
        if (
            isinstance(envelope, dict)
            and envelope.get("instaloader", {}).get("node_type") == "Post"
        ):
            posts += 1
    for picture in world.rglob("*"):
        if picture.suffix in PICTURE_SUFFIXES:
            picture.read_bytes()
    return posts, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the small world")
    parser.add_argument("--scenario", default=None, help="sample scenario (default: default)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    scenario = args.scenario or ("small" if args.quick else "default")

    from trendminer.sources.sample import generate_world

    with tempfile.TemporaryDirectory(prefix="tm-bench-collect-") as tmp:
        world = Path(tmp) / "world"
        generate_world(scenario, world, seed=7)
        bare_read(world)  # warm the page cache, so both sides read from memory
        read_posts, read_s = bare_read(world)
        with temporary_database() as url:
            engine = make_engine(url)
            migrate.upgrade(engine)
            settings = Settings(data_dir=Path(tmp) / "data")
            started = time.perf_counter()
            result = import_archive(engine, settings, world)
            import_s = time.perf_counter() - started
            engine.dispose()
    posts_per_s = result.posts / import_s
    read_per_s = read_posts / read_s
    print(f"scenario {scenario}: {result.posts} posts, {result.pictures} pictures")
    print(f"read   {read_s:8.2f} s  {read_per_s:10.0f} posts/s")
    print(f"import {import_s:8.2f} s  {posts_per_s:10.0f} posts/s")
    emit(
        {
            "scenario": scenario,
            "posts": result.posts,
            "pictures": result.pictures,
            "posts_per_s": round(posts_per_s, 1),
            "read_posts_per_s": round(read_per_s, 1),
            "ratio_vs_read": round(posts_per_s / read_per_s, 3),
        }
    )


if __name__ == "__main__":
    main()
