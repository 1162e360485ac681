"""``trendminer trends build|rebuild|refresh`` and the stand-alone ``trendminer peaks``."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from trendminer.cli.common import clean_errors, database, settings

app = typer.Typer(
    help="Trend tables: build them for a window of days, or refresh the days late data changed.",
    no_args_is_help=True,
)

StartOption = Annotated[
    datetime, typer.Option("--start", formats=["%Y-%m-%d"], help="First local date, YYYY-MM-DD.")
]
EndOption = Annotated[
    datetime,
    typer.Option("--end", formats=["%Y-%m-%d"], help="Last local date, YYYY-MM-DD (inclusive)."),
]


@app.command("build")
@clean_errors
def build(start: StartOption, end: EndOption) -> None:
    """Rebuild every trend table for the local days START .. END (idempotent)."""
    from trendminer.trends import build_trends

    with database() as engine:
        result = build_trends(engine, settings(), start.date(), end.date())
    typer.echo(json.dumps(result.as_dict()))


@app.command("rebuild")
@clean_errors
def rebuild_since(
    since: Annotated[
        datetime,
        typer.Option(
            "--since", formats=["%Y-%m-%d"], help="First local date whose inputs changed."
        ),
    ],
) -> None:
    """Rebuild the built days from SINCE on after their inputs changed outside TrendMiner (a
    list edited in SQL): days before the first judged day as history, the others judged again."""
    from trendminer.trends.rebuild import rebuild, window_from

    with database() as engine:
        with engine.connect() as connection:
            window = window_from(connection, since.date())
        if window is None:
            typer.echo(f"no built trend day from {since.date()} on: nothing to rebuild", err=True)
            typer.echo(json.dumps(None))
            return
        result = rebuild(engine, settings(), window, f"inputs changed from {since.date()}")
    typer.echo(json.dumps(result.as_dict()))


@app.command("refresh")
@clean_errors
def refresh(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only print the days that would be rebuilt.")
    ] = False,
) -> None:
    """Rebuild the built days whose posts arrived, were enriched or were detected after they
    were built (late data), and the days after them (their peaks read those days)."""
    from trendminer.trends.stale import refresh_stale, stale_window

    with database() as engine:
        if dry_run:
            with engine.connect() as connection:
                window = stale_window(connection, settings())
            typer.echo(json.dumps(None if window is None else {
                "start": window.start.isoformat(), "end": window.end.isoformat(),
                "history_from": window.history_from and window.history_from.isoformat(),
            }))  # fmt: skip
            return
        result = refresh_stale(engine, settings())
    if result is None:
        typer.echo("every built trend day is current: nothing to rebuild", err=True)
    typer.echo(json.dumps(None if result is None else result.as_dict()))


@clean_errors
def peaks(
    input_path: Annotated[Path, typer.Option("--input", help="CSV file with the series.")],
    time_column: Annotated[str, typer.Option("--time-column", help="Column of the times.")],
    value_column: Annotated[str, typer.Option("--value-column", help="Column of the values.")],
    output: Annotated[
        Path | None, typer.Option("--output", help="CSV to write; standard output if omitted.")
    ] = None,
    period: Annotated[
        str,
        typer.Option(
            "--period",
            help="Seasonal period: 'auto' (a daily or weekly cycle when the data shows one), "
            "a number of points, or a duration such as 1d, 7d, 24h.",
        ),
    ] = "auto",
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", help="Score a peak needs; default: setting peak_z_threshold."),
    ] = None,
) -> None:
    """Find the peaks of any series (no database needed).

    Writes one row per peak (start, end, peak_time, value, baseline, score); each point is
    judged only from the points before it, so later points never change earlier peaks.
    """
    from trendminer.trends.series import find_csv_peaks, read_series, write_peaks

    series = read_series(input_path, time_column, value_column)
    limit = threshold if threshold is not None else settings().peak_z_threshold
    write_peaks(find_csv_peaks(series, period=period, threshold=limit), output)
