"""Comment owners named as post owners and the lists name people.

Comments kept their owner as it arrived (``@Hater``), while post owners and the exclusion and
tracking lists are stored stripped, without ``@``, in lower case, so excluding ``hater`` missed
that person's comments. The upgrade renames the stored comment owners the same way
(``trendminer.cleaning.clean_owner``); the downgrade keeps them (the original spelling is gone).
Trend days already built count the old names until ``trendminer trends build`` rebuilds them.

Revision ID: 0008_comment_owners_lower_case
Revises: 0007_attribute_week_totals
Create Date: 2026-11-28
"""

from alembic import op
from sqlalchemy import text

from trendminer.cleaning import clean_owner

revision = "0008_comment_owners_lower_case"
down_revision = "0007_attribute_week_totals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Rename each comment owner that the cleaning rule would store otherwise."""
    connection = op.get_bind()
    owners = connection.execute(text("SELECT DISTINCT owner FROM comments")).scalars()
    renamed = [
        {"old": owner, "new": clean_owner(owner)}
        for owner in owners
        if owner is not None and clean_owner(owner) != owner
    ]
    if renamed:
        connection.execute(text("UPDATE comments SET owner = :new WHERE owner = :old"), renamed)


def downgrade() -> None:
    """Nothing to undo: the owners' original spellings are not kept."""
