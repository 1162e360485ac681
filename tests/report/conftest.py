"""A small, hand-built set of trend-table rows (and the posts, pictures and detections behind
one attribute event) in a fresh database, for the report tests.

The report day is 2026-06-03; the window starts 2026-05-07. One activity peak (all hashtags,
Paris, on 06-02) with two influencers and hostile terms; one "Red" colour event in Paris with
three posts whose pictures hold a red box; one tracked influencer; one excluded user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import Engine, text

from tests.factories import make_post
from trendminer.db.bulk import upsert_posts
from trendminer.settings import Settings

DAY = date(2026, 6, 3)
HOSTILE_CAPTION = '<script>alert("caption")</script> red look #Outfit'
HOSTILE_TERM = "<img src=x onerror=alert(1)>"
OUTSIDE_DAY = DAY - timedelta(days=40)
EVENT_WEEK = date(2026, 6, 1)  # the Monday of DAY's week


@dataclass(frozen=True)
class HandBuilt:
    engine: Engine
    settings: Settings
    day: date


def _pictures(media_root: Path, count: int) -> list[Path]:
    """Plain pictures with a red rectangle at (40, 30)-(120, 150) on grey."""
    paths = []
    for index in range(count):
        picture = Image.new("RGB", (200, 200), (200, 200, 200))
        picture.paste((220, 20, 30), (40, 30, 120, 150))
        path = media_root / f"red{index}.jpg"
        picture.save(path)
        paths.append(path)
    return paths


def _insert(engine: Engine, sql: str, rows: list[dict[str, object]]) -> None:
    with engine.begin() as connection:
        connection.execute(text(sql), rows)


def _trend_rows(engine: Engine) -> None:
    days = [DAY - timedelta(days=n) for n in range(6, -1, -1)] + [OUTSIDE_DAY]
    _insert(
        engine,
        "INSERT INTO trend_daily_activity"
        " VALUES (:day, '*', :city, :posts, :posts * 10, 0, 3, :posts)",
        [
            {"day": d, "city": c, "posts": 10 + i}
            for i, d in enumerate(days)
            for c in ("*", "Paris")
        ],
    )
    _insert(
        engine,
        "INSERT INTO trend_activity_days VALUES ('*', :city, :day, :value, 12.0, :score, 2.0,"
        " :label, :peak, NULL, :day - 1)",  # each day scored with the day before it
        [
            {
                "day": d,
                "city": c,
                "value": 40.0 if d == DAY - timedelta(days=1) else 12.0 + i,
                "score": 5.0,
                "label": "non-average" if d == DAY - timedelta(days=1) else "average",
                "peak": d == DAY - timedelta(days=1) and c == "Paris",
            }
            for i, d in enumerate(days)
            for c in ("*", "Paris")
        ],
    )
    _insert(
        engine,
        "INSERT INTO trend_sentiment_days VALUES ('*', '*', :day, 20, 3, 0.15, 0.12, 0.3,"
        " 'average', false, NULL)",
        [{"day": d} for d in days],
    )
    peak = {"kind": "activity", "city": "Paris", "day": DAY - timedelta(days=1)}
    _insert(
        engine,
        "INSERT INTO trend_peak_influencers VALUES (:kind, '*', :city, :day, :rank, :user, 3, 900,"
        " 0, 0.4, :share, 120000, 'Paris')",
        [
            {**peak, "rank": 1, "user": "anna.style", "share": 0.6},
            {**peak, "rank": 2, "user": "bob_looks", "share": 0.2},
        ],
    )
    _insert(
        engine,
        "INSERT INTO trend_peak_terms"
        " VALUES (:kind, '*', :city, :day, 'hashtag', 1, :term, 4, 0.5, 8)",
        [{**peak, "term": HOSTILE_TERM}],
    )
    _insert(
        engine,
        "INSERT INTO trend_attribute_weekly VALUES (:week, 'Paris', 'colour', 'Red', 3, 5, 0.6,"
        " 0.2, 0.9, 'm1')",
        [{"week": EVENT_WEEK - timedelta(weeks=w)} for w in range(3)],
    )
    _insert(
        engine,
        "INSERT INTO trend_attribute_events VALUES ('Paris', 'colour', 'Red', :week, :week, 1,"
        " :week, 0.6, 0.1, 0.001, 4.2, 1)",
        [{"week": EVENT_WEEK}],
    )
    _insert(
        engine,
        "INSERT INTO trend_attribute_event_keywords VALUES ('Paris', 'colour', 'Red', :week, 1,"
        " 'fete', 3, 0.2, 15)",
        [{"week": EVENT_WEEK}],
    )
    _insert(
        engine,
        "INSERT INTO trend_influencer_daily VALUES ('anna.style', :day, 2, 500, 10, 0.5, 0, 3,"
        " ARRAY['dress', 'bag'])",
        [{"day": DAY - timedelta(days=1)}],
    )


def _event_posts(engine: Engine, media_root: Path) -> None:
    pictures = _pictures(media_root, 3)
    taken = datetime(2026, 6, 2, 10, 0, tzinfo=UTC)
    posts = [
        make_post(i, taken_at=taken + timedelta(minutes=i), caption=HOSTILE_CAPTION)
        for i in range(3)
    ] + [make_post(10, owner="spammer", taken_at=taken)]
    with engine.begin() as connection:
        upsert_posts(connection, posts)
        connection.execute(
            text("UPDATE posts SET city = 'Paris', timezone = 'Europe/Paris', enriched_at = now()")
        )
        for index, path in enumerate(pictures):
            connection.execute(
                text(
                    "UPDATE media SET path = :path, status = 'ok', width = 200, height = 200 "
                    "WHERE shortcode = :shortcode"
                ),
                {"path": path.name, "shortcode": f"SC{index:06d}"},
            )
        connection.execute(
            text(
                "INSERT INTO detections SELECT media_id, 'm1', 0, 'dress', 0.9, 40, 30, 120, 150,"
                " 'Red' FROM media WHERE status = 'ok'"
            )
        )
        connection.execute(text("INSERT INTO tracked_influencers (username) VALUES ('anna.style')"))
        connection.execute(text("INSERT INTO excluded_users (username) VALUES ('spammer')"))


@pytest.fixture
def hand_built(engine: Engine, tmp_path: Path) -> HandBuilt:
    """The hand-built rows in a fresh database; settings with a temp media store and reports."""
    media_root = tmp_path / "media"
    media_root.mkdir()
    _trend_rows(engine)
    _event_posts(engine, media_root)
    settings = Settings(
        data_dir=tmp_path / "data", media_store=str(media_root), report_dir=tmp_path / "reports"
    )
    return HandBuilt(engine, settings, DAY)
