"""The README's main command: the whole chain on a generated Sample world.

generate (``DATA_DIR/sample-world``) → collect (archive import) → enrich → detect (the shipped
checkpoint) → trends (the world's whole date range) → report (its last day). It writes into the
configured database (the embedded PostgreSQL when none is set); rerunning it is idempotent.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from trendminer.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What the demo found, and where its report is."""

    scenario: str
    seed: int
    start: date
    end: date
    posts: int
    pictures: int
    detections: int
    activity_peaks: int
    sentiment_peaks: int
    events: int
    report: Path
    seconds: float

    def as_dict(self) -> dict[str, int | float]:
        return {
            key: value
            for key, value in asdict(self).items()
            if isinstance(value, int | float) and not isinstance(value, bool)
        }

    def lines(self) -> list[str]:
        """The short summary the demo prints."""
        return [
            f"Sample world '{self.scenario}' (seed {self.seed}), {self.start} to {self.end}",
            f"posts: {self.posts:,}  pictures: {self.pictures:,}  detections: {self.detections:,}",
            f"peaks: {self.activity_peaks} activity, {self.sentiment_peaks} negative-sentiment;"
            f"  attribute events: {self.events}",
            f"report: {self.report / 'index.html'}",
            f"done in {self.seconds:.0f} s",
        ]


_COUNTS = """
SELECT (SELECT count(*) FROM posts) AS posts,
       (SELECT count(*) FROM media WHERE status = 'ok') AS pictures,
       (SELECT count(*) FROM detections) AS detections,
       (SELECT count(*) FROM trend_activity_days
        WHERE is_peak AND day BETWEEN :start AND :end) AS activity_peaks,
       (SELECT count(*) FROM trend_sentiment_days
        WHERE is_peak AND day BETWEEN :start AND :end) AS sentiment_peaks,
       (SELECT count(*) FROM trend_attribute_events) AS events
"""


def _world_truth(world: Path) -> dict[str, Any]:
    truth: dict[str, Any] = json.loads((world / "truth" / "world.json").read_text(encoding="utf-8"))
    return truth


def _track_influencers(engine: Engine, truth: dict[str, Any]) -> None:
    """Track the influencers the world marks tracked, as an analyst would with `track add`."""
    from trendminer.lists import NameList, add_name

    with engine.begin() as connection:
        for influencer in truth["influencers"]:
            if influencer.get("tracked"):
                add_name(connection, NameList.TRACKED_INFLUENCERS, influencer["username"])


def _run_chain(engine: Engine, settings: Settings, world: Path) -> tuple[date, date, Path]:
    from trendminer.collect import import_archive
    from trendminer.detect import detect
    from trendminer.enrich import enrich
    from trendminer.report import build_report
    from trendminer.trends import build_trends

    truth = _world_truth(world)
    start, end = date.fromisoformat(truth["start"]), date.fromisoformat(truth["end"])
    _track_influencers(engine, truth)
    steps = (
        ("collect", lambda: import_archive(engine, settings, world)),
        ("enrich", lambda: enrich(engine, settings)),
        ("detect", lambda: detect(engine, settings)),
        ("trends", lambda: build_trends(engine, settings, start, end)),
    )
    for name, step in steps:
        started = time.perf_counter()
        result = step()
        logger.info("demo %s in %.1f s: %s", name, time.perf_counter() - started, result.as_dict())
    return start, end, build_report(engine, settings, end)


def run_demo(settings: Settings, *, scenario: str = "default", seed: int = 7) -> DemoSummary:
    """Run the whole chain on the Sample world ``scenario`` and summarise what it found."""
    from trendminer.db import migrate
    from trendminer.db.connection import engine_from_settings
    from trendminer.sources.sample import generate_world

    started = time.perf_counter()
    world = settings.data_dir / "sample-world"
    generated = generate_world(scenario, world, seed=seed)
    logger.info(
        "demo world: %s posts, %s pictures in %s", generated.posts, generated.pictures, world
    )
    engine = engine_from_settings(settings)
    try:
        migrate.upgrade(engine)
        start, end, report = _run_chain(engine, settings, world)
        with engine.connect() as connection:
            counts = (
                connection.execute(text(_COUNTS), {"start": start, "end": end}).mappings().one()
            )
    finally:
        engine.dispose()
    summary = DemoSummary(
        scenario=scenario,
        seed=seed,
        start=start,
        end=end,
        report=report,
        seconds=round(time.perf_counter() - started, 1),
        **{k: int(v) for k, v in counts.items()},
    )
    for line in summary.lines():
        logger.info("%s", line)
    return summary
