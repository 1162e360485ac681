"""Attribute-event rule on true garments: planted events found by the build's rule (garment
share) and by the post-share rule before it, side by side on the same worlds.

    python benchmarks/attribute_events_truth.py [--quick] [--seeds 7 8 ... 14] [--scale 12]

Plans Sample worlds (the ``default`` scenario scaled as in ``trends_accuracy.py``) without
rendering a picture and builds, from the worlds' true garments, each named city's weekly
series per garment class and colour: the garment share (mean over the week's posts of the
share of a post's garments showing the attribute, with its standard error) and the post share.
``rule``: the build's events (``trends.models.garment_events``: the garment-share fit with
each attribute's dispersion pooled over the world's cities, the volume floor and
``attribute_event_alpha`` from the settings); ``baseline``: the post-share binomial rule
(``fit_attribute``, runs of up to two weeks at alpha 1e-4, the rule until this one). Series
with data enough for the build to fit them (the trailing partial week left out, as the build
does). A found event matches a planted ``attribute_event`` of its city and attribute when
their weeks overlap.

This isolates the statistics from the detector: it takes seconds a world, where
``trends_accuracy.py`` renders and detects 47,000 pictures. Last line: one JSON object with
``precision``, ``recall`` and ``baseline_precision``, ``baseline_recall`` (pooled over seeds).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._support import emit
from benchmarks.trends_accuracy import CLASSES, scaled_scenario
from trendminer.settings import Settings
from trendminer.sources.sample.scenario import load_scenario
from trendminer.sources.sample.world import World, simulate
from trendminer.trends.attributes import AttributeEvent, find_events, fit_attribute
from trendminer.trends.models import (
    MIN_EVENT_LIFT,
    MIN_POSTS,
    MIN_WEEKS,
    WeeklySeries,
    garment_events,
    pooled_dispersions,
)

Rule = Callable[[WeeklySeries, dict[tuple[str, str], float]], list[AttributeEvent]]


def weekly_series(world: World) -> tuple[list[date], list[WeeklySeries]]:
    """Per named city and attribute, per complete local week, as the build reads them: posts
    showing it out of posts, and the mean (with its standard error) over the posts with
    garments of each post's share of garments showing it."""
    shown: Counter[tuple[str, str, date]] = Counter()
    fraction: defaultdict[tuple[str, str, date], float] = defaultdict(float)
    fraction_sq: defaultdict[tuple[str, str, date], float] = defaultdict(float)
    posts: Counter[tuple[str, date]] = Counter()
    boxed: Counter[tuple[str, date]] = Counter()
    for post in world.posts:
        week = post.local_date - timedelta(days=post.local_date.weekday())
        city = post.city.name
        posts[(city, week)] += 1
        garments = [g for picture in post.pictures for person in picture.people for g in person]
        if garments:
            boxed[(city, week)] += 1
        counts = Counter(g.class_name for g in garments) + Counter(g.colour for g in garments)
        for attribute, count in counts.items():
            shown[(city, attribute, week)] += 1
            fraction[(city, attribute, week)] += count / len(garments)
            fraction_sq[(city, attribute, week)] += (count / len(garments)) ** 2
    last_day = max(post.local_date for post in world.posts)
    weeks = sorted(w for w in {week for _, week in posts} if w + timedelta(days=6) <= last_day)
    numbers = np.arange(len(weeks), dtype=float)
    series: list[WeeklySeries] = []
    for city, attribute in sorted({(c, a) for c, a, _ in shown}):
        keys = [(city, attribute, w) for w in weeks]
        k = np.array([shown[key] for key in keys], dtype=float)
        n = np.array([posts[(city, w)] for w in weeks], dtype=float)
        b = np.array([boxed[(city, w)] for w in weeks], dtype=float)
        if len(weeks) < MIN_WEEKS or n.min() <= 0 or b.min() < 1 or k.sum() < MIN_POSTS:
            continue
        mean = np.array([fraction[key] for key in keys]) / b
        squares = np.array([fraction_sq[key] for key in keys])
        variance = np.maximum(squares - b * mean**2, 0.0) / np.maximum(b - 1, 1)
        kind = "class" if attribute in CLASSES else "colour"
        series.append(
            WeeklySeries((city, kind, attribute), numbers, k, n, mean, np.sqrt(variance / b), b)
        )
    return weeks, series


def score(
    weeks: list[date],
    series: list[WeeklySeries],
    planted: list[tuple[str, str, date, date]],
    rule: Rule,
) -> tuple[int, int, int, list[str]]:
    """(events found, of them planted, planted events found, the others as text)."""
    dispersions = pooled_dispersions(series)
    found = [
        (s.key[0], s.key[2], weeks[e.start], weeks[e.end])
        for s in series
        for e in rule(s, dispersions)
    ]

    def matches(event: tuple[str, str, date, date], row: tuple[str, str, date, date]) -> bool:
        return (
            event[:2] == row[:2] and row[2] <= event[3] and row[3] + timedelta(days=6) >= event[2]
        )

    wrong = [row for row in found if not any(matches(e, row) for e in planted)]
    recalled = sum(any(matches(e, row) for row in found) for e in planted)
    others = [f"{city} {attribute} {first}..{last}" for city, attribute, first, last in wrong]
    return len(found), len(found) - len(wrong), recalled, others


def _post_share_events(series: WeeklySeries) -> list[AttributeEvent]:
    """The rule before this one: the post share's binomial test, runs of two weeks, 1e-4."""
    fit = fit_attribute(
        series.weeks, series.posts, series.total, alpha=1e-4, min_lift=MIN_EVENT_LIFT
    )
    return find_events(fit, series.posts / series.total, series.total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Two seeds at scale 6.")
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9, 10, 11, 12, 13, 14])
    parser.add_argument("--scale", type=float, default=12.0, help="Volume x the default world.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    seeds, scale = (args.seeds[:2], 6.0) if args.quick else (args.seeds, args.scale)
    alpha = Settings().attribute_event_alpha
    rules: dict[str, Rule] = {
        "rule": lambda series, dispersions: garment_events(series, alpha, dispersions)[1],
        "baseline": lambda series, _: _post_share_events(series),
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
            found, right, recalled, others = score(weeks, series, planted, rule)
            totals[name] = [
                a + b for a, b in zip(totals[name], (found, right, recalled), strict=True)
            ]
            print(f"seed {seed} {name:>8}: {found} events, {right} planted; "
                  f"{recalled}/{len(planted)} planted found"
                  + "".join(f"; not planted: {other}" for other in others))  # fmt: skip
    figures: dict[str, object] = {"seeds": len(seeds), "scale": scale, "alpha": alpha}
    for name, (found, right, recalled) in totals.items():
        prefix = "" if name == "rule" else f"{name}_"
        figures[f"{prefix}events"] = found
        figures[f"{prefix}precision"] = round(right / found, 3) if found else float("nan")
        figures[f"{prefix}recall"] = round(recalled / planted_count, 3)
    emit(figures)


if __name__ == "__main__":
    main()
