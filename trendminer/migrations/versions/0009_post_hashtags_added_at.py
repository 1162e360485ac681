"""When each hashtag link of a post was stored.

A post seen again from another hashtag's feed gains that hashtag, which can exclude it or add
it to a new series, but nothing told ``trendminer trends refresh`` that its built day changed;
and an archive imported late keeps its files' sighting times, older than the build. Each
``post_hashtags`` row now carries ``added_at`` (the storing transaction's time). Rows stored
before this revision hold NULL (they came with their posts, which were built).

Revision ID: 0009_post_hashtags_added_at
Revises: 0008_comment_owners_lower_case
Create Date: 2026-11-28
"""

from alembic import op

revision = "0009_post_hashtags_added_at"
down_revision = "0008_comment_owners_lower_case"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``post_hashtags.added_at``: NULL for the rows stored so far, now() from here on."""
    op.execute("ALTER TABLE post_hashtags ADD COLUMN added_at timestamptz")
    op.execute("ALTER TABLE post_hashtags ALTER COLUMN added_at SET DEFAULT now()")


def downgrade() -> None:
    """Drop ``post_hashtags.added_at``."""
    op.execute("ALTER TABLE post_hashtags DROP COLUMN added_at")
