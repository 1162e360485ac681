"""``trendminer exclude`` and ``trendminer track``: the exclusion and tracking lists."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from trendminer.cli.common import clean_errors, database
from trendminer.lists import NameList, add_name, list_names, remove_name

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
NameArg = Annotated[str, typer.Argument(help="Name, with or without a leading @ or #.")]


@exclude_app.command("add")
@clean_errors
def exclude_add(kind: KindArg, name: NameArg) -> None:
    """Exclude a user or hashtag from every trend table."""
    _add(_exclusion(kind), name)


@exclude_app.command("remove")
@clean_errors
def exclude_remove(kind: KindArg, name: NameArg) -> None:
    """Stop excluding a user or hashtag."""
    _remove(_exclusion(kind), name)


@exclude_app.command("list")
@clean_errors
def exclude_list(kind: KindArg) -> None:
    """Print the excluded users or hashtags, one per line."""
    _list(_exclusion(kind))


@track_app.command("add")
@clean_errors
def track_add(name: NameArg) -> None:
    """Track an influencer: collect their profile's posts whatever hashtags they use."""
    _add(NameList.TRACKED_INFLUENCERS, name)


@track_app.command("remove")
@clean_errors
def track_remove(name: NameArg) -> None:
    """Stop tracking an influencer."""
    _remove(NameList.TRACKED_INFLUENCERS, name)


@track_app.command("list")
@clean_errors
def track_list() -> None:
    """Print the tracked influencers, one per line."""
    _list(NameList.TRACKED_INFLUENCERS)


def _add(name_list: NameList, raw: str) -> None:
    with database() as engine, engine.begin() as connection:
        name, added = add_name(connection, name_list, raw)
    typer.echo(f"{name}: {'added' if added else 'already listed'}", err=True)


def _remove(name_list: NameList, raw: str) -> None:
    with database() as engine, engine.begin() as connection:
        name, removed = remove_name(connection, name_list, raw)
    typer.echo(f"{name}: {'removed' if removed else 'was not listed'}", err=True)


def _list(name_list: NameList) -> None:
    with database() as engine, engine.connect() as connection:
        for name in list_names(connection, name_list):
            typer.echo(name)
