"""``trendminer db``: migrations and the embedded server."""

from __future__ import annotations

from typing import Annotated

import typer

from trendminer.cli.common import clean_errors, database, settings
from trendminer.db import migrate
from trendminer.db.connection import libpq_url
from trendminer.db.embedded import stop_embedded

app = typer.Typer(help="Database: migrations, URL, embedded server.", no_args_is_help=True)


@app.command()
@clean_errors
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply schema migrations (starts the embedded PostgreSQL when no URL is set)."""
    with database(upgrade=False) as engine:
        migrate.upgrade(engine, revision)
        typer.echo(f"database at revision {migrate.current_revision(engine)}", err=True)


@app.command()
@clean_errors
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision; 'base' drops everything.")],
) -> None:
    """Revert schema migrations down to REVISION."""
    with database(upgrade=False) as engine:
        migrate.downgrade(engine, revision)
        typer.echo(f"database at revision {migrate.current_revision(engine)}", err=True)


@app.command()
@clean_errors
def status() -> None:
    """Print the current and the newest schema revision."""
    with database(upgrade=False) as engine:
        current, head = migrate.current_revision(engine), migrate.head_revision(engine)
        unknown = migrate.unknown_revision(engine)
    if unknown is not None:
        state = str(migrate.newer_release_error(unknown))
    else:
        state = "up to date" if current == head else "needs `trendminer db upgrade`"
    typer.echo(f"current: {current or 'empty'}\nhead:    {head}\n{state}")


@app.command()
@clean_errors
def url() -> None:
    """Print the libpq URL (for psql or a BI tool) on standard output, nothing else."""
    typer.echo(libpq_url(settings()))


@app.command()
@clean_errors
def stop() -> None:
    """Stop the embedded PostgreSQL (no effect with a configured server)."""
    stopped = stop_embedded(settings().data_dir)
    typer.echo(
        "embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL not running", err=True
    )
