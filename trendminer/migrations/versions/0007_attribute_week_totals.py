"""Each city-week's processed posts, the denominators of the attribute series.

``trend_attribute_weekly`` has rows only for the attributes seen in a city-week, so a week
whose processed posts showed no garment at all had no row, and the attribute models lost that
week instead of reading it as a share of 0. ``trend_attribute_week_totals`` holds every
city-week with processed posts: ``posts`` (processed posts) and ``boxed_posts`` (those with
at least one box), per detector version. The models take each city's calendar from it.

The upgrade fills it from the weeks ``trend_attribute_weekly`` already holds; a rebuild adds
the weeks without garments.

Revision ID: 0007_attribute_week_totals
Revises: 0006_cooccurrence_model_version
Create Date: 2026-11-28
"""

from alembic import op

revision = "0007_attribute_week_totals"
down_revision = "0006_cooccurrence_model_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``trend_attribute_week_totals`` and fill it from the built weeks."""
    op.execute(
        """
CREATE TABLE trend_attribute_week_totals (
    week            date NOT NULL,
    city            text NOT NULL,
    posts           integer NOT NULL,
    boxed_posts     integer NOT NULL,
    model_version   text NOT NULL,
    PRIMARY KEY (city, week)
);
CREATE INDEX trend_attribute_week_totals_week_idx ON trend_attribute_week_totals (week);
INSERT INTO trend_attribute_week_totals (week, city, posts, boxed_posts, model_version)
SELECT DISTINCT ON (city, week) week, city, total, coalesce(boxed_posts, 0), model_version
FROM trend_attribute_weekly
ORDER BY city, week;
"""
    )


def downgrade() -> None:
    """Drop ``trend_attribute_week_totals``."""
    op.execute("DROP TABLE trend_attribute_week_totals")
