"""The CLI as a user runs it: a subprocess with the environment pointing at a test database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from trendminer.db.connection import make_engine


def trendminer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trendminer", *args], capture_output=True, text=True, timeout=120
    )


def test_db_url_prints_only_a_libpq_url(trendminer_env: Path, db_url: str) -> None:
    result = trendminer("db", "url")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == db_url
    assert result.stdout.startswith("postgresql://")
    assert "+psycopg2" not in result.stdout


def test_db_status_and_help(trendminer_env: Path) -> None:
    status = trendminer("db", "status")
    assert status.returncode == 0, status.stderr
    assert "up to date" in status.stdout
    for command in (["db"], ["exclude"], ["track"]):
        assert trendminer(*command, "--help").returncode == 0


def test_exclude_and_track_normalise_names(trendminer_env: Path) -> None:
    added = trendminer("exclude", "add", "user", " @Some.Body ")
    assert added.returncode == 0
    assert "nothing to rebuild" in added.stderr  # no trend day built yet
    deferred = trendminer("exclude", "add", "hashtag", "#SALE", "--no-rebuild")
    assert deferred.returncode == 0
    assert "nothing to rebuild" in deferred.stderr
    assert trendminer("track", "add", "@Influencer_1").returncode == 0
    assert trendminer("exclude", "list", "user").stdout.split() == ["some.body"]
    assert trendminer("exclude", "list", "hashtag").stdout.split() == ["sale"]
    assert trendminer("track", "list").stdout.split() == ["influencer_1"]
    assert trendminer("track", "remove", "influencer_1").returncode == 0
    assert trendminer("track", "list").stdout.split() == []


@pytest.mark.parametrize("name", ["two words", "'; DROP TABLE posts; --", "@"])
def test_bad_names_give_a_clear_error(trendminer_env: Path, name: str) -> None:
    result = trendminer("exclude", "add", "user", name)
    assert result.returncode == 1
    assert "not an Instagram user name" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_name_fails_before_the_database_is_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRENDMINER_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nowhere")
    result = trendminer("exclude", "add", "user", "two words")
    assert result.returncode == 1
    assert "not an Instagram user name" in result.stderr


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://someone:s3cr3t@127.0.0.1:1/nowhere", "cannot reach the database"),
        (
            "postgresql://someone:s3cr3t@127.0.0.1:port/nowhere",
            "URL (TRENDMINER_DATABASE_URL) is malformed",
        ),
    ],
)
def test_a_database_that_cannot_be_used_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, url: str, message: str
) -> None:
    monkeypatch.setenv("TRENDMINER_DATABASE_URL", url)
    result = trendminer("db", "status")
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert "s3cr3t" not in result.stderr


def test_embedded_database_starts_and_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRENDMINER_DATABASE_URL", raising=False)
    monkeypatch.setenv("TRENDMINER_DATA_DIR", str(tmp_path / "data"))
    url = trendminer("db", "url")
    assert url.returncode == 0, url.stderr
    assert url.stdout.startswith("postgresql://")
    assert "host=" in url.stdout
    try:
        assert trendminer("db", "upgrade").returncode == 0
        status = trendminer("db", "status")  # a second command finds the server running
        assert "up to date" in status.stdout
    finally:
        assert trendminer("db", "stop").returncode == 0
    assert not (tmp_path / "data" / "pgdata" / "postmaster.pid").exists()


def test_an_unknown_revision_is_one_clear_line(trendminer_env: Path) -> None:
    result = trendminer("db", "upgrade", "nonsense")
    assert result.returncode == 1
    assert "cannot migrate the database to 'nonsense'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_database_migrated_by_a_newer_release_is_named_plainly(
    trendminer_env: Path, db_url: str
) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0999_future'"))
    engine.dispose()
    newer = "the database was migrated by a newer TrendMiner (revision 0999_future)"
    for command in (["db", "upgrade"], ["exclude", "list", "user"]):
        result = trendminer(*command)
        assert result.returncode == 1
        assert newer in result.stderr
        assert "Traceback" not in result.stderr
    status = trendminer("db", "status")
    assert status.returncode == 0, status.stderr
    assert newer in status.stdout
    assert "needs" not in status.stdout


def test_a_setting_that_cannot_be_read_is_one_clear_line(
    trendminer_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRENDMINER_HASHTAGS", "outfit,streetstyle")
    result = trendminer("db", "url")
    assert result.returncode == 1
    assert "TRENDMINER_HASHTAGS cannot be read" in result.stderr
    assert "Traceback" not in result.stderr
