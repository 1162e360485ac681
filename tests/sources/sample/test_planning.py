"""World planning at its edges: overlapping peaks, file-name clashes at midnight, id range."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from instaloader import Post

from trendminer.sources.sample.render import Box
from trendminer.sources.sample.scenario import Scenario, parse_scenario
from trendminer.sources.sample.truth import event_truth
from trendminer.sources.sample.world import _Planner, simulate

_WORLD = """
[world]
start = {start}
days = 7
posts_per_day = {posts_per_day}
hashtags = ["outfit"]
[users]
ordinary = 50
influencers = 2
[[cities]]
name = "Paris"
country = "FR"
{cities}
{events}
"""


def _scenario(
    *, start: str = "2025-03-03", posts_per_day: int = 40, cities: str = "", events: str = ""
) -> Scenario:
    text = _WORLD.format(start=start, posts_per_day=posts_per_day, cities=cities, events=events)
    return parse_scenario(tomllib.loads(text), "test")


def test_overlapping_activity_peaks_each_plant_and_report_their_own_posts() -> None:
    scenario = _scenario(
        posts_per_day=400,
        cities='[[cities]]\nname = "London"\ncountry = "GB"',
        events="""
[[events]]
id = "global"
kind = "activity_peak"
start = 2025-03-05
days = 2
multiplier = 2.0
[[events]]
id = "paris"
kind = "activity_peak"
city = "Paris"
start = 2025-03-06
multiplier = 1.5
""",
    )
    world = simulate(scenario)
    boxes: list[list[list[Box]]] = [[[] for _ in p.pictures] for p in world.posts]
    assert not any({"global", "paris"} <= set(p.events) for p in world.posts)
    for event in scenario.events:
        truth = event_truth(world, event, boxes)
        for day in truth["days"]:
            tagged = sum(
                event.id in p.events and p.local_date.isoformat() == day["date"]
                for p in world.posts
            )
            wanted = (event.multiplier - 1) * day["expected_baseline"]
            assert day["planted_posts"] == tagged
            assert abs(day["planted_posts"] - wanted) < len(scenario.cities), (event.id, day)


def test_a_name_clash_at_the_last_second_of_a_local_day_stays_on_that_day() -> None:
    planner = _Planner(_scenario(), 5)
    first, second, third = [p for p in planner.plan().posts if p.city.name == "Paris"][:3]
    paris = ZoneInfo("Europe/Paris")
    last_second = datetime.combine(first.local_date, time(23, 59, 59), paris).astimezone(UTC)
    noon = datetime.combine(first.local_date, time(12), paris).astimezone(UTC)
    clashing = [
        replace(post, taken_at=moment, local_date=first.local_date)
        for post, moment in ((first, last_second), (second, last_second), (third, noon))
    ]
    moved = planner._unique_names([*clashing, replace(clashing[2], shortcode="x")])
    assert [p.taken_at.astimezone(paris).time() for p in moved] == [
        time(23, 59, 59), time(23, 59, 58), time(12), time(12, 0, 1),
    ]  # fmt: skip
    assert all(p.taken_at.astimezone(paris).date() == p.local_date for p in moved)


def test_worlds_at_the_edges_of_instagrams_id_range_are_planned() -> None:
    """Posts at 00:00 local in UTC+14 on the first day and 23:59 in UTC-12 on the last."""
    for start, zone in (("2011-08-26", "Pacific/Kiritimati"), ("2045-12-25", "Etc/GMT+12")):
        city = (
            f"[[cities]]\nname = 'Edge'\ncountry = 'KI'\nlat = 2\nlng = -157\ntimezone = '{zone}'"
        )
        world = simulate(_scenario(start=start, posts_per_day=300, cities=city))
        assert world.posts
        for post in world.posts:
            assert 0 < post.media_id < 2**63
            assert Post.shortcode_to_mediaid(post.shortcode) == post.media_id
