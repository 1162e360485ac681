"""The tags a TrendMiner DAG may carry (the DAG policy test allows only these)."""

from __future__ import annotations

from enum import StrEnum


class Tag(StrEnum):
    """DAG tags shown and filtered on in the Airflow UI."""

    TRENDMINER = "trendminer"
    COLLECT = "collect"
    ENRICH = "enrich"
    DETECT = "detect"
    TRENDS = "trends"
    REPORT = "report"
    INSTAGRAM = "instagram"
    GPU = "gpu"
