"""Sample-world benchmark: posts with pictures generated per second.

    python benchmarks/sample.py [--quick] [--scenario NAME_OR_FILE] [--workers N]

Generates a world into a temporary folder twice, side by side in one run: with one rendering
process and with ``--workers`` (default: all usable cores). Counts every stage: planning,
instaloader JSON, comments, profiles, JPEG pictures and truth. ``--quick`` uses the ``small``
scenario (a few hundred posts); the default is the ``default`` scenario (the demo world).
The last line is one JSON object with ``posts_per_s`` (all workers), ``pictures_per_s``,
``posts_per_s_one_worker``, ``parallel_speedup`` and ``posts_per_cpu_s`` (posts per CPU second
of this process and its workers: the figure to read when other work shares the cores).
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._support import emit
from trendminer.sources.sample import generate_world


def _cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and its finished workers."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small scenario, under a minute")
    parser.add_argument("--scenario", default=None, help="scenario name or TOML file")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    scenario = args.scenario or ("small" if args.quick else "default")
    seconds: dict[int, float] = {}
    cpu: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="tm-bench-sample-") as tmp:
        for workers in (1, args.workers):
            started, cpu_started = time.perf_counter(), _cpu_seconds()
            summary = generate_world(scenario, Path(tmp) / f"w{workers}", workers=workers)
            seconds[workers] = time.perf_counter() - started
            cpu[workers] = _cpu_seconds() - cpu_started
            print(
                f"{scenario}: {summary.posts} posts, {summary.pictures} pictures, "
                f"{summary.garments} garments with {workers} worker(s) in {seconds[workers]:.1f} s"
            )
    emit(
        {
            "scenario": scenario,
            "posts": summary.posts,
            "pictures": summary.pictures,
            "workers": args.workers,
            "posts_per_s": round(summary.posts / seconds[args.workers], 1),
            "pictures_per_s": round(summary.pictures / seconds[args.workers], 1),
            "posts_per_s_one_worker": round(summary.posts / seconds[1], 1),
            "parallel_speedup": round(seconds[1] / seconds[args.workers], 2),
            "posts_per_cpu_s": round(summary.posts / cpu[args.workers], 1),
        }
    )


if __name__ == "__main__":
    main()
