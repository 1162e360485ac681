"""The trend tables' SQL files, shipped with the package.

The canonical files live in ``sql/trends/`` at the repository root, where analysts read them;
``trendminer/trends/sql`` is a symbolic link to that folder, so an editable install reads the
same files and a built wheel carries copies (package data ``**/*.sql``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import Connection, text

logger = logging.getLogger(__name__)


@cache
def load_sql(name: str) -> str:
    """The text of ``sql/trends/<name>.sql``."""
    return resources.files("trendminer.trends").joinpath("sql", f"{name}.sql").read_text("utf-8")


def run_sql(connection: Connection, name: str, params: Mapping[str, Any]) -> None:
    """Run one trend SQL file (its statements in order) with bound parameters."""
    started = time.perf_counter()
    connection.execute(text(load_sql(name)), dict(params))
    logger.debug("%s.sql: %.2f s", name, time.perf_counter() - started)
