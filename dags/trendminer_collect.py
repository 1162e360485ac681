"""
### TrendMiner · collect

Collects new Instagram posts every hour: one mapped `collect_posts` task per hashtag (the
`hashtags` param, else the settings' `TRENDMINER_HASHTAGS`) and one `collect_influencers` task
for the tracked influencers. Each hashtag stops at its watermark and resumes a cut-off iteration
from the state kept in PostgreSQL, so a retry never duplicates a post. A manual run with
`source = archive` imports an `instaloader --metadata-json` folder (`archive_path`) instead.

Marks the asset `trendminer.posts`, which starts `trendminer_enrich` and `trendminer_detect`.

**Owner:** trendminer-data

**Triage:** rate limits and network errors (`RetriableError`) retry after the wait the error
names (a rate limit's own, else 60 s or 300 s; at most 2 h); a
configuration error fails at once: check the `trendminer_db` connection, the variable
`trendminer_settings` and the Instagram session file (`TRENDMINER_INSTAGRAM_SESSION_FILE`).
Rejected records are in the table `rejected_records`.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException

from trendminer.orchestration.assets import POSTS
from trendminer.orchestration.defaults import DEFAULT_ARGS, START_DATE
from trendminer.orchestration.tags import Tag


@dag(
    schedule="@hourly",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    default_args=DEFAULT_ARGS,
    tags=[Tag.TRENDMINER, Tag.COLLECT, Tag.INSTAGRAM],
    params={
        "source": Param("instagram", enum=["instagram", "archive"], description="Where from."),
        "hashtags": Param([], type="array", items={"type": "string"}, description="Empty: all."),
        "max_posts": Param(None, type=["null", "integer"], minimum=1, description="Per hashtag."),
        "archive_path": Param("", type="string", description="Folder, for source = archive."),
    },
)
def trendminer_collect() -> None:
    @task
    def choose_hashtags(params: dict[str, Any]) -> list[str]:
        """The hashtags this run collects (none for an archive run)."""
        if params["source"] != "instagram":
            return []
        from trendminer.orchestration.runtime import task_settings

        return list(params["hashtags"]) or task_settings().hashtags

    @task(outlets=[POSTS], map_index_template="#{{ hashtag }}", max_active_tis_per_dagrun=2)
    def collect_posts(hashtag: str, params: dict[str, Any]) -> dict[str, int | float]:
        """Collect one hashtag's posts newer than its watermark."""
        from trendminer.collect import collect_instagram
        from trendminer.orchestration.runtime import task_engine, task_settings

        get_current_context()["hashtag"] = hashtag  # type: ignore[typeddict-unknown-key]
        # Owners' profiles are refreshed once per run, by collect_influencers, not per hashtag.
        settings = task_settings().model_copy(update={"collect_profiles_per_run": 0})
        with task_engine(settings) as engine:
            result = collect_instagram(
                engine,
                settings,
                hashtags=[hashtag],
                max_posts=params["max_posts"],
                include_tracked=False,
            )
        return result.as_dict()

    @task(outlets=[POSTS])
    def collect_influencers(params: dict[str, Any]) -> dict[str, int | float]:
        """Collect the tracked influencers' new posts."""
        if params["source"] != "instagram" or params["hashtags"]:
            raise AirflowSkipException("only scheduled Instagram runs collect the influencers")
        from trendminer.collect import collect_instagram
        from trendminer.orchestration.runtime import task_engine, task_settings

        settings = task_settings()
        with task_engine(settings) as engine:
            result = collect_instagram(engine, settings, hashtags=[], include_tracked=True)
        return result.as_dict()

    @task(outlets=[POSTS])
    def import_archive(params: dict[str, Any]) -> dict[str, int | float]:
        """Import an instaloader folder (manual runs with source = archive)."""
        if params["source"] != "archive":
            raise AirflowSkipException("not an archive run")
        from pathlib import Path

        from trendminer.collect import import_archive as import_folder
        from trendminer.errors import ConfigurationError
        from trendminer.orchestration.runtime import task_engine, task_settings

        if not params["archive_path"].strip():  # "" would be the worker's current folder
            raise ConfigurationError("an archive run needs archive_path: the folder to import")
        settings = task_settings()
        with task_engine(settings) as engine:
            return import_folder(engine, settings, Path(params["archive_path"])).as_dict()

    collect_posts.expand(hashtag=choose_hashtags())
    collect_influencers()
    import_archive()


trendminer_collect()
