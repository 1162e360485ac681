"""Values in PostgreSQL's COPY text format, read back as they were."""

from __future__ import annotations

from sqlalchemy import Engine

from trendminer.db.copy import copy_rows, copy_value, to_copy_text


def test_an_array_keeps_none_as_null(engine: Engine) -> None:
    values = ["a", None, "None", 'q"u', "back\\slash"]
    assert copy_value(values) == '{"a",NULL,"None","q\\\\"u","back\\\\\\\\slash"}'
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TEMP TABLE arrays (v text[]) ON COMMIT DROP")
        copy_rows(connection, "arrays", ["v"], to_copy_text([(values,), (("x", None),)]))
        stored = connection.exec_driver_sql("SELECT v FROM arrays").scalars().all()
    assert stored == [values, ["x", None]]
