"""The exclusion lists and the tracked influencers: tables edited by CLI or SQL."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Connection, text

from trendminer.names import normalise_hashtag, normalise_username


class NameList(StrEnum):
    """The lists TrendMiner keeps; the value is the table."""

    EXCLUDED_USERS = "excluded_users"
    EXCLUDED_HASHTAGS = "excluded_hashtags"
    TRACKED_INFLUENCERS = "tracked_influencers"

    @property
    def column(self) -> str:
        return "hashtag" if self is NameList.EXCLUDED_HASHTAGS else "username"

    def normalise(self, raw: str) -> str:
        """Normalise and validate a name for this list (raises InvalidNameError)."""
        if self is NameList.EXCLUDED_HASHTAGS:
            return normalise_hashtag(raw)
        return normalise_username(raw)


def add_name(connection: Connection, name_list: NameList, raw: str) -> tuple[str, bool]:
    """Add a name; returns the normalised name and whether it was new."""
    name = name_list.normalise(raw)
    added = connection.execute(
        text(
            f"INSERT INTO {name_list.value} ({name_list.column}) VALUES (:name) "
            "ON CONFLICT DO NOTHING RETURNING 1"
        ),
        {"name": name},
    ).first()
    return name, added is not None


def remove_name(connection: Connection, name_list: NameList, raw: str) -> tuple[str, bool]:
    """Remove a name, normalised or exactly as given (a row written by SQL); returns the
    normalised name and whether it was there."""
    name = name_list.normalise(raw)
    removed = connection.execute(
        text(
            f"DELETE FROM {name_list.value} WHERE {name_list.column} IN (:name, :raw) RETURNING 1"
        ),
        {"name": name, "raw": raw},
    ).first()
    return name, removed is not None


def list_names(connection: Connection, name_list: NameList) -> list[str]:
    """The names on a list, sorted."""
    rows = connection.execute(
        text(f"SELECT {name_list.column} FROM {name_list.value} ORDER BY 1")
    ).scalars()
    return list(rows)
