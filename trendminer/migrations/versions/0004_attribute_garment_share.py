"""The garment share of each city x attribute week, the unit of the attribute events.

``trend_attribute_weekly`` gains ``boxed_posts`` (processed posts with at least one box),
``garment_share`` (the mean over those posts of the share of a post's boxes that show the
attribute) and ``garment_share_se`` (its standard error from the posts' spread). A post shows
five garments or so, so a shift in what people wear moves the garment share with less noise
than the share of posts showing the attribute at all, which saturates.

Rows built before this revision hold NULL there until ``trendminer trends build`` rebuilds
their weeks; the event model leaves such series out and says so in the log.

Revision ID: 0004_attribute_garment_share
Revises: 0003_posts_owner_index
Create Date: 2026-11-27
"""

from alembic import op

revision = "0004_attribute_garment_share"
down_revision = "0003_posts_owner_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the garment-share columns."""
    op.execute(
        "ALTER TABLE trend_attribute_weekly "
        "ADD COLUMN boxed_posts integer, "
        "ADD COLUMN garment_share double precision, "
        "ADD COLUMN garment_share_se double precision"
    )


def downgrade() -> None:
    """Drop the garment-share columns."""
    op.execute(
        "ALTER TABLE trend_attribute_weekly "
        "DROP COLUMN boxed_posts, DROP COLUMN garment_share, DROP COLUMN garment_share_se"
    )
