"""Migrations go up and down on an empty database."""

from __future__ import annotations

from sqlalchemy import inspect, text

from trendminer.db import migrate
from trendminer.db.connection import make_engine


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
