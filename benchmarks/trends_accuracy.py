"""Trends accuracy on Sample worlds: planted peaks, influencers, trends and events found.

For each seed: generate a Sample world (the packaged ``default`` scenario with its volume
scaled by ``--scale``, so that tests have power), run the real chain into a temporary database
(``import_archive`` -> ``enrich`` -> ``detect`` with the shipped checkpoint -> ``build_trends``)
and score the trend tables against ``truth/events.json``:

Matching (peaks): a peak run (consecutive peak days of one series, ``hashtag = '*'``) matches
a planted event when the run and the event's local days overlap (no date slack: a day is
judged from the days up to it, so a found peak lies on the event's days) and the scope fits: a
city run matches events of that city or of every city; an all-cities run (``'*'``) matches any.

- activity peaks: a planted ``activity_peak`` (city, or every city) is found when its scope's
  series (``'*'``, city) or (``'*'``, ``'*'``) has a peak day within its days. Precision is over
  the peak runs of those series (hashtag series are not scored: the truth has no hashtag
  scope). ``activity_peaks_precision`` counts a run as right when it falls on days the scenario
  itself raised the posts of that scope (activity peaks, holidays, the extra posts of negative
  peaks and influencer campaigns); ``activity_peaks_precision_strict`` counts planted activity
  peaks only.
- negative-sentiment peaks: the same with ``negative_peak`` events and sentiment peak runs; the
  planted drivers' share found in the top 3 of ``trend_peak_influencers`` of their peak, over
  the planted peaks that were found (a missed peak has no ranking; it counts in the recall).
- attribute events: a planted ``attribute_event`` (city, class or colour) is found when
  ``trend_attribute_events`` has an event of that city and attribute overlapping its weeks;
  precision over the events of single classes and colours in named cities. Scored on the
  detector's output. Also the share of planted keywords among the event's top-10 keywords.
- attribute trends: planted ``attribute_trend`` with a positive slope (p < 0.05) of the right sign.
- forecasts: the model's mean absolute error on held-back weeks against the mean, last-value
  and linear baselines (named cities).

``--jobs N`` runs N seeds side by side, each in a process and a database of its own: for a
machine with many cores and a GPU (generating and enriching use every core; the GPU detects for
all). Each seed prints a line with its stage times and ``misses``: the planted events it did not
find and the peak runs and events that match nothing planted. Last line: one JSON object of
fractions (pooled over seeds; null where nothing was counted). ``--quick``: the ``small``
scenario, one seed (a smoke run; too small for the tests to have power).

Size and time: the default ``--scale 24`` (about 70,600 posts and 97,000 pictures a world) is
what the planted events need to be found. At ``--scale 12`` the Milan skirt event (it moves its
city's garment share by about 2.4 points) was missed on the detector's output in all three
seeds, and London's negative peak (+15 points over 4 days, about 25 labelled posts a day) was
found in seeds 7 and 8 at p about 1e-6 but not in seed 9 (no run below p 1e-3). At scale 24,
seeds 7, 8 and 9 with the detector found every attribute event (6/6, precision 6/6), their
keywords (15/15), London's negative peak (3/3, precision 3/3) and its drivers in the top 3
(4/4), the trend's sign (3/3), and forecasts beat every baseline (stop 18). Activity peaks were
the weak part (recall 4/6, precision 13/15) while each city judged itself on its own history:
five weeks in, Paris's weekday baseline rested on 5 points a weekday. Since cities and hashtags
are judged as shares of all posts (``sql/README.md``, Baselines), ``--no-detect`` on seeds 7-12
finds 11 of 12 planted activity peaks with no unplanted one (precision 1.0, strict 23/26: the
other three fall on holidays and campaigns), and London's negative peak in 6 of 6 with its
drivers in the top 3 (8/8). The miss was seed 9's Paris event: that world planted 124 posts on
its two days against about 150 expected, because an event's extra posts were a Poisson draw.
They are exact now (stop 21: the expected count rounded at random, ordinary posts still
Poisson), seed 9 plants 150, and ``--no-detect`` on seeds 7-9 finds 6 of 6 activity peaks
(precision 12/12, strict 10/12), London's peak 3 of 3 (precision 3/3) with its drivers in the
top 3 (4/4), and nothing else is missed. Activity peaks do not depend on the detector. The
whole default run with the detector (stop 20, before exact events; AVX512-VNNI, 81 minutes on
2 shared cores): activity recall 5/6 (that Paris event) with precision 13/13 (strict 10/13),
every other figure met: sentiment 3/3 and 3/3, drivers 4/4, attribute events 6/6 and 6/6,
keywords 15/15, trend signs 3/3, forecasts 3/3.
Generating, importing, enriching and building take 4-9 minutes a world on 2 quiet cores
(12-14 minutes alongside other jobs), so ``--no-detect`` runs the three seeds in 15-25
minutes. The detector adds the pictures: a GPU does them in about a minute; 2 CPU cores run
the shipped checkpoint in int8 (its CPU default):
with AVX512-VNNI 97,000 pictures took 755 s (129 pictures/s; the whole world 18 minutes, the
three seeds about an hour), with AVX2 only about 50 pictures/s (about 40 minutes a world, two
hours for the three seeds). ``--scale 12`` halves every time.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import re
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pydantic import SecretStr
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from benchmarks._support import benchmark_server, emit
from trendminer.db import migrate
from trendminer.db.connection import make_engine
from trendminer.settings import Settings

SCENARIOS = Path(__file__).resolve().parents[1] / "trendminer" / "sources" / "sample" / "scenarios"
CLASSES = {
    "bag", "belt", "boots", "footwear", "outer", "dress", "sunglasses", "pants", "top",
    "shorts", "skirt", "headwear", "scarf/tie",
}  # fmt: skip
VOLUME_KINDS = ("activity_peak", "negative_peak", "influencer_campaign")

Run = tuple[str, date, date]  # city ('*' = all), first day, last day


@dataclass
class Tally:
    """Hits and totals pooled over seeds."""

    counts: dict[str, list[int]] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)  # what was not found, or found wrongly

    def add(self, name: str, hit: bool, what: str = "") -> None:
        pair = self.counts.setdefault(name, [0, 0])
        pair[0] += int(hit)
        pair[1] += 1
        if not hit and what:
            self.misses.append(f"{name}: {what}")

    def merge(self, counts: dict[str, list[int]]) -> None:
        """Add another tally's counts (a seed run in another process)."""
        for name, (hits, total) in counts.items():
            pair = self.counts.setdefault(name, [0, 0])
            pair[0] += hits
            pair[1] += total

    def fraction(self, name: str) -> float:
        hits, total = self.counts.get(name, [0, 0])
        return round(hits / total, 3) if total else float("nan")


