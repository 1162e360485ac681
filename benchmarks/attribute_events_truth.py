"""Attribute-event rule on true garments: planted events found, with the rule in use and a
single-week baseline, side by side on the same worlds.

    python benchmarks/attribute_events_truth.py [--quick] [--seeds 7 8 9 10 11] [--scale 12]

Plans Sample worlds (the ``default`` scenario scaled as in ``trends_accuracy.py``) without
rendering a picture, counts each named city's weekly share of posts showing each garment class
and colour from the worlds' true garments, and runs the event rule of the trend build
(``fit_attribute`` and ``find_events``, ``attribute_event_alpha`` from the settings) on every
series with data enough for the build to fit it (the trailing partial week left out, as the
build does). A found event matches a planted ``attribute_event`` of its city and attribute when
their weeks overlap. ``baseline``: one-week tests at alpha 0.001 (the rule before two-week runs).

This isolates the statistics from the detector: it takes seconds a world, where
``trends_accuracy.py`` renders and detects 47,000 pictures. Last line: one JSON object with
``precision``, ``recall`` and ``baseline_precision``, ``baseline_recall`` (pooled over seeds).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._support import emit
from benchmarks.trends_accuracy import scaled_scenario
from trendminer.settings import Settings
from trendminer.sources.sample.scenario import load_scenario
from trendminer.sources.sample.world import World, simulate
from trendminer.trends.attributes import AttributeFit, find_events, fit_attribute
from trendminer.trends.models import MIN_EVENT_LIFT, MIN_POSTS, MIN_WEEKS

Series = dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]  # (city, attribute) -> k, n
Rule = Callable[[np.ndarray, np.ndarray, np.ndarray], AttributeFit]


def weekly_series(world: World) -> tuple[list[date], Series]:
    """Per named city and attribute: posts showing it and posts, per complete local week."""
    shown: Counter[tuple[str, str, date]] = Counter()
    posts: Counter[tuple[str, date]] = Counter()
    for post in world.posts:
        week = post.local_date - timedelta(days=post.local_date.weekday())
        posts[(post.city.name, week)] += 1
        garments = [g for picture in post.pictures for person in picture.people for g in person]
        for attribute in {g.class_name for g in garments} | {g.colour for g in garments}:
            shown[(post.city.name, attribute, week)] += 1
    last_day = max(post.local_date for post in world.posts)
    weeks = sorted(w for w in {week for _, week in posts} if w + timedelta(days=6) <= last_day)
    series: Series = {}
    for city, attribute in {(c, a) for c, a, _ in shown}:
        k = np.array([shown[(city, attribute, w)] for w in weeks], dtype=float)
        n = np.array([posts[(city, w)] for w in weeks], dtype=float)
        if len(weeks) >= MIN_WEEKS and n.min() > 0 and k.sum() >= MIN_POSTS:
            series[(city, attribute)] = (k, n)
    return weeks, series


def score(
    weeks: list[date], series: Series, planted: list[tuple[str, str, date, date]], rule: Rule
) -> tuple[int, int, int]:
    """(events found, of them planted, planted events found)."""
    numbers = np.arange(len(weeks), dtype=float)
    found = []
    for (city, attribute), (k, n) in series.items():
        fit = rule(numbers, k, n)
        found += [(city, attribute, weeks[e.start], weeks[e.end]) for e in find_events(fit, k, n)]

    def matches(event: tuple[str, str, date, date], row: tuple[str, str, date, date]) -> bool:
        return (
            event[:2] == row[:2] and row[2] <= event[3] and row[3] + timedelta(days=6) >= event[2]
        )

    right = sum(any(matches(e, row) for e in planted) for row in found)
    recalled = sum(any(matches(e, row) for row in found) for e in planted)
    return len(found), right, recalled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Two seeds at scale 6.")
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9, 10, 11])
    parser.add_argument("--scale", type=float, default=12.0, help="Volume x the default world.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    seeds, scale = (args.seeds[:2], 6.0) if args.quick else (args.seeds, args.scale)
    alpha = Settings().attribute_event_alpha
    rules: dict[str, Rule] = {
        "rule": lambda w, k, n: fit_attribute(w, k, n, alpha=alpha, min_lift=MIN_EVENT_LIFT),
        "baseline": lambda w, k, n: fit_attribute(
            w, k, n, alpha=0.001, min_lift=MIN_EVENT_LIFT, windows=1
        ),
    }
    totals = {name: [0, 0, 0] for name in rules}
    planted_count = 0
    with tempfile.TemporaryDirectory(prefix="tm-attribute-truth-") as tmp:
        scenario = load_scenario(scaled_scenario(scale, Path(tmp)))
    planted = [
        (e.city or "*", e.attribute or "", e.start, e.end)
        for e in scenario.events
        if e.kind == "attribute_event"
    ]
    for seed in seeds:
        weeks, series = weekly_series(simulate(scenario, seed))
        planted_count += len(planted)
        for name, rule in rules.items():
            found, right, recalled = score(weeks, series, planted, rule)
            totals[name] = [
                a + b for a, b in zip(totals[name], (found, right, recalled), strict=True)
            ]
            print(f"seed {seed} {name:>8}: {found} events, {right} planted; "
                  f"{recalled}/{len(planted)} planted found")  # fmt: skip
    figures: dict[str, object] = {"seeds": len(seeds), "scale": scale, "alpha": alpha}
    for name, (found, right, recalled) in totals.items():
        prefix = "" if name == "rule" else f"{name}_"
        figures[f"{prefix}events"] = found
        figures[f"{prefix}precision"] = round(right / found, 3) if found else float("nan")
        figures[f"{prefix}recall"] = round(recalled / planted_count, 3)
    emit(figures)


if __name__ == "__main__":
    main()
