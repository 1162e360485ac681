"""The daily report on hand-built trend rows: files, CSVs, anatomy, escaping, crops, empty days."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from tests.report.conftest import (
    EVENT_WEEK,
    HOSTILE_CAPTION,
    HOSTILE_TERM,
    OUTSIDE_DAY,
    HandBuilt,
)
from trendminer.cli.main import app
from trendminer.report import build_report
from trendminer.report.data import load_report_data
from trendminer.report.exports import EXPORTS
from trendminer.report.window import ReportWindow
from trendminer.settings import Settings


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_report_folder_holds_page_charts_csvs_and_summary(hand_built: HandBuilt) -> None:
    folder = build_report(hand_built.engine, hand_built.settings, hand_built.day)
    assert folder == hand_built.settings.report_dir / "2026-06-03"
    names = {path.name for path in folder.iterdir()}
    assert {"index.html", "summary.json", "activity.png", "sentiment.png"} <= names
    assert {f"{table}.csv" for table in EXPORTS} <= names
    page = (folder / "index.html").read_text()
    assert '<img class="chart" src="activity.png"' in page
    assert "<style>" in page
    assert "<link" not in page  # self-contained: no external stylesheet


def test_csvs_match_the_trend_tables_for_the_window(hand_built: HandBuilt) -> None:
    folder = build_report(hand_built.engine, hand_built.settings, hand_built.day)
    start = hand_built.day - timedelta(days=27)
    with hand_built.engine.connect() as connection:
        expected = connection.execute(
            text(
                "SELECT day, hashtag, city, posts FROM trend_daily_activity "
                "WHERE day >= :start AND day <= :end ORDER BY day, hashtag, city"
            ),
            {"start": start, "end": hand_built.day},
        ).all()
        influencers = connection.execute(
            text("SELECT username FROM trend_peak_influencers ORDER BY rank")
        ).scalars()
        expected_influencers = list(influencers)
    rows = _csv(folder / "trend_daily_activity.csv")
    assert [(r["day"], r["hashtag"], r["city"], int(r["posts"])) for r in rows] == [
        (d.isoformat(), h, c, p) for d, h, c, p in expected
    ]
    assert len(rows) == 14
    assert OUTSIDE_DAY.isoformat() not in {r["day"] for r in rows}
    peak_rows = _csv(folder / "trend_peak_influencers.csv")
    assert [r["username"] for r in peak_rows] == expected_influencers
    assert [r["garment_classes"] for r in _csv(folder / "trend_influencer_daily.csv")] == [
        "dress;bag"
    ]
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["csv_rows"]["trend_daily_activity"] == 14
    assert summary["csv_rows"]["trend_attribute_events"] == 1


def test_peak_anatomy_lists_its_influencers_and_cities(hand_built: HandBuilt) -> None:
    folder = build_report(hand_built.engine, hand_built.settings, hand_built.day)
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["peaks_total"] == 1
    peak = summary["peaks"][0]
    assert (peak["kind"], peak["city"], peak["day"]) == ("activity", "Paris", "2026-06-02")
    assert peak["window_start"] == "2026-06-01"
    assert peak["influencers"] == ["anna.style", "bob_looks"]
    page = (folder / "index.html").read_text()
    assert "Activity peak · 2026-06-02 · all hashtags, Paris" in page
    assert "found on the 2 days from 2026-06-01, which rose together" in page
    assert "<td><bdi>anna.style</bdi></td><td>Paris</td>" in page


def test_text_from_users_is_escaped(hand_built: HandBuilt) -> None:
    page = build_report(hand_built.engine, hand_built.settings, hand_built.day) / "index.html"
    html = page.read_text()
    assert "<script" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;caption&quot;)&lt;/script&gt;" in html
    assert "#<bdi>&lt;img src=x onerror=alert(1)&gt;</bdi>" in html  # isolated: no bidi spill
    assert HOSTILE_CAPTION not in html
    assert HOSTILE_TERM not in html


def test_event_crops_are_cut_from_the_detection_boxes(hand_built: HandBuilt) -> None:
    folder = build_report(hand_built.engine, hand_built.settings, hand_built.day)
    crops = sorted((folder / "crops").glob("*.jpg"))
    assert len(crops) == 3
    for crop in crops:
        with Image.open(crop) as picture:
            red, green, _ = ImageStat.Stat(picture.convert("RGB")).mean
            assert red > 150 > green  # the red box, not the grey around it
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["events"][0]["crops"] == 3
    assert summary["events"][0]["keywords"] == ["fete"]


def test_tracked_influencers_and_exclusions_are_reported(hand_built: HandBuilt) -> None:
    with hand_built.engine.begin() as connection:  # the spammer's post carries #outfit too
        connection.execute(text("INSERT INTO excluded_hashtags (hashtag) VALUES ('outfit')"))
        outfit = connection.execute(
            text("SELECT count(*) FROM post_hashtags WHERE hashtag = 'outfit' AND shortcode IN "
                 "(SELECT shortcode FROM posts WHERE owner <> 'spammer')")
        ).scalar_one()  # fmt: skip
    folder = build_report(hand_built.engine, hand_built.settings, hand_built.day)
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["tracked_influencers"] == 1
    assert summary["excluded_posts"] == 1 + outfit  # the spammer's post counted once
    html = (folder / "index.html").read_text()
    assert "<td>user</td><td>spammer</td>" in html


def test_a_day_without_data_gives_an_honest_empty_report(engine: Engine, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", report_dir=tmp_path / "reports")
    folder = build_report(engine, settings, date(2026, 1, 1))
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["empty"] is True
    assert summary["charts"] == []
    assert summary["posts"] == {"day": 0, "window": 0}
    html = (folder / "index.html").read_text()
    assert "No data for 2026-01-01" in html
    assert "trendminer trends build --start 2025-12-05 --end 2026-01-01" in html
    assert not list(folder.glob("*.png"))
    assert _csv(folder / "trend_daily_activity.csv") == []


def test_cli_report_writes_the_folder_and_prints_the_page(
    hand_built: HandBuilt, trendminer_env: Path
) -> None:
    out = trendminer_env / "elsewhere"
    result = CliRunner().invoke(app, ["report", "--date", "2026-06-03", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("elsewhere/2026-06-03/index.html")
    assert (out / "2026-06-03" / "summary.json").exists()


def test_a_failed_rebuild_leaves_the_old_report(
    hand_built: HandBuilt, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = build_report(hand_built.engine, hand_built.settings, hand_built.day)
    before = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}

    def broken(*_: object) -> None:
        raise OSError("the database went away")

    monkeypatch.setattr("trendminer.report.build.load_report_data", broken)
    with pytest.raises(OSError, match="went away"):
        build_report(hand_built.engine, hand_built.settings, hand_built.day)
    after = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}
    assert after == before
    assert [path.name for path in folder.parent.iterdir()] == ["2026-06-03"]  # no temp folder


def test_a_rebuild_replaces_the_folder_whole(hand_built: HandBuilt) -> None:
    folder = build_report(hand_built.engine, hand_built.settings, hand_built.day)
    (folder / "stale.csv").write_text("from an older build")
    assert build_report(hand_built.engine, hand_built.settings, hand_built.day) == folder
    assert not (folder / "stale.csv").exists()
    assert (folder / "index.html").is_file()
    assert [path.name for path in folder.parent.iterdir()] == ["2026-06-03"]


def test_a_past_report_charts_no_week_after_its_day_and_names_its_model(
    hand_built: HandBuilt,
) -> None:
    later = [EVENT_WEEK + timedelta(weeks=w) for w in (1, 2)]  # built after the report's day
    with hand_built.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO trend_attribute_weekly VALUES (:week, 'Paris', 'colour', 'Red', 4,"
                " 5, 0.8, 0.3, 0.95, 'm1')"
            ),
            [{"week": week} for week in later],
        )
        connection.execute(
            text(
                "INSERT INTO trend_attribute_fits VALUES ('Paris', 'colour', 'Red', 'linear', 5,"
                " :first, :last, 0.65, 0.5, 0.05, 0.001, NULL, NULL)"
            ),
            {"first": EVENT_WEEK - timedelta(weeks=2), "last": later[-1]},
        )
    with hand_built.engine.connect() as connection:
        data = load_report_data(connection, ReportWindow.ending(hand_built.day))
    (trend,) = data.trends
    assert [w.week for w in trend.history] == [EVENT_WEEK - timedelta(weeks=w) for w in (2, 1, 0)]
    assert data.model_through == later[-1] + timedelta(days=6)

    folder = build_report(hand_built.engine, hand_built.settings, hand_built.day)
    page = (folder / "index.html").read_text()
    assert "Model as of 2026-06-21: the latest build" in page
    assert "after this report&#x27;s day" in page
    assert json.loads((folder / "summary.json").read_text())["model_through"] == "2026-06-21"


def test_an_excluded_user_is_not_listed_as_tracked(hand_built: HandBuilt) -> None:
    with hand_built.engine.begin() as connection:  # tracked, then excluded
        connection.execute(text("INSERT INTO tracked_influencers (username) VALUES ('spammer')"))
    folder = build_report(hand_built.engine, hand_built.settings, hand_built.day)
    assert json.loads((folder / "summary.json").read_text())["tracked_influencers"] == 1
    tracked = (folder / "index.html").read_text().split('<section id="tracked">')[1]
    tracked = tracked.split("</section>")[0]
    assert "anna.style" in tracked
    assert "spammer" not in tracked
