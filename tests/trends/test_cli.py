"""``trendminer peaks`` (no database) and ``trendminer trends build``."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from tests.trends.builders import background, insert_posts
from tests.trends.conftest import FIRST_DAY
from trendminer.cli.main import app
from trendminer.db.connection import sqlalchemy_url

runner = CliRunner()
ONE_DAY = timedelta(days=1)


def write_series(path: Path, values: np.ndarray, start: datetime, step: timedelta) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["when", "count", "other"])
        for i, value in enumerate(values):
            writer.writerow([(start + i * step).strftime("%Y-%m-%d %H:%M"), int(value), "x"])


def hourly_values(hours: int = 24 * 10, seed: int = 2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    hour = np.arange(hours) % 24
    return rng.poisson(30 + 25 * np.sin(np.pi * hour / 24) ** 2).astype(float)


def _peaks(source: Path, output: Path) -> list[dict[str, str]]:
    """``trendminer peaks`` of the series in ``source`` (columns when, count): its rows."""
    result = runner.invoke(
        app,
        ["peaks", "--input", str(source), "--time-column", "when", "--value-column", "count",
         "--output", str(output)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(output.open()))


def test_peaks_of_an_hourly_series_with_its_daily_cycle(tmp_path: Path) -> None:
    values = hourly_values()
    values[200] += 60
    source, output = tmp_path / "series.csv", tmp_path / "peaks.csv"
    write_series(source, values, datetime(2026, 1, 5), timedelta(hours=1))
    rows = _peaks(source, output)
    assert [row["peak_time"] for row in rows] == ["2026-01-13 08:00"]  # as written, no zone
    assert rows[0]["start"] == rows[0]["end"] == "2026-01-13 08:00"
    assert float(rows[0]["score"]) >= 3
    assert float(rows[0]["value"]) > float(rows[0]["baseline"])


def test_local_times_across_a_dst_change_are_read_by_their_instant(tmp_path: Path) -> None:
    """Paris hours over the spring change (+01:00, then +02:00): written back as they came."""
    values = hourly_values()
    values[200] += 60
    paris = ZoneInfo("Europe/Paris")
    first = datetime(2026, 3, 22, tzinfo=paris)
    source, output = tmp_path / "local.csv", tmp_path / "peaks.csv"
    with source.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["when", "count"])
        for i, value in enumerate(values):
            instant = (first.astimezone(UTC) + timedelta(hours=i)).astimezone(paris)
            writer.writerow([instant.isoformat(), int(value)])
    rows = _peaks(source, output)
    peak = (first.astimezone(UTC) + timedelta(hours=200)).astimezone(paris)
    assert peak.utcoffset() == timedelta(hours=2)
    assert [row["peak_time"] for row in rows] == [peak.isoformat()]


def test_no_peaks_still_writes_the_header(tmp_path: Path) -> None:
    source = tmp_path / "series.csv"
    write_series(source, hourly_values(), datetime(2026, 1, 5), timedelta(hours=1))
    result = runner.invoke(
        app,
        ["peaks", "--input", str(source), "--time-column", "when", "--value-column", "count",
         "--period", "24h"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines() == ["start,end,peak_time,value,baseline,score"]


def test_bad_input_is_a_clean_error(tmp_path: Path) -> None:
    source = tmp_path / "series.csv"
    write_series(source, hourly_values(48), datetime(2026, 1, 5), timedelta(hours=1))
    result = runner.invoke(
        app, ["peaks", "--input", str(source), "--time-column", "time", "--value-column", "count"]
    )
    assert result.exit_code == 1
    assert "no column 'time'" in result.output
    result = runner.invoke(
        app,
        ["peaks", "--input", str(source), "--time-column", "when", "--value-column", "count",
         "--period", "90min"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "whole number" in result.output


def test_trends_build_command(trendminer_env: Path, db_url: str) -> None:
    engine = create_engine(sqlalchemy_url(db_url))
    insert_posts(engine, background(FIRST_DAY, 3))
    result = runner.invoke(
        app, ["trends", "build", "--start", str(FIRST_DAY), "--end", str(FIRST_DAY)]
    )
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    assert counts["days"] == 1
    assert counts["activity_rows"] > 0
    with engine.connect() as connection:
        days = connection.execute(text("SELECT DISTINCT day FROM trend_daily_activity")).all()
    assert [d[0] for d in days] == [FIRST_DAY]

    def refresh(*options: str) -> object:
        result = runner.invoke(app, ["trends", "refresh", *options])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout.strip().splitlines()[-1])

    assert refresh("--dry-run") is None
    with engine.begin() as connection:
        connection.execute(text("UPDATE posts SET enriched_at = now()"))  # enriched again, late
    window = refresh("--dry-run")
    assert window == {
        "start": str(FIRST_DAY), "end": str(FIRST_DAY), "history_from": str(FIRST_DAY - ONE_DAY)
    }  # fmt: skip
    assert refresh()["days"] == 1  # type: ignore[index]
    assert refresh("--dry-run") is None
    engine.dispose()
