"""An index on a post's owner and time, for the per-account queries.

The tracked-influencer series, an analyst's "posts of this account" and the exclusion of a
user read ``posts`` by ``owner`` within a window; without this index each is a scan of the
window's posts. ``owner`` never changes once a post is written, so the index costs one entry
per new post and nothing on re-sightings that leave a post's page (HOT updates).

``posts`` has no index on ``city``: the trend tables, keyed by city, answer per-city questions,
and Enrich writes ``city`` on every post, so such an index would be maintained on every
enrichment update for queries that do not use it.

Revision ID: 0003_posts_owner_index
Revises: 0002_trend_tables
Create Date: 2026-11-27
"""

from alembic import op

revision = "0003_posts_owner_index"
down_revision = "0002_trend_tables"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``posts_owner_taken_at_idx``."""
    op.execute("CREATE INDEX posts_owner_taken_at_idx ON posts (owner, taken_at)")


def downgrade() -> None:
    """Drop ``posts_owner_taken_at_idx``."""
    op.execute("DROP INDEX posts_owner_taken_at_idx")
