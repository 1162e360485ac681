"""A list change rebuilds what it touches: the tables then equal a full build with the list."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from tests.trends.builders import background, insert_posts
from tests.trends.conftest import TREND_TABLES, snapshot
from tests.trends.test_build import burst, day
from trendminer.lists import NameList, add_name, remove_name
from trendminer.settings import Settings
from trendminer.trends import build_trends
from trendminer.trends.list_changes import rebuild_after_change, rebuild_window


@pytest.fixture
def world(engine: Engine, settings: Settings) -> Engine:
    """42 built days of background ('fan' comments on some posts); 'latecomer' posts in Paris
    with #newtag from day 20 on."""
    posts = background(day(0), 42)
    for offset in range(20, 42):
        posts += burst("latecomer", offset, "Paris", 3, hashtags=("outfit", "newtag"), likes=90)
    insert_posts(engine, posts)
    build_trends(engine, settings, day(0), day(41))
    return engine


def _tables(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    return {table: snapshot(engine, table) for table in TREND_TABLES}


def _full_build(engine: Engine, settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TREND_TABLES)}, trend_build_days"))
    build_trends(engine, settings, day(0), day(41))
    return _tables(engine)


@pytest.mark.parametrize(
    ("name_list", "name", "first_touched"),
    [
        (NameList.EXCLUDED_USERS, "latecomer", 20),
        (NameList.EXCLUDED_HASHTAGS, "newtag", 20),
        (NameList.EXCLUDED_USERS, "fan", 0),  # a commenter: the sentiment tables count comments
        (NameList.TRACKED_INFLUENCERS, "latecomer", 20),
    ],
)
def test_a_list_change_rebuilds_what_it_touches(
    world: Engine, settings: Settings, name_list: NameList, name: str, first_touched: int
) -> None:
    before = _tables(world)
    with world.begin() as connection:
        add_name(connection, name_list, name)
        assert rebuild_window(connection, name_list, name) == (day(first_touched), day(41))
    result = rebuild_after_change(world, settings, name_list, name)
    assert result is not None
    changed = _tables(world)
    assert changed != before
    assert changed == _full_build(world, settings)

    with world.begin() as connection:
        remove_name(connection, name_list, name)
    rebuild_after_change(world, settings, name_list, name)
    assert _tables(world) == before


def test_a_name_without_posts_touches_nothing(world: Engine, settings: Settings) -> None:
    with world.begin() as connection:
        add_name(connection, NameList.EXCLUDED_USERS, "nobody")
    assert rebuild_after_change(world, settings, NameList.EXCLUDED_USERS, "nobody") is None
