"""Ground truth of a generated world: ``truth/world.json``, ``posts.jsonl``, ``events.json``
and COCO detection annotations ``coco_train.json``, ``coco_val.json``, ``coco_test.json``.
The formats are documented in the package docstring (``trendminer.sources.sample``).
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from trendminer.sources.sample.render import CLASSES, COLOUR_NAMES, RENDERER_VERSION, Box
from trendminer.sources.sample.scenario import Event
from trendminer.sources.sample.world import PlannedPost, World

SPLITS = ("train", "val", "test")


def split_of(shortcode: str) -> str:
    """The COCO split of a post: 80 % train, 10 % val, 10 % test, fixed by its shortcode."""
    bucket = zlib.crc32(shortcode.encode()) % 10
    return "train" if bucket < 8 else "val" if bucket == 8 else "test"


def _garments(boxes: Sequence[Box]) -> list[dict[str, Any]]:
    return [
        {
            "class": b.class_name,
            "colour": b.colour,
            "box": [b.x1, b.y1, b.x2, b.y2],
            "area": b.area,
            "person": b.person,
        }
        for b in boxes
    ]


def post_truth(post: PlannedPost, boxes: Sequence[Sequence[Box]]) -> dict[str, Any]:
    """One line of ``posts.jsonl``."""
    place = post.place
    location = None
    if place is not None:
        location = {
            "kind": place.kind,
            "id": place.location_id,
            "name": place.name,
            "lat": place.lat,
            "lng": place.lng,
            "nearest_city": place.nearest[0] if place.nearest else None,
            "nearest_country": place.nearest[1] if place.nearest else None,
            "nearest_geonameid": place.nearest[2] if place.nearest else None,
        }
    return {
        "shortcode": post.shortcode,
        "media_id": post.media_id,
        "folder": post.folder,
        "owner": post.owner.username,
        "influencer": post.owner.influencer,
        "taken_at": post.taken_at.isoformat(),
        "local_date": post.local_date.isoformat(),
        "timezone": post.city.timezone,
        "city": post.city.name,
        "country": post.city.country,
        "geonameid": post.city.geonameid,
        "location": location,
        "language": post.language,
        "sentiment": post.sentiment,
        "hostile": post.hostile,
        "likes": post.likes,
        "comments": len(post.comments),
        "hashtags": list(post.hashtags),
        "events": list(post.events),
        "typename": post.typename,
        "pictures": [
            {
                "file": f"{post.folder}/{name}",
                "width": spec.width,
                "height": spec.height,
                "garments": _garments(picture_boxes),
            }
            for name, spec, picture_boxes in zip(
                post.picture_names(), post.pictures, boxes, strict=True
            )
        ],
    }


def coco(
    posts: Sequence[PlannedPost], boxes: Sequence[Sequence[Sequence[Box]]], split: str
) -> dict[str, Any]:
    """COCO detection annotations of one split; ``file_name`` is relative to the world folder."""
    images: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for post, post_boxes in zip(posts, boxes, strict=True):
        if split_of(post.shortcode) != split:
            continue
        for position, (name, spec, picture_boxes) in enumerate(
            zip(post.picture_names(), post.pictures, post_boxes, strict=True)
        ):
            image_id = len(images) + 1
            images.append(
                {
                    "id": image_id,
                    "file_name": f"{post.folder}/{name}",
                    "width": spec.width,
                    "height": spec.height,
                    "shortcode": post.shortcode,
                    "position": position,
                }
            )
            for box in picture_boxes:
                annotations.append(
                    {
                        "id": len(annotations) + 1,
                        "image_id": image_id,
                        "category_id": CLASSES.index(box.class_name) + 1,
                        "bbox": [box.x1, box.y1, box.x2 - box.x1, box.y2 - box.y1],
                        "area": box.area,
                        "iscrowd": 0,
                        "attributes": {"colour": box.colour},
                    }
                )
    return {
        "info": {"description": "TrendMiner sample world", "renderer_version": RENDERER_VERSION},
        "images": images,
        "annotations": annotations,
        "categories": [
            {"id": i + 1, "name": name, "supercategory": "fashion"}
            for i, name in enumerate(CLASSES)
        ],
    }


def _has(box: Box, attribute: str) -> bool:
    return attribute in (box.class_name, box.colour)


def _attribute_shares(
    world: World,
    boxes: Sequence[Sequence[Sequence[Box]]],
    city: str,
    attribute: str,
    days: set[date],
) -> dict[str, float | int]:
    """Garment-level and post-level shares of ``attribute`` among ``city``'s posts on ``days``."""
    garments = hits = posts = posts_with = 0
    for post, post_boxes in zip(world.posts, boxes, strict=True):
        if post.city.name != city or post.local_date not in days:
            continue
        flat = [b for picture in post_boxes for b in picture]
        garments += len(flat)
        hits += sum(_has(b, attribute) for b in flat)
        posts += 1
        posts_with += any(_has(b, attribute) for b in flat)
    return {
        "posts": posts,
        "garment_share": round(hits / garments, 4) if garments else 0.0,
        "post_share": round(posts_with / posts, 4) if posts else 0.0,
    }


