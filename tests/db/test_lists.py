"""The exclusion and tracking lists, edited by the CLI's functions or by SQL."""

from __future__ import annotations

from sqlalchemy import Engine, text

from trendminer.lists import NameList, list_names, remove_name


def test_a_name_written_by_sql_as_typed_can_be_removed_as_typed(engine: Engine) -> None:
    """'cafe' + a combining acute (as some keyboards type it) fits the table's rule, but is not
    the 'café' it normalises to."""
    typed = "cafe\u0301"
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO excluded_hashtags (hashtag) VALUES (:typed)"), {"typed": typed}
        )
        name, removed = remove_name(connection, NameList.EXCLUDED_HASHTAGS, typed)
        assert (name, removed) == ("caf\u00e9", True)
        assert list_names(connection, NameList.EXCLUDED_HASHTAGS) == []
