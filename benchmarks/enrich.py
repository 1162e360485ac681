"""Enrich benchmark: city and sentiment accuracy on the Sample world, throughput against VADER.

    python benchmarks/enrich.py [--quick] [--texts N]

A Sample world (``small`` with ``--quick``, else ``default``) is generated into a temporary
folder and imported (``trendminer.collect.import_archive``) into a fresh database; then:

- accuracy: ``trendminer.enrich.enrich`` runs; every post with a location is compared with its
  true city (``truth/posts.jsonl``), named as the stage names it (the true city's centre through
  the same locator, so "New York City" reads "New York"): ``city_accuracy``, also per location
  kind; ``sentiment_agreement``: label = intended sentiment, over scored English posts;
  ``language_accuracy`` and ``language_coverage`` (posts with a caption and a language);
  ``sentiment_coverage_english`` (true-English posts that were scored).
- throughput, side by side: N distinct caption texts (the world's captions, each made unique
  with a counter) go through the whole stage as posts (language, cleaning, VADER, COPY and
  UPDATE; ``captions_per_s``) and through bare VADER on all cores (a process pool over the same
  texts, nothing else; ``vader_per_s``); ``ratio_vs_vader`` = the first ÷ the second. The
  posts are vacuumed and analysed before the stage runs, as autovacuum leaves them.
- geocoding: ``points_per_s`` of ``CityLocator.locate`` over points scattered around the world's
  located posts.

The last line is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, text
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from benchmarks._support import emit, temporary_database
from trendminer.collect import import_archive
from trendminer.db import migrate
from trendminer.db.bulk import upsert_posts
from trendminer.db.connection import make_engine
from trendminer.enrich import enrich
from trendminer.enrich.stage import city_locator
from trendminer.records import PostRecord
from trendminer.settings import Settings
from trendminer.sources.sample import generate_world

_ANALYZER: SentimentIntensityAnalyzer | None = None


def _vader_chunk(texts: list[str]) -> int:
    assert _ANALYZER is not None
    for caption in texts:
        _ANALYZER.polarity_scores(caption)
    return len(texts)


def bare_vader(texts: list[str], workers: int) -> float:
    """Texts per second through VADER alone on ``workers`` processes (pool start included)."""
    global _ANALYZER
    _ANALYZER = SentimentIntensityAnalyzer()
    chunks = [texts[i : i + 1000] for i in range(0, len(texts), 1000)]
    started = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        done = sum(pool.map(_vader_chunk, chunks))
    return done / (time.perf_counter() - started)


def accuracy(engine: Engine, world: Path, settings: Settings) -> dict[str, float]:
    """Cities, labels and languages of the enriched world against its truth."""
    truth = [json.loads(line) for line in (world / "truth" / "posts.jsonl").open()]
    cities = {
        c["name"]: c for c in json.loads((world / "truth" / "world.json").read_text())["cities"]
    }
    locator = city_locator(settings)
    named = locator.locate(
        np.array([c["lat"] for c in cities.values()]), np.array([c["lng"] for c in cities.values()])
    )
    expected_name = dict(zip(cities, named.city, strict=True))
    with engine.connect() as connection:
        rows = {
            r.shortcode: r
            for r in connection.execute(
                text("SELECT shortcode, caption, city, language, sentiment_label FROM posts")
            )
        }
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    labels = scored_english = english = languages = language_hits = captions = 0
    for post in truth:
        row = rows.get(post["shortcode"])
        if row is None:
            continue
        if post["location"] is not None:
            kind = post["location"]["kind"]
            totals[kind] += 1
            hits[kind] += row.city == expected_name[post["city"]]
        if row.caption:
            captions += 1
            languages += row.language is not None
            language_hits += row.language == post["language"]
        if post["language"] == "en":
            english += 1
            if row.sentiment_label is not None:
                scored_english += 1
                labels += row.sentiment_label == post["sentiment"]
    located = sum(totals.values())
    figures: dict[str, float] = {
        "city_accuracy": round(sum(hits.values()) / max(located, 1), 4),
        "located_posts": located,
        "sentiment_agreement": round(labels / max(scored_english, 1), 4),
        "sentiment_coverage_english": round(scored_english / max(english, 1), 4),
        "language_accuracy": round(language_hits / max(captions, 1), 4),
        "language_coverage": round(languages / max(captions, 1), 4),
    }
    for kind, total in sorted(totals.items()):
        figures[f"city_accuracy_{kind}"] = round(hits[kind] / total, 4)
    return figures


def throughput(engine: Engine, settings: Settings, texts: list[str]) -> dict[str, float]:
    """Captions per second through the stage and through bare VADER, same texts."""
    seen = datetime(2026, 1, 1, tzinfo=UTC)
    posts = [
        PostRecord(f"BENCH{i:08d}", f"bench{i % 500}", seen - timedelta(minutes=i), seen, caption=t)
        for i, t in enumerate(texts)
    ]
    with engine.begin() as connection:
        for start in range(0, len(posts), 20000):
            upsert_posts(connection, posts[start : start + 20000])
    # As autovacuum leaves a collected table: analysed, with its posts still unenriched.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE posts")
    workers = settings.enrich_workers or os.cpu_count() or 1
    vader_before = bare_vader(texts, workers)
    started = time.perf_counter()
    result = enrich(engine, settings)
    stage = result.posts / (time.perf_counter() - started)
    vader = (vader_before + bare_vader(texts, workers)) / 2  # before and after: fair to both
    return {
        "texts": len(texts),
        "captions_per_s": round(stage),
        "vader_per_s": round(vader),
        "ratio_vs_vader": round(stage / vader, 3),
        "workers": workers,
    }


def geocoding(world: Path, settings: Settings, count: int) -> dict[str, float]:
    """Points per second placed by the locator around the world's located posts."""
    truth = [json.loads(line) for line in (world / "truth" / "posts.jsonl").open()]
    located = [p["location"] for p in truth if p["location"] and p["location"]["lat"] is not None]
    base = np.array([[p["lat"], p["lng"]] for p in located])
    rng = np.random.default_rng(5)
    picked = base[rng.integers(len(base), size=count)] + rng.normal(0.0, 0.05, size=(count, 2))
    locator = city_locator(settings)
    locator.locate(picked[:1000, 0], picked[:1000, 1])  # warm
    best = 0.0
    for _ in range(3):
        started = time.perf_counter()
        locator.locate(picked[:, 0], picked[:, 1])
        best = max(best, count / (time.perf_counter() - started))
    return {"points_per_s": round(best), "points": count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the small world, fewer texts")
    parser.add_argument("--texts", type=int, default=None, help="distinct texts to time")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    scenario = "small" if args.quick else "default"
    count = args.texts or (40000 if args.quick else 100000)  # quick: 2 batches, still overlapped
    figures: dict[str, object] = {"scenario": scenario}
    with tempfile.TemporaryDirectory(prefix="tm-enrich-") as tmp, temporary_database() as url:
        world = Path(tmp) / "world"
        generate_world(scenario, world, seed=7)
        settings = Settings(
            database_url=SecretStr(url),
            data_dir=Path(tmp) / "data",
            media_store=str(Path(tmp) / "media"),
        )
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
            import_archive(engine, settings, world)
            started = time.perf_counter()
            result = enrich(engine, settings)
            figures["world_enrich_s"] = round(time.perf_counter() - started, 2)
            figures["world_posts"] = result.posts
            figures.update(accuracy(engine, world, settings))
            with engine.connect() as connection:
                captions = (
                    connection.execute(
                        text(
                            "SELECT caption FROM posts WHERE caption IS NOT NULL ORDER BY shortcode"
                        )
                    )
                    .scalars()
                    .all()
                )
            texts = [f"{captions[i % len(captions)]} {i}" for i in range(count)]
            figures.update(throughput(engine, settings, texts))
            figures.update(geocoding(world, settings, 1_000_000 if not args.quick else 200_000))
        finally:
            engine.dispose()
    for key, value in figures.items():
        print(f"{key}: {value}")
    emit(figures)


if __name__ == "__main__":
    main()
