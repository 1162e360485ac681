"""The ``trendminer`` command: one sub-command per stage, plus lists and the database."""

from __future__ import annotations

from typing import Annotated

import typer

from trendminer.cli import collect, db, enrich, lists, report, sample, trends, vision
from trendminer.cli.common import configure_logging

app = typer.Typer(
    name="trendminer",
    help="Instagram fashion trend mining: collect, enrich, detect, trends, report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
) -> None:
    """Logs go to standard error; results to standard output."""
    configure_logging(verbose)


app.add_typer(db.app, name="db")
app.add_typer(lists.exclude_app, name="exclude")
app.add_typer(lists.track_app, name="track")
app.add_typer(sample.app, name="sample")
app.add_typer(collect.app, name="collect")
app.command("enrich")(enrich.enrich)
app.add_typer(trends.app, name="trends")
app.command("peaks")(trends.peaks)
vision.register(app)
report.register(app)
