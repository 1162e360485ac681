"""Fast serialisation of rows into PostgreSQL's COPY text format, and COPY itself."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

NULL = "\\N"


def _text(value: str) -> str:
    # Four substring tests in C beat str.translate on the (usual) clean string.
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def _array_item(item: object) -> str:
    if item is None:
        return "NULL"
    return '"' + str(item).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _array(value: Sequence[object]) -> str:
    """A one-dimensional array literal: each element quoted, None as NULL."""
    return _text("{" + ",".join(_array_item(item) for item in value) + "}")


_FORMATTERS: dict[type, Callable[[Any], str]] = {
    str: _text,
    int: str,
    float: repr,
    bool: lambda value: "t" if value else "f",
    datetime: datetime.isoformat,
    tuple: _array,
    list: _array,
}


def copy_value(value: Any) -> str:
    """One value in COPY text format (``\\N`` for None)."""
    if value is None:
        return NULL
    formatter = _FORMATTERS.get(type(value))
    return formatter(value) if formatter is not None else _text(str(value))


def to_copy_text(rows: Iterable[Sequence[Any]]) -> str:
    """Rows → one COPY text-format payload (tab-separated, ``\\N`` for NULL)."""
    return "".join(["\t".join([copy_value(value) for value in row]) + "\n" for row in rows])


def copy_rows(connection: Connection, table: str, columns: Sequence[str], payload: str) -> None:
    """COPY a pre-serialised text payload into ``table`` (a trusted name), in this transaction."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(payload))
    finally:
        cursor.close()
