"""When the stored name and coordinates of each location were seen.

Posts carry their location as Instagram showed it when the post was seen, and an older
sighting (an archive imported late, a post seen again from an older feed page) overwrote a
newer name or coordinates. ``locations.seen_at`` is the sighting time of what is stored; only a
sighting at least as new changes it. Rows stored before this revision hold NULL (any sighting
updates them).

Revision ID: 0011_locations_seen_at
Revises: 0010_list_names_normalised
Create Date: 2026-11-28
"""

from alembic import op

revision = "0011_locations_seen_at"
down_revision = "0010_list_names_normalised"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``locations.seen_at``."""
    op.execute("ALTER TABLE locations ADD COLUMN seen_at timestamptz")


def downgrade() -> None:
    """Drop ``locations.seen_at``."""
    op.execute("ALTER TABLE locations DROP COLUMN seen_at")
