"""``trendminer enrich``: language, sentiment and city of what was collected."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from trendminer.cli.common import clean_errors, database, settings


@clean_errors
def enrich(
    since: Annotated[
        datetime | None,
        typer.Option(
            "--since",
            help="Only posts taken from this date or time on (UTC), e.g. 2026-06-01.",
            formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
        ),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Enrich everything again, not only what is new.")
    ] = False,
) -> None:
    """Score caption and comment sentiment, tell their language, place posts in cities."""
    from trendminer.enrich import enrich as run_enrich

    window = since.replace(tzinfo=UTC) if since is not None and since.tzinfo is None else since
    with database() as engine:
        result = run_enrich(engine, settings(), since=window, everything=everything)
    typer.echo(json.dumps(result.as_dict()))
