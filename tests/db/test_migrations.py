"""Migrations go up and down, one at a time, and refuse what they do not know."""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from trendminer.db import migrate
from trendminer.db.connection import make_engine
from trendminer.errors import DatabaseError
from trendminer.names import normalise_hashtag


def test_upgrade_then_downgrade_on_an_empty_database(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    assert migrate.current_revision(engine) is None

    migrate.upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"posts", "post_hashtags", "media", "detections", "scrape_state"} <= tables
    columns = {c["name"] for c in inspect(engine).get_columns("posts")}
    assert {"shortcode", "likes", "taken_at", "owner"} <= columns
    assert migrate.current_revision(engine) == migrate.head_revision(engine)
    owner_first = [
        i["name"]
        for i in inspect(engine).get_indexes("posts")
        if i["column_names"][:1] == ["owner"]
    ]
    assert owner_first == ["posts_owner_taken_at_idx"]

    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert migrate.current_revision(engine) is None

    migrate.upgrade(engine)  # and up again
    assert "posts" in inspect(engine).get_table_names()
    engine.dispose()


def test_comment_owners_are_renamed_as_the_lists_name_people(empty_db_url: str) -> None:
    """Comments stored before revision 0008 kept '@Hater'; the lists name that person 'hater'."""
    engine = make_engine(empty_db_url)
    migrate.upgrade(engine, "0007_attribute_week_totals")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO posts (shortcode, owner, taken_at, first_seen, last_seen) "
                "VALUES ('C1', 'ann', now(), now(), now())"
            )
        )
        connection.execute(
            text(
                "INSERT INTO comments (comment_id, shortcode, owner, text) VALUES "
                "(1, 'C1', ' @Hater', 'meh'), (2, 'C1', 'hater', 'no'), (3, 'C1', NULL, 'x')"
            )
        )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        owners = connection.execute(text("SELECT owner FROM comments ORDER BY 1")).scalars()
        assert list(owners) == ["hater", "hater", None]
    engine.dispose()


def _upgrade_when_all_are_ready(url: str, start: Barrier) -> None:
    start.wait()
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


def test_concurrent_upgrades_take_turns(empty_db_url: str) -> None:
    """Commands started together (processes) all migrate first: the later ones wait, then find
    the schema current (no duplicate alembic_version, no half-created table)."""
    context = multiprocessing.get_context("fork")
    start = context.Barrier(4)
    processes = [
        context.Process(target=_upgrade_when_all_are_ready, args=(empty_db_url, start))
        for _ in range(4)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        if process.is_alive():
            process.kill()
    assert [process.exitcode for process in processes] == [0, 0, 0, 0]
    engine = make_engine(empty_db_url)
    assert migrate.current_revision(engine) == migrate.head_revision(engine)
    engine.dispose()


def test_a_database_of_a_newer_release_is_refused_plainly(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0999_from_the_future'"))
    try:
        assert migrate.unknown_revision(engine) == "0999_from_the_future"
        for run in (migrate.upgrade, lambda e: migrate.downgrade(e, "0009_post_hashtags_added_at")):
            with pytest.raises(DatabaseError, match=r"newer TrendMiner \(revision 0999_from"):
                run(engine)
    finally:
        engine.dispose()


def test_an_unknown_target_revision_is_a_database_error(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert migrate.unknown_revision(engine) is None
        with pytest.raises(DatabaseError, match="cannot migrate the database to 'nonsense'"):
            migrate.upgrade(engine, "nonsense")
    finally:
        engine.dispose()


def test_list_names_written_by_sql_are_normalised_then_kept_so(
    empty_db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Lists are editable by SQL: names written as typed are normalised (duplicates merged,
    the earliest added_at kept; no name at all dropped with a warning), then constrained."""
    engine = make_engine(empty_db_url)
    migrate.upgrade(engine, "0009_post_hashtags_added_at")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO excluded_users (username, added_at) VALUES ('@Alice', '2026-01-01'),"
                " ('alice', '2026-02-01'), ('bob ', '2026-01-01'), ('two words', '2026-01-01');"
                "INSERT INTO tracked_influencers (username) VALUES (' @Influencer_1'), ('.dot');"
                "INSERT INTO excluded_hashtags (hashtag) VALUES ('#Sale'), ('sale'), ('x y'),"
                " ('Straße')"
            )
        )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        users = connection.execute(
            text("SELECT username, added_at::date::text FROM excluded_users ORDER BY 1")
        ).all()
        tracked = connection.execute(text("SELECT username FROM tracked_influencers")).scalars()
        tags = connection.execute(text("SELECT hashtag FROM excluded_hashtags ORDER BY 1"))
        assert [tuple(u) for u in users] == [("alice", "2026-01-01"), ("bob", "2026-01-01")]
        assert list(tracked) == ["influencer_1"]
        assert list(tags.scalars()) == ["sale", "strasse"]
    assert "dropped 'two words'" in caplog.text
    assert "dropped '.dot'" in caplog.text
    for table, column, name in [
        ("excluded_users", "username", "@Carol"),
        ("excluded_users", "username", "carol."),
        ("tracked_influencers", "username", "Carol"),
        ("excluded_hashtags", "hashtag", "#sale"),
        ("excluded_hashtags", "hashtag", "Sale"),
        ("excluded_hashtags", "hashtag", "sale "),
    ]:
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(
                text(f"INSERT INTO {table} ({column}) VALUES (:name)"), {"name": name}
            )
    with engine.begin() as connection:  # every normalised name still fits
        connection.execute(
            text("INSERT INTO excluded_hashtags (hashtag) VALUES (:a), (:b), (:c)"),
            {"a": normalise_hashtag("Été"), "b": normalise_hashtag("ß" * 100),
             "c": normalise_hashtag("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645")},
        )  # fmt: skip
    engine.dispose()
