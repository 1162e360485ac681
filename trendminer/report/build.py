"""``build_report``: the daily report folder, from one consistent snapshot of the trend tables."""

from __future__ import annotations

import json
import logging
import shutil
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from trendminer.report.charts import attribute_chart, day_series_chart
from trendminer.report.crops import cut_crop
from trendminer.report.data import ReportData, load_report_data
from trendminer.report.exports import export_tables
from trendminer.report.page import PageAssets, render_page
from trendminer.report.window import ReportWindow
from trendminer.settings import Settings

logger = logging.getLogger(__name__)

CHART_FILES = {
    "activity": "activity.png",
    "sentiment": "sentiment.png",
    "attributes": "attributes.png",
}


def report_folder(settings: Settings, day: date, out_dir: Path | None = None) -> Path:
    """``OUT/<day>``: OUT is ``out_dir`` or the settings' report folder."""
    return Path(out_dir or settings.report_dir) / day.isoformat()


def _sibling(folder: Path, purpose: str) -> Path:
    """A hidden, unique path beside ``folder`` (not a date: the reports list skips it)."""
    return folder.with_name(f".{folder.name}.{purpose}-{uuid.uuid4().hex[:8]}")


def _swap_in(built: Path, folder: Path) -> None:
    """Put the folder ``built`` in place of ``folder`` by renames; the old one is removed after."""
    old = _sibling(folder, "old")
    if folder.exists():
        folder.rename(old)
    try:
        built.rename(folder)
    except OSError:
        if old.exists():
            old.rename(folder)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _draw_charts(data: ReportData, folder: Path) -> dict[str, str]:
    charts: dict[str, str] = {}
    if any(p.value is not None for p in data.activity):
        day_series_chart(
            data.activity,
            folder / CHART_FILES["activity"],
            title="Daily activity index, all hashtags and cities",
            ylabel="activity index (posts + weighted likes)",
        )
        charts["activity"] = CHART_FILES["activity"]
    if any(p.value is not None for p in data.sentiment):
        day_series_chart(
            data.sentiment,
            folder / CHART_FILES["sentiment"],
            title="Share of negative posts, all hashtags and cities",
            ylabel="negative posts (% of labelled)",
            percent=True,
        )
        charts["sentiment"] = CHART_FILES["sentiment"]
    charted = [t for t in data.trends if t.history]
    if charted:
        attribute_chart(charted, folder / CHART_FILES["attributes"])
        charts["attributes"] = CHART_FILES["attributes"]
    return charts


def _cut_crops(data: ReportData, folder: Path, media_root: str) -> dict[tuple[int, int], str]:
    crops: dict[tuple[int, int], str] = {}
    for e, event in enumerate(data.events):
        for n, source in enumerate(event.crops):
            name = f"crops/event{e + 1}-{n + 1}.jpg"
            (folder / "crops").mkdir(exist_ok=True)
            if cut_crop(source, media_root, folder / name):
                crops[(e, n)] = name
    return crops


def _summary(data: ReportData, assets: PageAssets, generated_at: datetime) -> dict[str, Any]:
    return {
        "day": data.window.end.isoformat(),
        "window": {
            "start": data.window.start.isoformat(),
            "end": data.window.end.isoformat(),
            "week_start": data.window.week_start.isoformat(),
        },
        "generated_at": generated_at.isoformat(),
        "model_through": data.model_through.isoformat() if data.model_through else None,
        "empty": data.empty,
        "posts": {"day": data.day_posts, "window": data.window_posts},
        "labels": data.labels,
        "peaks_total": data.peaks_total,
        "peaks": [
            {
                "kind": p.kind,
                "hashtag": p.hashtag,
                "city": p.city,
                "day": p.day.isoformat(),
                "window_start": p.window_start.isoformat() if p.window_start else None,
                "label": p.label,
                "influencers": [i.username for i in p.influencers],
                "hashtags": list(p.hashtags),
                "keywords": list(p.keywords),
            }
            for p in data.peaks
        ],
        "trends": [
            {
                "city": t.city,
                "kind": t.kind,
                "attribute": t.attribute,
                "slope": t.slope,
                "p_value": t.p_value,
            }
            for t in data.trends
        ],
        "events": [
            {
                "city": e.city,
                "kind": e.kind,
                "attribute": e.attribute,
                "start_week": e.start_week.isoformat(),
                "end_week": e.end_week.isoformat(),
                "keywords": list(e.keywords),
                "crops": sum(1 for (i, _) in assets.crops if i == index),
            }
            for index, e in enumerate(data.events)
        ],
        "tracked_influencers": len(data.tracked),
        "excluded_posts": data.excluded_posts,
        "charts": sorted(assets.charts.values()),
        "csv_rows": assets.csv_rows,
    }


def _write_report(engine: Engine, settings: Settings, day: date, folder: Path) -> ReportData:
    """Write the report of ``day`` into the empty ``folder``."""
    window = ReportWindow.ending(day)
    snapshot = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with snapshot as connection, connection.begin():
        data = load_report_data(connection, window)
        csv_rows = export_tables(connection, window, folder)
    assets = PageAssets(
        charts=_draw_charts(data, folder),
        crops=_cut_crops(data, folder, settings.media_root),
        csv_rows=csv_rows,
    )
    generated_at = datetime.now(UTC)
    (folder / "index.html").write_text(render_page(data, assets, generated_at), encoding="utf-8")
    summary = _summary(data, assets, generated_at)
    (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return data


def build_report(
    engine: Engine, settings: Settings, day: date, out_dir: Path | None = None
) -> Path:
    """Write the report of local day ``day`` and return its folder (``OUT/<day>``).

    ``index.html`` (inline CSS), the charts (PNG) and garment crops beside it, one CSV per trend
    table for the window, and ``summary.json``. A day without data gives an honest empty
    report. The report is written into a hidden sibling folder that replaces the day's folder
    only once complete: a failed rebuild leaves the old report as it was.
    """
    folder = report_folder(settings, day, out_dir)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = _sibling(folder, "new")
    staging.mkdir()
    try:
        data = _write_report(engine, settings, day, staging)
        _swap_in(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    logger.info(
        "report for %s: %d posts in the window, %d peak days, %d events -> %s",
        day,
        data.window_posts,
        data.peaks_total,
        len(data.events),
        folder / "index.html",
    )
    return folder
