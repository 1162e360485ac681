"""The world's truth: planted events show in the raw counts, truth files agree with the files."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

from trendminer.sources.sample import CLASSES, COLOUR_NAMES, RENDERER_VERSION, WorldSummary


def _posts(world: Path) -> list[dict]:
    lines = (world / "truth" / "posts.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _events(world: Path) -> dict[str, dict]:
    return {e["id"]: e for e in json.loads((world / "truth" / "events.json").read_text())}


def test_world_json_records_renderer_version_scenario_seed_and_counts(
    small_world: tuple[Path, WorldSummary],
) -> None:
    world, summary = small_world
    info = json.loads((world / "truth" / "world.json").read_text())
    assert info["renderer_version"] == RENDERER_VERSION
    assert (info["scenario"], info["seed"]) == ("small", 11)
    assert info["counts"]["posts"] == summary.posts == len(_posts(world))
    assert info["counts"]["pictures"] == summary.pictures
    assert info["classes"] == list(CLASSES)
    assert {c["name"] for c in info["cities"]} == {"Paris", "London", "Tokyo", "Bangkok"}
    assert all(c["timezone"] and c["geonameid"] for c in info["cities"])


def test_activity_peak_days_hold_the_planted_multiple(
    small_world: tuple[Path, WorldSummary],
) -> None:
    world, _ = small_world
    peak = _events(world)["activity_peak"]
    counts = Counter(p["local_date"] for p in _posts(world))
    expected = sum(d["expected_baseline"] for d in peak["days"]) * peak["multiplier"]
    observed = sum(counts[d["date"]] for d in peak["days"])
    assert observed == sum(d["posts"] for d in peak["days"])
    assert abs(observed - expected) <= 3 * math.sqrt(expected)
    quiet = [n for day, n in counts.items() if day not in {d["date"] for d in peak["days"]}]
    assert observed / len(peak["days"]) > 1.4 * (sum(quiet) / len(quiet))


def test_activity_peak_adds_its_expected_posts_whole_in_every_city(
    small_world: tuple[Path, WorldSummary],
) -> None:
    """The planted extra posts are (multiplier - 1) x the baseline, rounded per city: exact
    but for rounding, where a Poisson draw could plant a peak too small to exist."""
    world, _ = small_world
    peak = _events(world)["activity_peak"]
    cities = len(json.loads((world / "truth" / "world.json").read_text())["cities"])
    tagged = Counter(p["local_date"] for p in _posts(world) if "activity_peak" in p["events"])
    for day in peak["days"]:
        wanted = (peak["multiplier"] - 1) * day["expected_baseline"]
        assert day["planted_posts"] == tagged[day["date"]]
        assert abs(day["planted_posts"] - wanted) < cities
    assert sum(tagged.values()) == sum(d["planted_posts"] for d in peak["days"])


def test_negative_peak_lifts_the_citys_negative_share_through_its_influencers(
    small_world: tuple[Path, WorldSummary],
) -> None:
    world, _ = small_world
    event = _events(world)["negative_peak_london"]
    london = [p for p in _posts(world) if p["city"] == "London"]
    inside = [p for p in london if event["start"] <= p["local_date"] <= event["end"]]
    outside = [p for p in london if p not in inside]

    def share(posts: list[dict]) -> float:
        return sum(p["sentiment"] == "negative" for p in posts) / len(posts)

    assert share(inside) > share(outside) + 0.1
    drivers = [p for p in inside if "negative_peak_london" in p["events"]]
    assert drivers
    assert {p["owner"] for p in drivers} <= set(event["influencers"])


def test_attribute_event_raises_the_attribute_and_brings_its_keywords(
    small_world: tuple[Path, WorldSummary],
) -> None:
    world, _ = small_world
    event = _events(world)["songkran_bangkok"]
    assert event["observed_during"]["garment_share"] > event["observed_outside"]["garment_share"]
    tagged = [p for p in _posts(world) if "songkran_bangkok" in p["events"]]
    assert tagged
    assert all(p["city"] == "Bangkok" for p in tagged)


def test_campaign_posts_come_from_the_tracked_influencer(
    small_world: tuple[Path, WorldSummary],
) -> None:
    world, _ = small_world
    event = _events(world)["campaign_paris"]
    campaign = [p for p in _posts(world) if "campaign_paris" in p["events"]]
    assert len(campaign) == event["campaign_posts"] == event["posts_per_day"] * 2
    assert {p["owner"] for p in campaign} == {event["influencer"]}
    info = json.loads((world / "truth" / "world.json").read_text())
    tracked = {i["username"] for i in info["influencers"] if i["tracked"]}
    assert event["influencer"] in tracked


def test_locations_captions_and_languages_are_mixed_as_real_feeds(
    small_world: tuple[Path, WorldSummary],
) -> None:
    world, _ = small_world
    posts = _posts(world)
    kinds = Counter(p["location"]["kind"] if p["location"] else None for p in posts)
    assert kinds[None] > 0
    assert kinds["venue"] > 0
    assert kinds["name_only"] > 0
    assert kinds["suburb"] > 0
    suburbs = [p["location"] for p in posts if p["location"] and p["location"]["kind"] == "suburb"]
    assert any(s["nearest_city"] != p["city"] for s, p in zip(suburbs, posts, strict=False))
    assert Counter(p["language"] for p in posts)["en"] > len(posts) / 2
    assert {p["language"] for p in posts} >= {"en", "es", "fr"}
    assert any(p["hostile"] for p in posts)


def test_coco_files_point_at_pictures_with_boxes_inside(
    small_world: tuple[Path, WorldSummary],
) -> None:
    world, summary = small_world
    images = annotations = 0
    seen_classes: set[int] = set()
    for split in ("train", "val", "test"):
        coco = json.loads((world / "truth" / f"coco_{split}.json").read_text())
        assert coco["images"], split
        assert [c["name"] for c in coco["categories"]] == list(CLASSES)
        sizes = {i["id"]: (i["width"], i["height"]) for i in coco["images"]}
        for image in coco["images"]:
            assert (world / image["file_name"]).is_file()
        for annotation in coco["annotations"]:
            x, y, w, h = annotation["bbox"]
            width, height = sizes[annotation["image_id"]]
            assert 0 <= x < x + w <= width
            assert 0 <= y < y + h <= height
            assert 0 < annotation["area"] <= w * h
            assert annotation["attributes"]["colour"] in COLOUR_NAMES
            seen_classes.add(annotation["category_id"])
        images += len(coco["images"])
        annotations += len(coco["annotations"])
    assert images == summary.pictures
    assert annotations == summary.garments
    assert seen_classes == set(range(1, len(CLASSES) + 1))
