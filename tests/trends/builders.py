"""Hand-made posts written straight into the real tables (as if collected, enriched, detected)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text

from trendminer.db.copy import copy_rows, to_copy_text

MODEL = "ssdlite-test-1"
CITIES = {"Paris": "Europe/Paris", "Tokyo": "Asia/Tokyo", "New York": "America/New_York"}
HASHTAGS = ("outfit", "streetstyle")


@dataclass
class Post:
    """One post with what the later stages would have added."""

    shortcode: str
    owner: str
    taken_at: datetime
    city: str | None
    likes: int = 10
    hashtags: tuple[str, ...] = ("outfit",)
    sentiment: str | None = "positive"
    caption: str = "new look today"
    garments: tuple[tuple[str, str], ...] = (("top", "White"),)
    comments: tuple[str | None, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)


def local_noon(day: date, city: str | None, hour: int = 12) -> datetime:
    """``hour`` o'clock local time in ``city`` (UTC when unknown), as a UTC datetime."""
    zone = ZoneInfo(CITIES[city]) if city else UTC
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def insert_posts(engine: Engine, posts: Sequence[Post], model_version: str = MODEL) -> None:
    """COPY posts, hashtags, media, comments, detection runs and detections."""
    compound = {"positive": 0.6, "neutral": 0.0, "negative": -0.6, None: None}
    with engine.begin() as connection:
        copy_rows(
            connection,
            "posts",
            ("shortcode", "owner", "taken_at", "caption", "likes", "comments", "first_seen",
             "last_seen", "city", "timezone", "sentiment_label", "sentiment_compound",
             "enriched_at"),
            to_copy_text(
                (p.shortcode, p.owner, p.taken_at, p.caption, p.likes, len(p.comments),
                 p.taken_at, p.taken_at, p.city, CITIES.get(p.city or ""), p.sentiment,
                 compound[p.sentiment], p.taken_at)
                for p in posts
            ),
        )  # fmt: skip
        copy_rows(
            connection,
            "post_hashtags",
            ("shortcode", "hashtag"),
            to_copy_text((p.shortcode, tag) for p in posts for tag in p.hashtags),
        )
        copy_rows(
            connection,
            "media",
            ("shortcode", "position", "status"),
            to_copy_text((p.shortcode, 0, "ok") for p in posts),
        )
        comment_id = connection.execute(text("SELECT count(*) FROM comments")).scalar() or 0
        rows = []
        for p in posts:
            for label in p.comments:
                comment_id += 1
                rows.append(
                    (comment_id, p.shortcode, "fan", "comment", p.taken_at, label, compound[label])
                )
        if rows:
            copy_rows(
                connection,
                "comments",
                (
                    "comment_id",
                    "shortcode",
                    "owner",
                    "text",
                    "created_at",
                    "sentiment_label",
                    "sentiment_compound",
                ),
                to_copy_text(rows),
            )
        media = dict(
            connection.execute(
                text("SELECT shortcode, media_id FROM media WHERE shortcode = ANY(:codes)"),
                {"codes": [p.shortcode for p in posts]},
            ).all()
        )
        copy_rows(
            connection,
            "detection_runs",
            ("media_id", "model_version", "boxes"),
            to_copy_text((media[p.shortcode], model_version, len(p.garments)) for p in posts),
        )
        copy_rows(
            connection,
            "detections",
            ("media_id", "model_version", "box_index", "class_name", "score", "x1", "y1", "x2",
             "y2", "colour"),
            to_copy_text(
                (media[p.shortcode], model_version, i, cls, 0.9, 0, 0, 10, 10, colour)
                for p in posts
                for i, (cls, colour) in enumerate(p.garments)
            ),
        )  # fmt: skip


def background(
    first: date, days: int, *, per_day: int = 12, seed: int = 1, prefix: str = "bg"
) -> list[Post]:
    """Ordinary posts: every city every day, a weekend bump, steady garments, few negatives."""
    rng = random.Random(seed)
    posts = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        count = per_day + (4 if day.weekday() >= 5 else 0) + rng.randint(-2, 2)
        for i in range(count):
            city = list(CITIES)[i % len(CITIES)]
            garments = [("top", rng.choice(["White", "Black"]))]
            if rng.random() < 0.5:
                garments.append(("pants", "Blue"))
            posts.append(
                Post(
                    shortcode=f"{prefix}{offset:03d}{i:03d}",
                    owner=f"user{rng.randint(1, 40)}",
                    taken_at=local_noon(day, city, hour=rng.randint(8, 20)),
                    city=city,
                    likes=rng.randint(5, 30),
                    hashtags=("outfit",) if rng.random() < 0.6 else ("outfit", "streetstyle"),
                    sentiment="negative" if rng.random() < 0.1 else "positive",
                    garments=tuple(garments),
                    comments=("positive", None) if rng.random() < 0.3 else (),
                )
            )
    return posts