def scaled_scenario(scale: float, folder: Path) -> Path:
    """The default scenario with ``posts_per_day`` multiplied by ``scale``."""
    source = (SCENARIOS / "default.toml").read_text()
    per_day = tomllib.loads(source)["world"]["posts_per_day"]
    scaled = re.sub(
        r"^posts_per_day = [0-9.]+",
        f"posts_per_day = {per_day * scale:g}",
        source,
        count=1,
        flags=re.M,
    )
    path = folder / "scenario.toml"
    path.write_text(scaled)
    return path


def _runs(rows: Iterable[tuple[Any, ...]]) -> list[Run]:
    """(city, day) peak rows -> runs of consecutive days per city."""
    runs: list[Run] = []
    for city, day in sorted(rows):
        if runs and runs[-1][0] == city and runs[-1][2] + timedelta(days=1) == day:
            runs[-1] = (city, runs[-1][1], day)
        else:
            runs.append((city, day, day))
    return runs


def _covers(event: dict[str, Any], city: str, first: date, last: date, slack: int = 0) -> bool:
    start = date.fromisoformat(event["start"]) - timedelta(days=slack)
    end = date.fromisoformat(event["end"]) + timedelta(days=slack)
    in_scope = event.get("city") is None or city in ("*", event["city"])
    return in_scope and first <= end and last >= start


