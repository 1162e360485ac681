"""Shared fixtures: a real PostgreSQL for the tests.

``TRENDMINER_TEST_DATABASE_URL`` (a server URL whose user may create databases) is used when
set; otherwise an embedded PostgreSQL (pgserver) is started in a temporary folder for the
session. Each test that asks for ``engine`` gets a fresh database cloned from a migrated
template, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from trendminer.db import migrate
from trendminer.db.connection import make_engine, sqlalchemy_url
from trendminer.db.embedded import embedded_url, stop_embedded


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """libpq URL of the PostgreSQL server the tests use (its maintenance database)."""
    configured = os.environ.get("TRENDMINER_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    # Not under pytest's basetemp: pytest prunes old basetemps, which would pull the data
    # folder from under a server still used by a concurrent session.
    data_dir = Path(tempfile.mkdtemp(prefix="trendminer-tests-"))
    try:
        yield embedded_url(data_dir)
    finally:
        stop_embedded(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)


def database_url(server: str, name: str) -> str:
    """The URL of database ``name`` on the same server."""
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def _admin_engine(server: str) -> Engine:
    return create_engine(sqlalchemy_url(server), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def template_name(server_url: str) -> Iterator[str]:
    """A database migrated to head, cloned for each test."""
    name = f"tm_template_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine(server_url)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(database_url(server_url, name))
    migrate.upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _fresh_database(server: str, template: str | None) -> str:
    name = f"tm_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(server)
    with admin.connect() as connection:
        clause = f' TEMPLATE "{template}"' if template else ""
        connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    admin.dispose()
    return name


def _drop_database(server: str, name: str) -> None:
    admin = _admin_engine(server)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def db_url(server_url: str, template_name: str) -> Iterator[str]:
    """libpq URL of a fresh, migrated, empty database for one test."""
    name = _fresh_database(server_url, template_name)
    yield database_url(server_url, name)
    _drop_database(server_url, name)


@pytest.fixture
def empty_db_url(server_url: str) -> Iterator[str]:
    """libpq URL of a fresh database with no schema at all."""
    name = _fresh_database(server_url, None)
    yield database_url(server_url, name)
    _drop_database(server_url, name)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a fresh, migrated database."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def trendminer_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the settings (and CLI subprocesses) at the test database and a temp data folder."""
    from trendminer.settings import get_settings

    monkeypatch.setenv("TRENDMINER_DATABASE_URL", db_url)
    monkeypatch.setenv("TRENDMINER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TRENDMINER_REPORT_DIR", str(tmp_path / "reports"))
    monkeypatch.delenv("TRENDMINER_CONFIG", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
