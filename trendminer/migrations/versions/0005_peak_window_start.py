"""The first day of the run of days that gave a daily peak its score.

A day is judged on itself and on the runs of a few days ending on it (``peak_window_days``,
``sentiment_peak_window_days``), so a rise spread over three days is published on its third
day. ``trend_activity_days`` and ``trend_sentiment_days`` gain ``window_start``: the first day
of the run whose sum gave the day its score (the day itself for a single-day score; NULL where
the day was not judged), so an analyst sees which days a peak stands for. The views
``trend_activity_peaks`` and ``trend_sentiment_peaks`` are recreated to show it.

Rows built before this revision hold NULL there until ``trendminer trends build`` rebuilds them.

Revision ID: 0005_peak_window_start
Revises: 0004_attribute_garment_share
Create Date: 2026-11-28
"""

from alembic import op

revision = "0005_peak_window_start"
down_revision = "0004_attribute_garment_share"
branch_labels = None
depends_on = None

TABLES = {
    "trend_activity_days": "trend_activity_peaks",
    "trend_sentiment_days": "trend_sentiment_peaks",
}


def upgrade() -> None:
    """Add ``window_start`` and show it in the peak views."""
    for table, view in TABLES.items():
        op.execute(f"ALTER TABLE {table} ADD COLUMN window_start date")
        op.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {table} WHERE is_peak")


def downgrade() -> None:
    """Drop ``window_start`` (and the views that show it, recreated without it)."""
    for table, view in TABLES.items():
        op.execute(f"DROP VIEW {view}")
        op.execute(f"ALTER TABLE {table} DROP COLUMN window_start")
        op.execute(f"CREATE VIEW {view} AS SELECT * FROM {table} WHERE is_peak")
