"""Late data makes its built days stale; a refresh rebuilds them to what a full build gives."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Connection, Engine, text

from tests.trends.builders import MODEL, background, insert_posts
from tests.trends.conftest import TREND_TABLES, snapshot
from tests.trends.test_build import burst, day
from trendminer.settings import Settings
from trendminer.trends import build_trends
from trendminer.trends.rebuild import RebuildWindow
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

    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TREND_TABLES)}, trend_build_days"))
    build_trends(engine, settings, day(0), day(41))
    assert refreshed == {table: snapshot(engine, table) for table in TREND_TABLES}


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
