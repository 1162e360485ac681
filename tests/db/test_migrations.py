"""Migrations go up and down on an empty database."""

from __future__ import annotations

from sqlalchemy import inspect

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
