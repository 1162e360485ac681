"""What the benchmarks share: a PostgreSQL server and databases that are cleaned up however a
run ends, and the one-line JSON result."""

from __future__ import annotations

import json
import math
import os
import signal
import sys
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from trendminer.db.connection import sqlalchemy_url
from trendminer.db.embedded import embedded_url, stop_embedded


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    """``timeout``, ``kill`` and CI cancellations send SIGTERM: unwind like Ctrl-C does."""
    sys.exit(128 + signum)


@contextmanager
def benchmark_server(folder: Path) -> Iterator[str]:
    """The libpq URL of ``TRENDMINER_TEST_DATABASE_URL`` when set, else of an embedded
    PostgreSQL started in ``folder`` and stopped at the end, also after an exception, Ctrl-C or
    SIGTERM."""
    configured = os.environ.get("TRENDMINER_TEST_DATABASE_URL")
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        yield configured or embedded_url(folder)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if not configured:
            stop_embedded(folder)


@contextmanager
def scratch_database(server: str, prefix: str = "tm_bench") -> Iterator[str]:
    """A fresh empty database on ``server`` (libpq URL), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(sqlalchemy_url(server), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def temporary_database() -> Iterator[str]:
    """A fresh empty database (libpq URL) on :func:`benchmark_server`, dropped afterwards."""
    with (
        tempfile.TemporaryDirectory(prefix="tm-bench-") as tmp,
        benchmark_server(Path(tmp)) as server,
        scratch_database(server) as url,
    ):
        yield url


def _finite(value: object) -> object:
    """NaN and infinities (a figure with nothing to measure) as JSON null; dicts and lists
    element by element."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def emit(figures: Mapping[str, object]) -> None:
    """Print the benchmark's figures as its last line: one strict JSON object (a figure with
    nothing to measure is null)."""
    print(json.dumps(_finite(figures), sort_keys=True, allow_nan=False))
