"""Parse DAG files the way the DAG processor does, with every way out to a database blocked.

Run as ``python tests/dags/guarded_parse.py FILE...`` (a fresh interpreter, so ``sys.modules``
tells what parsing imported). Prints one JSON object: per file the DAG ids, the import errors,
the connections it tried to open, and the heavy modules that parsing imported.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import psycopg2
from airflow.dag_processing.dagbag import DagBag
from sqlalchemy.engine import Engine

# Modules a DAG file must leave to its tasks.
HEAVY_MODULES = (
    "torch",
    "torchvision",
    "instaloader",
    "matplotlib",
    "pandas",
    "scipy",
    "vaderSentiment",
    "geopy",
    "pgserver",
    "trendminer.collect",
    "trendminer.enrich",
    "trendminer.detect",
    "trendminer.vision",
    "trendminer.trends",
    "trendminer.report",
    "trendminer.db.connection",
)


def _is_heavy(module: str) -> bool:
    return any(module == top or module.startswith(f"{top}.") for top in HEAVY_MODULES)


def _blocked(attempts: list[str], what: str) -> Callable[..., Any]:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(what)
        raise ConnectionRefusedError(f"{what} while parsing a DAG file")

    return refuse


def parse(path: Path) -> dict[str, Any]:
    """Fill a DagBag with one file while sockets, drivers and engines refuse to connect."""
    attempts: list[str] = []
    before = set(sys.modules)
    with (
        mock.patch.object(socket.socket, "connect", _blocked(attempts, "socket.connect")),
        mock.patch.object(socket.socket, "connect_ex", _blocked(attempts, "socket.connect_ex")),
        mock.patch.object(psycopg2, "connect", _blocked(attempts, "psycopg2.connect")),
        mock.patch.object(sqlite3, "connect", _blocked(attempts, "sqlite3.connect")),
        mock.patch.object(Engine, "connect", _blocked(attempts, "Engine.connect")),
        mock.patch.object(Engine, "raw_connection", _blocked(attempts, "Engine.raw_connection")),
    ):
        bag = DagBag(dag_folder=str(path), safe_mode=False)
    imported = set(sys.modules) - before
    heavy = sorted(name for name in imported if _is_heavy(name))
    return {
        "dag_ids": sorted(bag.dag_ids),
        "import_errors": {str(k): v for k, v in bag.import_errors.items()},
        "connection_attempts": attempts,
        "heavy_modules": heavy,
    }


if __name__ == "__main__":
    print(json.dumps({name: parse(Path(name)) for name in sys.argv[1:]}))