def _peak_rows(engine: Engine, table: str) -> list[tuple[str, date]]:
    with engine.connect() as connection:
        return [
            (row[0], row[1])
            for row in connection.execute(
                text(f"SELECT city, day FROM {table} WHERE is_peak AND hashtag = '*'")
            )
        ]


def _holidays(scenario: Path) -> list[dict[str, Any]]:
    spec = tomllib.loads(scenario.read_text())
    return [
        {"start": str(h["date"]), "end": str(h["date"]), "city": None}
        for h in spec.get("holidays", [])
        if not h.get("cities")
    ] + [
        {"start": str(h["date"]), "end": str(h["date"]), "city": city}
        for h in spec.get("holidays", [])
        for city in h.get("cities", [])
    ]


def score_world(
    engine: Engine,
    events: list[dict[str, Any]],
    holidays: list[dict[str, Any]],
    tally: Tally,
    *,
    detector: bool = True,
) -> None:
    """Add one world's hits to the tally (the attribute figures only with the detector's)."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_kind.setdefault(event["kind"], []).append(event)
    activity = _runs(_peak_rows(engine, "trend_activity_days"))
    for event in by_kind.get("activity_peak", []):
        scope = event.get("city") or "*"
        tally.add(
            "activity_recall",
            any(c == scope and _covers(event, c, a, b) for c, a, b in activity),
            event["id"],
        )
    volume = [e for kind in VOLUME_KINDS for e in by_kind.get(kind, [])] + holidays
    for city, first, last in activity:
        tally.add(
            "activity_precision",
            any(_covers(e, city, first, last) for e in volume),
            f"{city} {first}..{last}",
        )
        tally.add(
            "activity_precision_strict",
            any(_covers(e, city, first, last) for e in by_kind.get("activity_peak", [])),
        )
    sentiment = _runs(_peak_rows(engine, "trend_sentiment_days"))
    negative = by_kind.get("negative_peak", [])
    for event in negative:
        found = [
            (c, a, b) for c, a, b in sentiment if c == event["city"] and _covers(event, c, a, b)
        ]
        tally.add("sentiment_recall", bool(found), event["id"])
        if not found:
            continue  # no peak to rank its drivers in: the miss counts in the recall
        with engine.connect() as connection:
            top = {
                row[0]
                for row in connection.execute(
                    text(
                        "SELECT username FROM trend_peak_influencers "
                        "WHERE peak_kind = 'sentiment' AND hashtag = '*' AND city = :city "
                        "AND day BETWEEN :s AND :e AND rank <= 3"
                    ),
                    {"city": event["city"], "s": event["start"], "e": event["end"]},
                )
            }
        for driver in event.get("influencers", []):
            tally.add("drivers_top3", driver in top, f"{event['id']} {driver}")
    for city, first, last in sentiment:
        tally.add(
            "sentiment_precision",
            any(_covers(e, city, first, last) for e in negative),
            f"{city} {first}..{last}",
        )
    if detector:
        _score_attributes(engine, by_kind, tally)


def _kind(attribute: str) -> str:
    return "class" if attribute in CLASSES else "colour"


def _score_attributes(
    engine: Engine, by_kind: dict[str, list[dict[str, Any]]], tally: Tally
) -> None:
    with engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT city, attribute_kind, attribute, start_week, end_week "
                "FROM trend_attribute_events WHERE attribute_kind IN ('class', 'colour') "
                "AND city NOT IN ('*', '(unknown)')"
            )
        ).all()
        planted = by_kind.get("attribute_event", [])

        def matches(event: dict[str, Any], row: Any) -> bool:
            start = date.fromisoformat(event["start"])
            end = date.fromisoformat(event["end"])
            return (
                row[0] == event["city"]
                and (row[1], row[2]) == (_kind(event["attribute"]), event["attribute"])
                and row[3] <= end
                and row[4] + timedelta(days=6) >= start
            )

        for event in planted:
            hits = [row for row in found if matches(event, row)]
            tally.add("attribute_events_recall", bool(hits), event["id"])
            if hits:
                keywords = {
                    row[0]
                    for row in connection.execute(
                        text(
                            "SELECT keyword FROM trend_attribute_event_keywords WHERE city = :c "
                            "AND attribute_kind = :k AND attribute = :a AND start_week = :w"
                        ),
                        {"c": hits[0][0], "k": hits[0][1], "a": hits[0][2], "w": hits[0][3]},
                    )
                }
                for keyword in event.get("keywords", []):
                    what = f"{event['id']} {keyword}"
                    tally.add("event_keywords_found", keyword in keywords, what)
        for row in found:
            tally.add(
                "attribute_events_precision",
                any(matches(e, row) for e in planted),
                f"{row[0]} {row[2]} {row[3]}..{row[4]}",
            )
        for event in by_kind.get("attribute_trend", []):
            fit = connection.execute(
                text(
                    "SELECT slope, slope_p_value FROM trend_attribute_fits WHERE city = :c "
                    "AND attribute_kind = :k AND attribute = :a"
                ),
                {"c": event["city"], "k": _kind(event["attribute"]), "a": event["attribute"]},
            ).first()
            sign = 1 if event.get("shift", 0) > 0 else -1
            tally.add(
                "attribute_trends_right_sign",
                fit is not None and fit[1] is not None and fit[1] < 0.05 and fit[0] * sign > 0,
                event["id"],
            )
        errors = connection.execute(
            text(
                "SELECT avg(model_mae), avg(mean_mae), avg(last_value_mae), avg(linear_mae) "
                "FROM trend_forecast_errors WHERE city NOT IN ('*', '(unknown)')"
            )
        ).one()
    if errors[0] is not None:
        model, *baselines = (float(value) for value in errors)
        for name, baseline in zip(("mean", "last_value", "linear"), baselines, strict=True):
            tally.add(f"forecast_beats_{name}", model < baseline)


def run_seed(
    scenario: Path, seed: int, server: str, workdir: Path, tally: Tally, *, detector: bool = True
) -> dict[str, Any]:
    """Generate, collect, enrich, detect, build and score one world."""
    from trendminer.collect import import_archive
    from trendminer.detect import detect
    from trendminer.enrich import enrich
    from trendminer.sources.sample import generate_world
    from trendminer.trends import build_trends

    world = workdir / f"world_{seed}"
    timings: dict[str, float] = {}
    started = time.perf_counter()
    summary = generate_world(scenario, world, seed=seed)
    timings["generate_s"] = time.perf_counter() - started
    name = f"tm_trends_accuracy_{os.getpid()}_{seed}"
    admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        settings = Settings(
            database_url=SecretStr(url),
            data_dir=workdir / f"data_{seed}",
            report_dir=workdir / "reports",
        )
        truth = json.loads((world / "truth" / "world.json").read_text())
        stages = [
            ("collect_s", lambda: import_archive(engine, settings, world)),
            ("enrich_s", lambda: enrich(engine, settings, everything=True)),
            ("detect_s", lambda: detect(engine, settings)),
        ]
        for stage, action in stages if detector else stages[:2]:
            began = time.perf_counter()
            action()
            timings[stage] = time.perf_counter() - began
        with engine.begin() as connection:
            for influencer in truth.get("influencers", []):
                if influencer.get("tracked"):
                    connection.execute(
                        text(
                            "INSERT INTO tracked_influencers (username) VALUES (:u) "
                            "ON CONFLICT DO NOTHING"
                        ),
                        {"u": influencer["username"]},
                    )
        began = time.perf_counter()
        build_trends(engine, settings, date.fromisoformat(truth["start"]),
                     date.fromisoformat(truth["end"]))  # fmt: skip
        timings["trends_s"] = time.perf_counter() - began
        events = json.loads((world / "truth" / "events.json").read_text())
        score_world(engine, events, _holidays(scenario), tally, detector=detector)
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    rounded = {k: round(v, 1) for k, v in timings.items()}
    return {"seed": seed, "posts": summary.posts, **rounded, "misses": tally.misses}


def _seed_job(
    scenario: Path, seed: int, server: str, workdir: Path, detector: bool
) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """One seed in a process of its own: its run and its tally's counts."""
    tally = Tally()
    run = run_seed(scenario, seed, server, workdir, tally, detector=detector)
    return run, tally.counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="The small scenario, one seed.")
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9])
    parser.add_argument("--scale", type=float, default=24.0, help="Volume x the default world.")
    parser.add_argument(
        "--no-detect",
        action="store_true",
        help="Skip the detector (attribute figures then come out null): peaks only.",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="Seeds run side by side, each in its own process and database (many cores, a GPU).",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    tally = Tally()
    runs = []
    with tempfile.TemporaryDirectory(prefix="tm_trends_accuracy_") as tmp:
        workdir = Path(tmp)
        with benchmark_server(workdir / "pg") as server:
            if args.quick:
                scenario, seeds = SCENARIOS / "small.toml", [args.seeds[0]]
            else:
                scenario, seeds = scaled_scenario(args.scale, workdir), args.seeds
            spawn = multiprocessing.get_context("spawn")  # CUDA is not safe across fork
            with ProcessPoolExecutor(max(1, args.jobs), mp_context=spawn) as pool:
                try:
                    jobs = [
                        pool.submit(_seed_job, scenario, seed, server, workdir, not args.no_detect)
                        for seed in seeds
                    ]
                    for job in jobs:
                        run, counts = job.result()
                        tally.merge(counts)
                        runs.append(run)
                        print(f"seed {run['seed']}: {json.dumps(run)}")
                except BaseException:
                    # Ctrl-C, SIGTERM or a failed seed: stop the other seeds, then the server
                    pool.shutdown(wait=False, cancel_futures=True)
                    for child in multiprocessing.active_children():
                        child.terminate()
                    for child in multiprocessing.active_children():
                        child.join()  # gone before their worlds' folder is removed
                    raise
    figures: dict[str, Any] = {
        "seeds": len(runs),
        "posts_per_world": round(sum(r["posts"] for r in runs) / max(len(runs), 1)),
        "activity_peaks_precision": tally.fraction("activity_precision"),
        "activity_peaks_precision_strict": tally.fraction("activity_precision_strict"),
        "activity_peaks_recall": tally.fraction("activity_recall"),
        "sentiment_peaks_precision": tally.fraction("sentiment_precision"),
        "sentiment_peaks_recall": tally.fraction("sentiment_recall"),
        "negative_drivers_in_top3": tally.fraction("drivers_top3"),
        "attribute_events_precision": tally.fraction("attribute_events_precision"),
        "attribute_events_recall": tally.fraction("attribute_events_recall"),
        "event_keywords_found": tally.fraction("event_keywords_found"),
        "attribute_trends_right_sign": tally.fraction("attribute_trends_right_sign"),
        "forecast_beats_mean": tally.fraction("forecast_beats_mean"),
        "forecast_beats_last_value": tally.fraction("forecast_beats_last_value"),
        "forecast_beats_linear": tally.fraction("forecast_beats_linear"),
        "counts": {k: v for k, v in sorted(tally.counts.items())},
    }
    emit(figures)


if __name__ == "__main__":
    main()
