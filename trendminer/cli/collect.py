"""``trendminer collect``: import instaloader archives, scrape Instagram hashtags."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from trendminer.cli.common import clean_errors, database, settings

app = typer.Typer(help="Collect posts: instaloader archives or Instagram.", no_args_is_help=True)


@contextmanager
def _progress_bars() -> Iterator[Callable[[str, int], None]]:
    """Bars of files read, posts written and pictures stored, on standard error."""
    bars: dict[str, tqdm] = {}

    def update(what: str, count: int) -> None:
        if what not in bars:
            bars[what] = tqdm(desc=what, unit="", file=sys.stderr, position=len(bars), leave=True)
        bars[what].update(count)

    try:
        yield update
    finally:
        for bar in bars.values():
            bar.close()


@app.command("archive")
@clean_errors
def archive(
    path: Annotated[Path, typer.Argument(help="Folder written by instaloader --metadata-json.")],
) -> None:
    """Import an instaloader archive (posts, pictures, comments, profiles); rerunning is safe."""
    from trendminer.collect import import_archive

    with database() as engine, _progress_bars() as progress:
        result = import_archive(engine, settings(), path, progress=progress)
    typer.echo(json.dumps(result.as_dict()))


@app.command("instagram")
@clean_errors
def instagram(
    hashtag: Annotated[
        list[str] | None,
        typer.Option("--hashtag", "-t", help="Hashtag to collect (repeatable); default: settings."),
    ] = None,
    max_posts: Annotated[
        int | None, typer.Option("--max-posts", min=1, help="Most posts per hashtag this run.")
    ] = None,
) -> None:
    """Collect hashtags' newest posts from Instagram (needs a logged-in session)."""
    from trendminer.collect import collect_instagram

    with database() as engine, _progress_bars() as progress:
        result = collect_instagram(
            engine, settings(), hashtags=hashtag or None, max_posts=max_posts, progress=progress
        )
    typer.echo(json.dumps(result.as_dict()))
