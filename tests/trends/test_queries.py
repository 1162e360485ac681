"""The example analyst queries run against the trend tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.trends.builders import background, insert_posts
from tests.trends.conftest import FIRST_DAY
from trendminer.settings import Settings
from trendminer.trends import build_trends
from trendminer.trends.sql import load_sql

QUERIES = sorted((Path(__file__).parents[2] / "sql" / "queries").glob("*.sql"))


def test_every_example_query_runs(engine: Engine, settings: Settings) -> None:
    insert_posts(engine, background(FIRST_DAY, 10))
    build_trends(engine, settings, FIRST_DAY, FIRST_DAY)
    assert len(QUERIES) >= 5
    with engine.connect() as connection:
        for query in QUERIES:
            connection.execute(text(query.read_text())).all()


@pytest.mark.parametrize(
    "name", [p.stem for p in sorted((Path(__file__).parents[2] / "sql" / "trends").glob("*.sql"))]
)
def test_each_trend_file_is_shipped_with_the_package_and_says_what_it_computes(name: str) -> None:
    sql = load_sql(name)
    assert sql.splitlines()[0].startswith("-- trend_")
    assert ":start" in sql or ":max_events" in sql
