"""The detector version a month's garment co-occurrence was counted from.

``trend_attribute_weekly`` names the model version of each week; ``trend_garment_cooccurrence``
did not, so a month counted from an older checkpoint's boxes looked like any other. It gains
``model_version`` (the configured version when the month was last rebuilt; NULL for months
built before this revision, until ``trendminer trends build`` rebuilds them).

Revision ID: 0006_cooccurrence_model_version
Revises: 0005_peak_window_start
Create Date: 2026-11-28
"""

from alembic import op

revision = "0006_cooccurrence_model_version"
down_revision = "0005_peak_window_start"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``trend_garment_cooccurrence.model_version``."""
    op.execute("ALTER TABLE trend_garment_cooccurrence ADD COLUMN model_version text")


def downgrade() -> None:
    """Drop ``trend_garment_cooccurrence.model_version``."""
    op.execute("ALTER TABLE trend_garment_cooccurrence DROP COLUMN model_version")
