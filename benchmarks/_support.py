"""What the benchmarks share: a temporary PostgreSQL database and the one-line JSON result."""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from trendminer.db.connection import sqlalchemy_url
from trendminer.db.embedded import embedded_url, stop_embedded


@contextmanager
def temporary_database() -> Iterator[str]:
    """A fresh empty database (libpq URL), dropped afterwards.

    On ``TRENDMINER_TEST_DATABASE_URL`` when set, else on an embedded PostgreSQL started in a
    temporary folder and stopped at the end.
    """
    configured = os.environ.get("TRENDMINER_TEST_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="tm-bench-") as tmp:
        server = configured or embedded_url(Path(tmp))
        name = f"tm_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(sqlalchemy_url(server), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
            if not configured:
                stop_embedded(Path(tmp))


def emit(figures: dict[str, object]) -> None:
    """Print the benchmark's figures as its last line: one JSON object."""
    print(json.dumps(figures, sort_keys=True))
