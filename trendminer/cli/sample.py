"""``trendminer sample``: generate a sample world, list the packaged scenarios, preview pictures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from trendminer.cli.common import clean_errors

app = typer.Typer(
    help="The sample world: a generated Instagram-like world with pictures and ground truth.",
    no_args_is_help=True,
)


@app.command("generate")
@clean_errors
def generate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the world into.")],
    scenario: Annotated[
        str, typer.Option("--scenario", help="Packaged scenario name or a TOML file.")
    ] = "default",
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed (default: the scenario's).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Rendering processes (default: all cores).")
    ] = None,
) -> None:
    """Write a world in instaloader's --metadata-json layout plus its truth/ folder."""
    from trendminer.sources.sample import generate_world

    summary = generate_world(scenario, out, seed=seed, workers=workers)
    typer.echo(json.dumps(summary.as_dict()))


@app.command("scenarios")
@clean_errors
def scenarios() -> None:
    """List the packaged scenarios."""
    from trendminer.sources.sample import load_scenario, packaged_scenarios

    for name in packaged_scenarios():
        spec = load_scenario(name)
        typer.echo(
            f"{name}\t{spec.start}..{spec.end}\t{len(spec.cities)} cities\t"
            f"{spec.posts_per_day:g} posts/day\t{len(spec.events)} events"
        )


@app.command("preview")
@clean_errors
def preview(
    world: Annotated[Path, typer.Argument(help="A folder written by 'sample generate'.")],
    out: Annotated[Path, typer.Option("--out", help="The PNG contact sheet to write.")],
    count: Annotated[int, typer.Option("--count", help="Pictures on the sheet.")] = 24,
    split: Annotated[str, typer.Option("--split", help="COCO split: train, val, test.")] = "val",
) -> None:
    """Draw a contact sheet of pictures with their garment boxes and labels."""
    from trendminer.sources.sample.preview import contact_sheet

    typer.echo(str(contact_sheet(world, out, count=count, split=split)))
