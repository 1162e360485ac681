"""The Airflow assets that chain the TrendMiner DAGs.

``collect`` marks :data:`POSTS`; ``enrich`` and ``detect`` are scheduled on it. ``trends`` marks
:data:`TREND_TABLES` with the window it built (``extra = {"start": ISO date, "end": ISO date}``,
plus ``"report_from": ISO date`` when every day from it on is to be reported); ``report`` is
scheduled on it.
"""

from __future__ import annotations

from airflow.sdk import Asset

POSTS = Asset(name="trendminer.posts", uri="trendminer://postgres/posts", group="trendminer")
TREND_TABLES = Asset(
    name="trendminer.trend_tables", uri="trendminer://postgres/trend_tables", group="trendminer"
)
