"""A small web app that lists the daily report folders and serves them (for the Airflow UI).

``GET /`` lists ``REPORT_DIR/<YYYY-MM-DD>/`` folders, newest first, with their summary;
``GET /<day>/`` is that day's ``index.html``; ``GET /<day>/<file>`` its charts, crops and CSVs.
Only files inside a day's folder are served; any other path is a 404.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.params import Depends
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from trendminer.orchestration.runtime import report_dir as configured_report_dir

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def report_days(root: Path) -> list[date]:
    """The days that have a report under ``root``, newest first."""
    days = []
    if root.is_dir():
        for folder in root.iterdir():
            try:
                day = date.fromisoformat(folder.name)
            except ValueError:
                continue
            if (folder / "index.html").is_file():
                days.append(day)
    return sorted(days, reverse=True)


def _summary_line(folder: Path) -> str:
    try:
        summary: dict[str, Any] = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    if summary.get("empty"):
        return "no data"
    posts = summary.get("posts", {}).get("day", 0)
    peaks = summary.get("peaks_total", 0)
    return f"{posts:,} posts · {peaks} peak days · {len(summary.get('events', []))} events"


def _day_folder(root: Path, day: str) -> Path:
    try:
        date.fromisoformat(day)
    except ValueError:
        raise HTTPException(status_code=404, detail="no such report") from None
    folder = root / day
    if not (folder / "index.html").is_file():
        raise HTTPException(status_code=404, detail="no such report")
    return folder


def create_app(
    report_dir: Callable[[], Path] | None = None, *, dependencies: Sequence[Depends] = ()
) -> FastAPI:
    """The reports app; ``report_dir`` gives the folder (default: the one the tasks write to,
    from the Airflow variable ``trendminer_settings`` else the environment, per request)."""
    app = FastAPI(
        title="TrendMiner reports",
        dependencies=list(dependencies),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    def root() -> Path:
        return Path((report_dir or configured_report_dir)())

    @app.get("/", response_class=HTMLResponse)
    def list_reports(request: Request) -> str:
        base = request.scope.get("root_path", "")
        folder = root()
        items = "".join(
            f'<li><a href="{html.escape(base)}/{day}/">{day}</a> '
            f"<span>{html.escape(_summary_line(folder / day.isoformat()))}</span></li>"
            for day in report_days(folder)
        )
        body = (
            f"<ul>{items}</ul>" if items else "<p>No report yet: run the DAG trendminer_report.</p>"
        )
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            "<title>Trend reports</title>"
            "<style>body{font:15px/1.6 system-ui,sans-serif;margin:24px;color:#1d2733}"
            "span{color:#5b6773;margin-left:8px}</style></head>"
            f"<body><h1>TrendMiner daily reports</h1>{body}</body></html>"
        )

    @app.get("/{day}")
    def report_without_slash(day: str) -> RedirectResponse:
        _day_folder(root(), day)
        return RedirectResponse(f"{day}/")

    @app.get("/{day}/")
    def report_page(day: str) -> FileResponse:
        return FileResponse(_day_folder(root(), day) / "index.html", media_type="text/html")

    @app.get("/{day}/{name:path}")
    def report_file(day: str, name: str) -> FileResponse:
        folder = _day_folder(root(), day)
        parts = name.split("/")
        if not all(_NAME.match(part) for part in parts):
            raise HTTPException(status_code=404, detail="no such file")
        path = folder.joinpath(*parts)
        if not path.is_file() or not path.resolve().is_relative_to(folder.resolve()):
            raise HTTPException(status_code=404, detail="no such file")
        return FileResponse(path)

    return app
