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


def test_the_pairing_change_compares_the_calendar_month_before_of_one_detector(
    engine: Engine,
) -> None:
    """April against March only: not against January when March has no row, nor across
    detector versions."""
    rows = [
        ("2026-01-01", 1.0, "v1"), ("2026-03-01", 2.0, "v2"), ("2026-04-01", 2.5, "v2"),
        ("2026-06-01", 3.0, "v2"), ("2026-07-01", 9.0, "v1"),
    ]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO trend_garment_cooccurrence (city, month, item_kind, item_a, item_b, "
                "posts_both, posts_a, posts_b, posts_total, support, lift, model_version) "
                "VALUES ('Paris', :month, 'class', 'boots', 'dress', 5, 9, 9, 20, 0.25, :lift, "
                ":version)"
            ),
            [{"month": m, "lift": lift, "version": v} for m, lift, v in rows],
        )
        query = (QUERIES[0].parent / "cooccurrence_change.sql").read_text()
        changes = [(str(r.month), r.lift_change) for r in connection.execute(text(query))]
    assert [(month, None if c is None else float(c)) for month, c in changes] == [
        ("2026-01-01", None), ("2026-03-01", None), ("2026-04-01", 0.5),
        ("2026-06-01", None), ("2026-07-01", None),
    ]  # fmt: skip
