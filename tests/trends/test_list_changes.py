"""A list change rebuilds what it touches: the tables then equal a full build with the list."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import Engine, text

from tests.trends.builders import background, insert_posts
from tests.trends.conftest import TREND_TABLES, full_build, snapshot
from tests.trends.test_build import burst, day
from trendminer.cli import lists as lists_cli
from trendminer.cli import trends as trends_cli
from trendminer.lists import NameList, add_name, remove_name
from trendminer.settings import Settings
from trendminer.trends import build_trends
from trendminer.trends.build import history_span
from trendminer.trends.list_changes import rebuild_after_change, rebuild_window
from trendminer.trends.rebuild import RebuildWindow


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
        window = rebuild_window(connection, name_list, name)
        assert window == RebuildWindow(day(first_touched), day(41))
    result = rebuild_after_change(world, settings, name_list, name)
    assert result is not None
    changed = _tables(world)
    assert changed != before
    assert changed == full_build(world, settings, day(0), day(41))

    with world.begin() as connection:
        remove_name(connection, name_list, name)
    rebuild_after_change(world, settings, name_list, name)
    assert _tables(world) == before


def test_a_name_without_posts_touches_nothing(world: Engine, settings: Settings) -> None:
    with world.begin() as connection:
        add_name(connection, NameList.EXCLUDED_USERS, "nobody")
    assert rebuild_after_change(world, settings, NameList.EXCLUDED_USERS, "nobody") is None


def _judged_after_history(engine: Engine, settings: Settings) -> tuple[date, date]:
    """'regular' posts in Paris from day 5 on; ten days judged, the days before them built as
    history only: the judged window."""
    span = history_span(settings)
    insert_posts(engine, background(day(0), span + 20))
    for offset in range(5, span + 20):
        insert_posts(engine, burst("regular", offset, "Paris", 2, likes=40))
    window = (day(span + 10), day(span + 19))
    build_trends(engine, settings, *window)
    return window


def test_a_change_touching_history_days_rebuilds_them_and_judges_no_more_days(
    engine: Engine, settings: Settings
) -> None:
    """Days built as history only (before the first judged day) are rebuilt as history: the
    judged days stay the window that was built, and repeated changes do not reach further back."""
    window = _judged_after_history(engine, settings)

    def judged_and_built() -> tuple[object, ...]:
        with engine.connect() as connection:
            return connection.execute(
                text(
                    "SELECT (SELECT min(day) FROM trend_activity_days), min(day), count(*) "
                    "FROM trend_build_days"
                )
            ).one()

    built = judged_and_built()
    assert built[0] == window[0]
    with engine.begin() as connection:
        add_name(connection, NameList.EXCLUDED_USERS, "regular")
        assert rebuild_window(connection, NameList.EXCLUDED_USERS, "regular") == RebuildWindow(
            window[0], window[1], history_from=max(day(5), built[1])
        )
    rebuild_after_change(engine, settings, NameList.EXCLUDED_USERS, "regular")
    assert judged_and_built() == built
    changed = _tables(engine)
    assert changed == full_build(engine, settings, *window)
    with engine.begin() as connection:
        add_name(connection, NameList.EXCLUDED_USERS, "user7")
    rebuild_after_change(engine, settings, NameList.EXCLUDED_USERS, "user7")
    assert judged_and_built() == built


def test_a_deferred_rebuild_names_the_window_to_build(
    world: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    with world.begin() as connection:
        add_name(connection, NameList.EXCLUDED_USERS, "latecomer")
    lists_cli._rebuild(world, NameList.EXCLUDED_USERS, "latecomer", rebuild=False)
    assert f"trendminer trends rebuild --since {day(20)}" in capsys.readouterr().err


def test_the_rebuild_command_judges_only_days_that_were_judged(
    engine: Engine, settings: Settings, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list edited in SQL touching days that were history only: `trends rebuild --since`
    rebuilds them as history and judges no day that was not judged before."""
    window = _judged_after_history(engine, settings)
    judged = "SELECT min(day), count(*) FROM trend_activity_days"
    with engine.connect() as connection:
        before = connection.execute(text(judged)).one()
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO excluded_users (username) VALUES ('regular')"))
    monkeypatch.setenv("TRENDMINER_DATABASE_URL", db_url)
    trends_cli.rebuild_since(datetime.combine(day(5), time()))
    with engine.connect() as connection:
        assert connection.execute(text(judged)).one() == before
    changed = _tables(engine)
    assert changed == full_build(engine, settings, *window)
