"""
### TrendMiner · enrich

Scores caption and comment sentiment (VADER), detects languages and places posts in cities
(offline gazetteer first, then the geocoder cache) for every post not enriched yet. Runs
whenever `trendminer_collect` marks the asset `trendminer.posts`; a manual run with
`everything = true` re-enriches all posts (after a gazetteer or threshold change).

**Owner:** trendminer-data

**Triage:** safe to clear and rerun (it only fills derived columns). Slow runs usually mean
the online geocoder is on (`TRENDMINER_NOMINATIM_ENABLED`); its answers are cached in
`geocode_cache`.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import Param, dag, task

from trendminer.orchestration.assets import POSTS
from trendminer.orchestration.defaults import DEFAULT_ARGS, START_DATE
from trendminer.orchestration.tags import Tag


@dag(
    schedule=[POSTS],
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    default_args=DEFAULT_ARGS,
    tags=[Tag.TRENDMINER, Tag.ENRICH],
    params={
        "everything": Param(False, type="boolean", description="Re-enrich every post."),
        "since": Param(
            None, type=["null", "string"], description="ISO time (UTC if naive): posts after."
        ),
    },
)
def trendminer_enrich() -> None:
    @task
    def enrich_posts(params: dict[str, Any]) -> dict[str, int | float]:
        """Fill sentiment, language and city for the posts that lack them."""
        from trendminer.enrich import enrich
        from trendminer.orchestration.runtime import parse_time, task_engine, task_settings

        since = parse_time(params["since"], name="since")
        settings = task_settings()
        with task_engine(settings) as engine:
            result = enrich(engine, settings, since=since, everything=params["everything"])
        return result.as_dict()

    enrich_posts()


trendminer_enrich()