def _days(start: date, end: date) -> set[date]:
    return {start + timedelta(days=i) for i in range((end - start).days + 1)}


def event_truth(
    world: World, event: Event, boxes: Sequence[Sequence[Sequence[Box]]]
) -> dict[str, Any]:
    """One entry of ``events.json``: the event as planted and what the world shows of it."""
    s = world.scenario
    window = _days(event.start, event.end)
    everything = _days(s.start, s.end)
    out: dict[str, Any] = {
        "id": event.id,
        "kind": event.kind,
        "city": event.city,
        "start": event.start.isoformat(),
        "end": event.end.isoformat(),
    }
    in_scope = [p for p in world.posts if event.city is None or p.city.name == event.city]
    if event.kind == "activity_peak":
        counts = Counter(p.local_date for p in in_scope)
        planted = Counter(p.local_date for p in in_scope if event.id in p.events)
        per_day = []
        for day in sorted(window):
            baseline = sum(
                v for (c, d), v in world.expected.items() if d == day and event.city in (None, c)
            )
            per_day.append(
                {
                    "date": day.isoformat(),
                    "expected_baseline": round(baseline, 2),
                    "posts": counts[day],
                    "planted_posts": planted[day],
                }
            )
        out.update(multiplier=event.multiplier, days=per_day)
    elif event.kind == "negative_peak":

        def negative_share(days: set[date]) -> float:
            chosen = [p for p in in_scope if p.local_date in days]
            return round(sum(p.sentiment == "negative" for p in chosen) / max(len(chosen), 1), 4)

        out.update(
            increase=event.increase,
            influencers=list(world.negative_drivers[event.id]),
            baseline_negative_share=s.sentiment[2],
            observed_negative_share=negative_share(window),
            observed_negative_share_outside=negative_share(everything - window),
            driver_posts=sum(event.id in p.events for p in in_scope),
        )
    elif event.kind in ("attribute_trend", "attribute_event"):
        assert event.city is not None
        assert event.attribute is not None
        out.update(attribute=event.attribute, shift=event.shift)
        if event.kind == "attribute_trend":
            first = _days(event.start, event.start + timedelta(days=13))
            last = _days(event.end - timedelta(days=13), event.end)
            out.update(
                observed_first_two_weeks=_attribute_shares(
                    world, boxes, event.city, event.attribute, first
                ),
                observed_last_two_weeks=_attribute_shares(
                    world, boxes, event.city, event.attribute, last
                ),
            )
        else:
            out.update(
                keywords=list(event.keywords),
                observed_during=_attribute_shares(
                    world, boxes, event.city, event.attribute, window
                ),
                observed_outside=_attribute_shares(
                    world, boxes, event.city, event.attribute, everything - window
                ),
            )
    else:
        influencer = world.campaign_influencer[event.id]
        out.update(
            influencer=influencer,
            posts_per_day=event.posts_per_day,
            keywords=list(event.keywords),
            campaign_posts=sum(event.id in p.events for p in world.posts),
        )
    return out


def write_truth(
    root: Path, world: World, boxes: Sequence[Sequence[Sequence[Box]]], folders: Sequence[str]
) -> dict[str, int]:
    """Writes every truth file under ``root/truth``; returns the world's counts."""
    truth = root / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    with (truth / "posts.jsonl").open("w", encoding="utf-8") as fp:
        for post, post_boxes in zip(world.posts, boxes, strict=True):
            fp.write(json.dumps(post_truth(post, post_boxes), ensure_ascii=False) + "\n")
    events = [event_truth(world, e, boxes) for e in world.scenario.events]
    (truth / "events.json").write_text(json.dumps(events, indent=2, ensure_ascii=False))
    for split in SPLITS:
        (truth / f"coco_{split}.json").write_text(json.dumps(coco(world.posts, boxes, split)))
    s = world.scenario
    counts = {
        "posts": len(world.posts),
        "pictures": sum(len(p.pictures) for p in world.posts),
        "garments": sum(len(b) for post_boxes in boxes for b in post_boxes),
        "comments": sum(len(p.comments) for p in world.posts),
        "users": len(world.users),
        "influencers": sum(u.influencer for u in world.users),
        "events": len(s.events),
    }
    summary = {
        "renderer_version": RENDERER_VERSION,
        "scenario": s.name,
        "seed": world.seed,
        "start": s.start.isoformat(),
        "end": s.end.isoformat(),
        "hashtags": list(s.hashtags),
        "counts": counts,
        "classes": list(CLASSES),
        "colours": list(COLOUR_NAMES),
        "cities": [
            {
                "name": c.name,
                "country": c.country,
                "lat": c.lat,
                "lng": c.lng,
                "timezone": c.timezone,
                "geonameid": c.geonameid,
                "weight": c.weight,
            }
            for c in s.cities
        ],
        "influencers": [
            {
                "username": u.username,
                "user_id": u.user_id,
                "home_city": u.home_city,
                "followers": u.followers,
                "tracked": u.tracked,
            }
            for u in world.users
            if u.influencer
        ],
        "folders": sorted(folders),
    }
    (truth / "world.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    return counts
