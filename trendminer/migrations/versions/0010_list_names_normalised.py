"""Names in the exclusion and tracking lists are stored normalised, and must be.

The lists are editable by SQL, and a name inserted there as typed (``'@Alice'``, ``'bob '``,
``'#Sale'``) never matched a post and could not be removed by the CLI. The upgrade stores each
name as ``trendminer.names`` normalises it (duplicates merged, keeping the earliest
``added_at``; a name that is not valid at all is dropped with a logged warning) and adds CHECK
constraints that hold the normalised form as far as SQL can tell it: a user name of 1-30 of
``a-z0-9._`` without a '.' first, last or twice in a row; a hashtag of no ASCII but ``a-z0-9_``,
no white space, no joiner first or last, no combining accent first, at most 300 characters (100
typed, lengthened by case folding). The downgrade drops the constraints and keeps the names.
Trend days already built with the old names change at the next
``trendminer trends rebuild --since DAY``.

Revision ID: 0010_list_names_normalised
Revises: 0009_post_hashtags_added_at
Create Date: 2026-11-28
"""

import logging
from collections.abc import Callable

from alembic import op
from sqlalchemy import Connection, text

from trendminer.errors import InvalidNameError
from trendminer.names import normalise_hashtag, normalise_username

revision = "0010_list_names_normalised"
down_revision = "0009_post_hashtags_added_at"
branch_labels = None
depends_on = None

logger = logging.getLogger(__name__)

USERNAME_RULE = (
    "{column} ~ '^[a-z0-9_]([a-z0-9._]{{0,28}}[a-z0-9_])?$' AND strpos({column}, '..') = 0"
)
HASHTAG_RULE = (
    "char_length({column}) BETWEEN 1 AND 300"
    " AND {column} !~ '[\\x01-\\x2f\\x3a-\\x5e\\x60\\x7b-\\x7f\\u00a0\\u2000-\\u200b\\u2028-\\u202f"
    "\\u3000\\ufeff]'"
    " AND {column} !~ '^[\\u200c\\u200d\\u0300-\\u036f]|[\\u200c\\u200d]$'"
)
LISTS: dict[str, tuple[str, str, Callable[[str], str]]] = {
    "excluded_users": ("username", USERNAME_RULE, normalise_username),
    "tracked_influencers": ("username", USERNAME_RULE, normalise_username),
    "excluded_hashtags": ("hashtag", HASHTAG_RULE, normalise_hashtag),
}


def _normalise(
    connection: Connection, table: str, column: str, normalise: Callable[[str], str]
) -> None:
    """Store each name of ``table`` normalised; drop (with a warning) one that is no name."""
    rows = connection.execute(text(f"SELECT {column}, added_at FROM {table}")).all()
    for name, added_at in rows:
        try:
            normal = normalise(name)
        except InvalidNameError as exc:
            logger.warning("%s: dropped %r: %s", table, name, exc)
            normal = None
        if normal == name:
            continue
        if normal is not None:
            connection.execute(
                text(
                    f"INSERT INTO {table} ({column}, added_at) VALUES (:normal, :added_at) "
                    f"ON CONFLICT ({column}) DO UPDATE "
                    f"SET added_at = LEAST({table}.added_at, EXCLUDED.added_at)"
                ),
                {"normal": normal, "added_at": added_at},
            )
        connection.execute(text(f"DELETE FROM {table} WHERE {column} = :name"), {"name": name})


def upgrade() -> None:
    """Normalise the stored names, then constrain them."""
    connection = op.get_bind()
    for table, (column, rule, normalise) in LISTS.items():
        _normalise(connection, table, column, normalise)
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_normalised "
            f"CHECK ({rule.format(column=column)})"
        )


def downgrade() -> None:
    """Drop the constraints (the names stay normalised)."""
    for table, (column, _, _) in LISTS.items():
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_{column}_normalised")
