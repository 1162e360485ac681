"""What every command shares: settings, the database engine, logging, clean errors."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, OperationalError

from trendminer.db import migrate
from trendminer.db.connection import engine_from_settings
from trendminer.errors import TrendMinerError
from trendminer.settings import Settings, get_settings

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger("trendminer")


def configure_logging(verbose: bool) -> None:
    """Log to standard error (standard output is for results)."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def settings() -> Settings:
    """The process settings."""
    return get_settings()


@contextmanager
def database(*, upgrade: bool = True) -> Iterator[Engine]:
    """The configured database engine, migrated to the newest schema unless told not to."""
    engine = engine_from_settings(settings())
    try:
        if upgrade:
            migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()


def clean_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn TrendMinerError, invalid settings and an unreachable database into a short message
    on standard error and exit code 1 (no traceback; no URL, so no password)."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except TrendMinerError as exc:
            message = str(exc)
        except ValidationError as exc:
            message = f"invalid settings: {exc}"
        except ArgumentError as exc:
            message = f"invalid database URL: {exc}"
        except OperationalError as exc:
            reason = str(exc.orig or exc).strip().splitlines()
            message = f"cannot reach the database: {reason[0] if reason else exc}"
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(code=1)

    return wrapper
