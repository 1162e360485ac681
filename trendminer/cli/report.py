"""``trendminer report`` (the daily report) and ``trendminer demo`` (the whole chain)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from trendminer.cli.common import clean_errors, database, settings


@clean_errors
def report(
    day: Annotated[
        datetime,
        typer.Option("--date", formats=["%Y-%m-%d"], help="Local day of the report, YYYY-MM-DD."),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder that receives DATE/; default: the report folder."),
    ] = None,
) -> None:
    """Write the daily report (index.html, charts, a CSV per trend table, summary.json)."""
    from trendminer.report import build_report

    with database() as engine:
        folder = build_report(engine, settings(), day.date(), out)
    typer.echo(str(folder / "index.html"))


@clean_errors
def demo(
    scenario: Annotated[
        str, typer.Option("--scenario", help="Sample-world scenario: default, small or a file.")
    ] = "default",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generated world.")] = 7,
) -> None:
    """Generate a Sample world and run the whole chain on it, up to its last day's report."""
    from trendminer.demo import run_demo

    summary = run_demo(settings(), scenario=scenario, seed=seed)
    typer.echo("\n".join(summary.lines()))


def register(app: typer.Typer) -> None:
    """Add ``report`` and ``demo`` to the ``trendminer`` command."""
    app.command("report")(report)
    app.command("demo")(demo)
