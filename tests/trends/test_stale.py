"""Late data makes its built days stale; a refresh rebuilds them to what a full build gives."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import Connection, Engine, text

from tests.trends.builders import MODEL, Post, background, insert_posts
from tests.trends.conftest import TREND_TABLES, full_build, snapshot
from tests.trends.test_build import burst, day
from trendminer.settings import Settings
from trendminer.trends import build_trends
from trendminer.trends.rebuild import LOCAL_DAY, RebuildWindow
from trendminer.trends.stale import refresh_stale, stale_window


@pytest.fixture
def built(engine: Engine, settings: Settings) -> Engine:
    """42 built days of background posts, enriched and detected before the build."""
    insert_posts(engine, background(day(0), 42))
    build_trends(engine, settings, day(0), day(41))
    return engine


def _late_post(connection: Connection) -> None:
    """Posts of day 30 first seen (and enriched) after the build."""
    connection.execute(
        text("UPDATE posts SET first_seen = now(), enriched_at = now() WHERE owner = 'late'")
    )


def _late_detection(connection: Connection) -> None:
    """A day-30 picture detected after the build, with other garments than it had."""
    media = (
        "SELECT m.media_id FROM media m JOIN posts p ON p.shortcode = m.shortcode "
        "WHERE p.owner = 'late'"
    )
    connection.execute(
        text(f"UPDATE detection_runs SET processed_at = now() WHERE media_id IN ({media})")
    )
    garments = "class_name = 'dress', colour = 'Red'"
    connection.execute(text(f"UPDATE detections SET {garments} WHERE media_id IN ({media})"))


def _moved_home(connection: Connection) -> None:
    """Day-30 posts placed in their owner's home city after the build."""
    connection.execute(
        text(
            "UPDATE posts SET city = 'Tokyo', timezone = 'Asia/Tokyo', city_source = 'home', "
            "enriched_at = now() WHERE owner = 'late'"
        )
    )


@pytest.mark.parametrize("change", [_late_post, _late_detection, _moved_home])
def test_late_data_makes_its_days_stale_and_a_refresh_rebuilds_them(
    engine: Engine, settings: Settings, change: Callable[[Connection], None]
) -> None:
    late = burst("late", 30, "Paris", 12, sentiment="negative", likes=400)
    insert_posts(engine, background(day(0), 42) + ([] if change is _late_post else late), MODEL)
    build_trends(engine, settings, day(0), day(41))
    with engine.connect() as connection:
        assert stale_window(connection, settings) is None
    before = {table: snapshot(engine, table) for table in TREND_TABLES}
    if change is _late_post:
        insert_posts(engine, late, MODEL)
    with engine.begin() as connection:
        change(connection)
    with engine.connect() as connection:
        assert stale_window(connection, settings) == RebuildWindow(day(29), day(41))
    assert refresh_stale(engine, settings) is not None
    refreshed = {table: snapshot(engine, table) for table in TREND_TABLES}
    assert refreshed != before
    with engine.connect() as connection:
        assert stale_window(connection, settings) is None

    assert refreshed == full_build(engine, settings, day(0), day(41))


def test_likes_counted_again_and_unbuilt_days_make_nothing_stale(
    built: Engine, settings: Settings
) -> None:
    insert_posts(built, burst("newday", 50, "Paris", 3))  # a day not built yet
    with built.begin() as connection:
        connection.execute(text("UPDATE posts SET first_seen = now(), enriched_at = now() "
                                "WHERE owner = 'newday'"))  # fmt: skip
        connection.execute(text("UPDATE posts SET likes = likes + 5, last_seen = now()"))
    with built.connect() as connection:
        assert stale_window(connection, settings) is None
    assert refresh_stale(built, settings) is None


def test_a_post_its_first_enrichment_moves_to_an_unbuilt_day_leaves_its_utc_day_stale(
    engine: Engine, settings: Settings
) -> None:
    """Unplaced, a post counts on its UTC day (day 41, built); placed in Tokyo it moves to day
    42, not built: day 41 must be rebuilt without it."""
    at = datetime.combine(day(41), time(16), UTC)  # 01:00 on day 42 in Tokyo
    late = [Post(f"mover{i}", "mover", at + timedelta(minutes=i), "Tokyo") for i in range(3)]
    insert_posts(engine, background(day(0), 42) + late)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE posts SET city = NULL, timezone = NULL, enriched_at = NULL "
                "WHERE owner = 'mover'"
            )
        )
    build_trends(engine, settings, day(0), day(41))
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE posts SET city = 'Tokyo', timezone = 'Asia/Tokyo', enriched_at = now() "
                "WHERE owner = 'mover'"
            )
        )
    with engine.connect() as connection:
        assert stale_window(connection, settings) == RebuildWindow(day(40), day(41))
    refresh_stale(engine, settings)
    refreshed = {table: snapshot(engine, table) for table in TREND_TABLES}
    assert refreshed == full_build(engine, settings, day(0), day(41))


def test_a_hashtag_a_built_post_gains_later_makes_its_day_stale(
    built: Engine, settings: Settings
) -> None:
    """Seen again in another hashtag's feed, a post joins that hashtag's series."""
    with built.begin() as connection:
        shortcode = connection.execute(
            text("SELECT shortcode FROM posts ORDER BY taken_at OFFSET 300 LIMIT 1")
        ).scalar_one()
        connection.execute(
            text("INSERT INTO post_hashtags (shortcode, hashtag) VALUES (:code, 'spam')"),
            {"code": shortcode},
        )
        first = connection.execute(
            text(f"SELECT {LOCAL_DAY} FROM posts p WHERE shortcode = :code"), {"code": shortcode}
        ).scalar_one()
    with built.connect() as connection:
        assert stale_window(connection, settings) == RebuildWindow(
            first - timedelta(days=1), day(41)
        )


def test_an_enrichment_committed_during_a_build_leaves_its_day_stale(
    engine: Engine, settings: Settings
) -> None:
    """The build does not see a transaction that started before it and commits after it."""
    insert_posts(engine, background(day(0), 42) + burst("late", 30, "Paris", 12))
    with engine.connect() as enrich:
        enrich.execute(
            text(
                "UPDATE posts SET sentiment_label = 'negative', enriched_at = now() "
                "WHERE owner = 'late'"
            )
        )
        build_trends(engine, settings, day(0), day(41))
        enrich.commit()
    with engine.connect() as connection:
        assert stale_window(connection, settings) == RebuildWindow(day(29), day(41))
