"""Trends build speed: a full rebuild and one day's incremental build on a year of posts.

Generates posts over 365 days (1,000,000 by default; ``--quick``: 100,000 over 120 days) with
hashtags, cities, time zones, sentiment labels and, for a tenth of the posts, a picture with
three detections, COPied straight into a temporary database. Then times, side by side:
one sequential aggregate scan of the posts (posts per local day: the floor any rebuild pays),
the full rebuild of every trend table, and one day's incremental build (the last day, a
Wednesday: no complete week touched) and a Sunday's (the attribute models refitted too).
On a server built with LLVM (``TRENDMINER_TEST_DATABASE_URL``; the embedded one has no JIT),
the one-day build again in sessions with JIT on, as a server's default would run it
(TrendMiner's own sessions turn it off: ``jit_on_vs_off_day``).
Goals: full rebuild at most 60 s, one day at most 2 s on 2 cores. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import pandas as pd
from sqlalchemy import Engine, create_engine, text

from benchmarks._support import benchmark_server, emit, scratch_database
from trendminer.db import migrate
from trendminer.db.connection import make_engine
from trendminer.settings import Settings
from trendminer.trends import build_trends

FIRST_DAY = date(2025, 1, 1)  # a Wednesday; 365 days end on Wednesday 2025-12-31
CITIES = (
    ("Paris", "Europe/Paris"), ("London", "Europe/London"), ("Milan", "Europe/Rome"),
    ("Berlin", "Europe/Berlin"), ("Madrid", "Europe/Madrid"), ("New York City", "America/New_York"),
    ("Los Angeles", "America/Los_Angeles"), ("Toronto", "America/Toronto"),
    ("Mexico City", "America/Mexico_City"), ("São Paulo", "America/Sao_Paulo"),
    ("Tokyo", "Asia/Tokyo"), ("Seoul", "Asia/Seoul"), ("Shanghai", "Asia/Shanghai"),
    ("Mumbai", "Asia/Kolkata"), ("Bangkok", "Asia/Bangkok"), ("Dubai", "Asia/Dubai"),
    ("Istanbul", "Europe/Istanbul"), ("Lagos", "Africa/Lagos"),
    ("Johannesburg", "Africa/Johannesburg"), ("Sydney", "Australia/Sydney"),
)  # fmt: skip
CLASSES = ("top", "pants", "dress", "skirt", "footwear", "bag", "outer", "boots")
COLOURS = ("Black", "White", "Blue", "Red", "Gray", "Beige", "Green", "Yellow")
MODEL = "speed-bench-1"
UNKNOWN = np.array([None], dtype=object)  # a post without a city or time zone (NULL)


def _copy_frame(engine: Engine, table: str, frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep="\\N", sep="\t")
    buffer.seek(0)
    with engine.begin() as connection:
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        columns = ", ".join(frame.columns)
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (NULL '\\N')", buffer)
        cursor.close()


def generate(engine: Engine, posts: int, days: int, seed: int = 11) -> None:
    """Write ``posts`` posts over ``days`` days (plus hashtags, pictures, detections)."""
    rng = np.random.default_rng(seed)
    weekly = np.array([0.9, 0.9, 0.95, 1.0, 1.05, 1.15, 1.05])
    day_weight = weekly[(np.arange(days) + FIRST_DAY.weekday()) % 7] * np.linspace(1, 1.3, days)
    day = rng.choice(days, size=posts, p=day_weight / day_weight.sum())
    seconds = rng.integers(0, 86_400, size=posts)
    taken = pd.Timestamp(FIRST_DAY, tz="UTC") + pd.to_timedelta(day * 86_400 + seconds, unit="s")
    city_index = rng.choice(len(CITIES), size=posts, p=np.linspace(3, 1, len(CITIES)) / 40)
    known = rng.random(posts) < 0.9
    shortcode = pd.Series(np.arange(posts)).map(lambda i: f"B{i:09d}")
    labels = np.array(["positive", "neutral", "negative"], dtype=object)
    sentiment = labels[rng.choice(3, size=posts, p=[0.55, 0.3, 0.15])]
    sentiment[rng.random(posts) < 0.2] = None
    frame = pd.DataFrame(
        {
            "shortcode": shortcode,
            "owner": pd.Series(rng.zipf(1.5, posts) % 50_000).map(lambda i: f"user{i}"),
            "taken_at": taken.strftime("%Y-%m-%d %H:%M:%S+00"),
            "likes": rng.lognormal(3, 1.2, posts).astype(int),
            "comments": rng.poisson(2, posts),
            "first_seen": taken.strftime("%Y-%m-%d %H:%M:%S+00"),
            "last_seen": taken.strftime("%Y-%m-%d %H:%M:%S+00"),
            "city": np.where(known, np.array([c for c, _ in CITIES])[city_index], UNKNOWN),
            "timezone": np.where(known, np.array([z for _, z in CITIES])[city_index], UNKNOWN),
            "sentiment_label": sentiment,
        }
    )
    _copy_frame(engine, "posts", frame)
    tags = np.array(["outfit", "streetstyle", "streetoutfit"] + [f"tag{i}" for i in range(17)])
    first_tag = rng.choice(3, size=posts)
    extra = rng.random(posts) < 0.6
    extra_tag = rng.zipf(1.4, posts) % len(tags)
    extra &= extra_tag != first_tag
    hashtags = pd.DataFrame(
        {
            "shortcode": pd.concat([shortcode, shortcode[extra]]),
            "hashtag": np.concatenate([tags[first_tag], tags[extra_tag[extra]]]),
        }
    )
    _copy_frame(engine, "post_hashtags", hashtags)
    pictured = shortcode[rng.random(posts) < 0.1].reset_index(drop=True)
    _copy_frame(
        engine, "media", pd.DataFrame({"shortcode": pictured, "position": 0, "status": "ok"})
    )
    media_ids = np.arange(1, len(pictured) + 1)  # identity starts at 1 in a fresh database
    _copy_frame(
        engine,
        "detection_runs",
        pd.DataFrame({"media_id": media_ids, "model_version": MODEL, "boxes": 3}),
    )
    boxes = len(pictured) * 3
    _copy_frame(
        engine,
        "detections",
        pd.DataFrame(
            {
                "media_id": np.repeat(media_ids, 3),
                "model_version": MODEL,
                "box_index": np.tile([0, 1, 2], len(pictured)),
                "class_name": np.array(CLASSES)[rng.integers(0, len(CLASSES), boxes)],
                "score": 0.9,
                "x1": 0, "y1": 0, "x2": 10, "y2": 10,
                "colour": np.array(COLOURS)[rng.integers(0, len(COLOURS), boxes)],
            }
        ),
    )  # fmt: skip
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def _timed(action) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _jit_day(engine: Engine, settings: Settings, day: date) -> float:
    """One day's build in sessions with JIT on (NaN, written null, where the server has no
    JIT)."""
    with_jit = create_engine(engine.url, connect_args={"options": "-c timezone=UTC -c jit=on"})
    try:
        with with_jit.connect() as connection:  # true only with jit on and LLVM installed
            if not connection.execute(text("SELECT pg_jit_available()")).scalar():
                return float("nan")
        seconds, _ = _timed(lambda: build_trends(with_jit, settings, day, day))
    finally:
        with_jit.dispose()
    return seconds


def run(quick: bool) -> dict[str, float | int]:
    posts, days = (100_000, 120) if quick else (1_000_000, 365)
    with (
        tempfile.TemporaryDirectory(prefix="tm_trends_speed_") as tmp,
        benchmark_server(Path(tmp)) as server,
        scratch_database(server, "tm_trends_speed") as url,
    ):
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
            generate_s, _ = _timed(lambda: generate(engine, posts, days))
            settings = Settings(database_url=None, model_version=MODEL)
            last = FIRST_DAY + timedelta(days=days - 1)
            scan_sql = text(
                "SELECT (taken_at AT TIME ZONE COALESCE(timezone, 'UTC'))::date, count(*), "
                "sum(likes) FROM posts GROUP BY 1"
            )
            with engine.connect() as connection:
                connection.execute(scan_sql).all()  # warm the cache like the rebuild will be
                scan_s, _ = _timed(lambda: connection.execute(scan_sql).all())
            full_s, result = _timed(lambda: build_trends(engine, settings, FIRST_DAY, last))
            day_s, _ = _timed(lambda: build_trends(engine, settings, last, last))
            sunday = last - timedelta(days=(last.weekday() + 1) % 7)
            sunday_s, _ = _timed(lambda: build_trends(engine, settings, sunday, sunday))
            jit_day_s = _jit_day(engine, settings, last)
        finally:
            engine.dispose()
    figures = result.as_dict()  # type: ignore[attr-defined]
    return {
        "posts": posts,
        "days": days,
        "cpu_count": os.cpu_count() or 0,
        "generate_s": round(generate_s, 2),
        "scan_s": round(scan_s, 3),
        "full_rebuild_s": round(full_s, 2),
        "full_rebuild_vs_scan": round(full_s / scan_s, 1),
        "incremental_day_s": round(day_s, 3),
        "incremental_day_vs_scan": round(day_s / scan_s, 2),
        "incremental_sunday_s": round(sunday_s, 3),
        "incremental_day_jit_on_s": round(jit_day_s, 3),
        "jit_on_vs_off_day": round(jit_day_s / day_s, 2),
        "activity_peak_days": figures["activity_peak_days"],
        "sentiment_peak_days": figures["sentiment_peak_days"],
        "attribute_fits": figures["attribute_fits"],
        "full_rebuild_goal_met": int(full_s <= 60),
        "incremental_goal_met": int(day_s <= 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 posts over 120 days.")
    parser.add_argument("--verbose", action="store_true", help="Log each step's time.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    if args.verbose:
        logging.getLogger("trendminer.trends").setLevel(logging.DEBUG)
    figures = run(args.quick)
    for key, value in figures.items():
        print(f"{key:>26}: {value}")
    emit(figures)


if __name__ == "__main__":
    main()
