"""The collect stage: instaloader archives and Instagram into PostgreSQL and the media store."""

from trendminer.collect.archive import import_archive
from trendminer.collect.instagram import collect_instagram
from trendminer.collect.result import CollectResult

__all__ = ["CollectResult", "collect_instagram", "import_archive"]
