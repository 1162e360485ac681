"""Fast serialisation of rows into PostgreSQL's COPY text format, and COPY itself."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def _field(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return "{" + ",".join('"' + str(item).replace('"', '\\"') + '"' for item in value) + "}"
    return str(value)


def to_copy_text(rows: Iterable[Sequence[Any]]) -> str:
    """Rows → one COPY text-format payload (tab-separated, ``\\N`` for NULL)."""
    return "".join("\t".join(map(_field, row)) + "\n" for row in rows)


def copy_rows(connection: Connection, table: str, columns: Sequence[str], payload: str) -> None:
    """COPY a pre-serialised text payload into ``table`` (a trusted name), in this transaction."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(payload))
    finally:
        cursor.close()
