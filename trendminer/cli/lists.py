"""``trendminer exclude`` and ``trendminer track``: the exclusion and tracking lists."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from sqlalchemy import Engine

from trendminer.cli.common import clean_errors, database, settings
from trendminer.lists import NameList, add_name, list_names, remove_name
from trendminer.trends.list_changes import rebuild_window
from trendminer.trends.rebuild import rebuild as rebuild_trends

exclude_app = typer.Typer(
    help="Exclusion lists: users and hashtags left out everywhere.", no_args_is_help=True
)
track_app = typer.Typer(
    help="Tracked influencers: their own posts are collected too.", no_args_is_help=True
)


class ExclusionKind(StrEnum):
    user = "user"
    hashtag = "hashtag"


def _exclusion(kind: ExclusionKind) -> NameList:
    return NameList.EXCLUDED_USERS if kind is ExclusionKind.user else NameList.EXCLUDED_HASHTAGS


KindArg = Annotated[ExclusionKind, typer.Argument(help="user or hashtag")]
NameArg = Annotated[
    str,
    typer.Argument(help="A user name (a leading @ allowed) or a hashtag (a leading # allowed)."),
]
NoRebuildOption = Annotated[
    bool,
    typer.Option(
        "--no-rebuild",
        help="Change the list only; rebuild later with `trendminer trends build` (for many "
        "changes at once).",
    ),
]


@exclude_app.command("add")
@clean_errors
def exclude_add(kind: KindArg, name: NameArg, no_rebuild: NoRebuildOption = False) -> None:
    """Exclude a user or hashtag from every trend table, and rebuild the days it touched."""
    _change(_exclusion(kind), name, add=True, rebuild=not no_rebuild)


@exclude_app.command("remove")
@clean_errors
def exclude_remove(kind: KindArg, name: NameArg, no_rebuild: NoRebuildOption = False) -> None:
    """Stop excluding a user or hashtag, and rebuild the days it touches."""
    _change(_exclusion(kind), name, add=False, rebuild=not no_rebuild)


@exclude_app.command("list")
@clean_errors
def exclude_list(kind: KindArg) -> None:
    """Print the excluded users or hashtags, one per line."""
    _list(_exclusion(kind))


@track_app.command("add")
@clean_errors
def track_add(name: NameArg, no_rebuild: NoRebuildOption = False) -> None:
    """Track an influencer: collect their profile's posts whatever hashtags they use, and
    build their daily series over the days already built."""
    _change(NameList.TRACKED_INFLUENCERS, name, add=True, rebuild=not no_rebuild)


@track_app.command("remove")
@clean_errors
def track_remove(name: NameArg, no_rebuild: NoRebuildOption = False) -> None:
    """Stop tracking an influencer, and drop their daily series."""
    _change(NameList.TRACKED_INFLUENCERS, name, add=False, rebuild=not no_rebuild)


@track_app.command("list")
@clean_errors
def track_list() -> None:
    """Print the tracked influencers, one per line."""
    _list(NameList.TRACKED_INFLUENCERS)


def _change(name_list: NameList, raw: str, *, add: bool, rebuild: bool) -> None:
    """Add or remove a name, then rebuild the trend days the change touched."""
    name_list.normalise(raw)  # a bad name fails before the database is touched
    with database() as engine:
        with engine.begin() as connection:
            name, changed = (add_name if add else remove_name)(connection, name_list, raw)
        outcome = {
            (True, True): "added", (True, False): "already listed",
            (False, True): "removed", (False, False): "was not listed",
        }[add, changed]  # fmt: skip
        typer.echo(f"{name}: {outcome}", err=True)
        if changed:
            _rebuild(engine, name_list, name, rebuild)


def _rebuild(engine: Engine, name_list: NameList, name: str, rebuild: bool) -> None:
    """Rebuild the trend tables over the days the change touched (or say how to)."""
    with engine.connect() as connection:
        window = rebuild_window(connection, name_list, name)
    if window is None:
        typer.echo("no built trend day touched: nothing to rebuild", err=True)
    elif not rebuild:
        since = window.history_from or window.start
        typer.echo(f"trend tables not rebuilt: run `trendminer trends rebuild --since {since}`",
                   err=True)  # fmt: skip
    else:
        result = rebuild_trends(engine, settings(), window, f"{name_list.value} {name} changed")
        typer.echo(f"trend tables rebuilt over {result.days} days", err=True)


def _list(name_list: NameList) -> None:
    with database() as engine, engine.connect() as connection:
        for name in list_names(connection, name_list):
            typer.echo(name)
