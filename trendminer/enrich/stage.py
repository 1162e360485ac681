"""The enrich stage: sentiment and language of captions and comments, city of every post.

One run is one transaction (all or nothing; a rerun redoes what failed). Posts go in batches of
``enrich_batch_size`` in key order: captions are scored by the worker pool, their locations are
placed (:mod:`trendminer.enrich.trend_cities`, :mod:`trendminer.enrich.geocode`), and the
results are COPied into temporary tables and merged with one ``UPDATE … FROM`` per batch. Then
comments the same way, then the homes of the posts' owners (:mod:`trendminer.enrich.home`).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, text

from trendminer.db.copy import copy_rows, to_copy_text
from trendminer.enrich.gazetteer import load_gazetteer
from trendminer.enrich.geocode import NameGeocoder
from trendminer.enrich.home import apply_homes
from trendminer.enrich.sentiment import SENTIMENT_COLUMNS, ParallelScorer, SentimentConfig
from trendminer.enrich.trend_cities import CityLocator
from trendminer.settings import Settings

logger = logging.getLogger(__name__)

LOOKAHEAD = 2
"""Batches submitted for scoring ahead of the one being written."""

Place = tuple[str | None, str | None, str | None, str]  # city, country, timezone, geo_source

_TEMP = """
CREATE TEMP TABLE enrich_sentiment (
    key text, language text, compound real, pos real, neu real, neg real, label text
) ON COMMIT DROP;
CREATE TEMP TABLE enrich_geo (
    shortcode text, city text, country text, city_source text, timezone text
) ON COMMIT DROP;
CREATE TEMP TABLE enrich_locations (
    location_id bigint, city text, country text, geo_source text
) ON COMMIT DROP;
"""

_UPDATE_POSTS = """
UPDATE posts p SET
    language = s.language, sentiment_compound = s.compound, sentiment_pos = s.pos,
    sentiment_neu = s.neu, sentiment_neg = s.neg, sentiment_label = s.label,
    city = g.city, country = g.country, city_source = g.city_source, timezone = g.timezone,
    enriched_at = now()
FROM enrich_sentiment s LEFT JOIN enrich_geo g ON g.shortcode = s.key
WHERE p.shortcode = s.key
"""

_UPDATE_COMMENTS = """
UPDATE comments c SET
    language = s.language, sentiment_compound = s.compound, sentiment_pos = s.pos,
    sentiment_neu = s.neu, sentiment_neg = s.neg, sentiment_label = s.label,
    enriched_at = now()
FROM enrich_sentiment s
WHERE c.comment_id = CAST(s.key AS bigint)
"""

_UPDATE_LOCATIONS = """
UPDATE locations l SET
    city = e.city, country = e.country, geo_source = e.geo_source, updated_at = now()
FROM enrich_locations e
WHERE l.location_id = e.location_id
  AND (l.city, l.country, l.geo_source) IS DISTINCT FROM (e.city, e.country, e.geo_source)
"""


@dataclass(frozen=True, slots=True)
class EnrichResult:
    """What one run did."""

    posts: int = 0
    posts_scored: int = 0
    posts_located: int = 0
    posts_at_home: int = 0
    comments: int = 0
    comments_scored: int = 0
    locations: int = 0
    nominatim_queries: int = 0
    homes: int = 0

    def as_dict(self) -> dict[str, int | float]:
        return dict(asdict(self))


@lru_cache(maxsize=2)
def _locator(cities: tuple[tuple[str, tuple[str, ...]], ...], radius: float, far: float) -> Any:
    from trendminer.enrich.trend_cities import TrendCities

    gazetteer = load_gazetteer()
    return CityLocator(gazetteer, TrendCities(gazetteer, dict(cities), radius), far)


def city_locator(settings: Settings) -> CityLocator:
    """The process's locator for these settings (built once: a few seconds)."""
    cities = tuple((name, tuple(aliases)) for name, aliases in settings.trend_cities.items())
    locator: CityLocator = _locator(
        cities, settings.trend_city_radius_km, settings.city_max_distance_km
    )
    return locator


class _LocationPlacer:
    """Places the locations a run meets, each once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.places: dict[int, Place] = {}
        self._geocoder: NameGeocoder | None = None

    @property
    def nominatim_queries(self) -> int:
        return self._geocoder.nominatim_queries if self._geocoder else 0

    def place(self, connection: Connection, location_ids: Sequence[int]) -> None:
        """Place the new ones among ``location_ids`` and stage their rows for ``locations``."""
        new = sorted({i for i in location_ids if i not in self.places})
        if not new:
            return
        rows = connection.execute(
            text("SELECT location_id, name, lat, lng FROM locations WHERE location_id = ANY(:i)"),
            {"i": new},
        ).all()
        locator = city_locator(self.settings)
        placed: dict[int, Place] = {}
        with_coordinates = [r for r in rows if r.lat is not None and r.lng is not None]
        if with_coordinates:
            found = locator.locate(
                np.array([r.lat for r in with_coordinates], dtype=np.float64),
                np.array([r.lng for r in with_coordinates], dtype=np.float64),
            )
            for r, city, country, zone in zip(
                with_coordinates, found.city, found.country, found.timezone, strict=True
            ):
                if city is not None:
                    placed[r.location_id] = (city, country, zone, "coordinates")
        by_name = [r for r in rows if r.location_id not in placed and r.name]
        if by_name:
            if self._geocoder is None:
                self._geocoder = NameGeocoder(self.settings, locator)
            points = self._geocoder.resolve(connection, [r.name for r in by_name])
            located = [(r, points[r.name]) for r in by_name if r.name in points]
            if located:
                found = locator.locate(
                    np.array([p.lat for _, p in located], dtype=np.float64),
                    np.array([p.lng for _, p in located], dtype=np.float64),
                )
                for (r, point), city, country, zone in zip(
                    located, found.city, found.country, found.timezone, strict=True
                ):
                    if city is not None:
                        placed[r.location_id] = (city, country, zone, point.source)
        for r in rows:
            self.places[r.location_id] = placed.get(r.location_id, (None, None, None, "unresolved"))
        copy_rows(
            connection,
            "enrich_locations",
            ("location_id", "city", "country", "geo_source"),
            to_copy_text(
                (r.location_id, *self.places[r.location_id][:2], self.places[r.location_id][3])
                for r in rows
            ),
        )


def _window(since: datetime | None, everything: bool, time_column: str) -> tuple[str, dict]:
    clauses, params = [], {}
    if not everything:
        clauses.append("enriched_at IS NULL")
    if since is not None:
        clauses.append(f"{time_column} >= %(since)s")
        params["since"] = since
    return "".join(f" AND {clause}" for clause in clauses), params


Columns = tuple[Sequence[Any], ...]


def _column_batches(
    connection: Connection, query: str, params: dict[str, Any], after: object, size: int
) -> Iterator[Columns]:
    """Keyset pages of ``query`` (key first, bound as ``%(after)s``), each as its columns.

    A plain DB-API cursor: tuples, no result-row objects, for the batches the stage reads.
    """
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        while True:
            cursor.execute(query, {**params, "after": after, "limit": size})
            rows = cursor.fetchall()
            if not rows:
                return
            columns = tuple(zip(*rows, strict=True))
            yield columns
            after = columns[0][-1]
    finally:
        cursor.close()


def _post_batches(
    connection: Connection, settings: Settings, since: datetime | None, everything: bool
) -> Iterator[Columns]:
    """(shortcodes, owners, captions, location ids) of the posts to enrich, in batches."""
    where, params = _window(since, everything, "taken_at")
    query = (
        "SELECT shortcode, owner, caption, location_id FROM posts "
        f"WHERE shortcode > %(after)s{where} ORDER BY shortcode LIMIT %(limit)s"
    )
    return _column_batches(connection, query, params, "", settings.enrich_batch_size)


def _comment_batches(
    connection: Connection, settings: Settings, since: datetime | None, everything: bool
) -> Iterator[Columns]:
    """(comment ids, texts) of the comments to enrich, in batches."""
    where, params = _window(since, everything, "COALESCE(c.created_at, p.taken_at)")
    where = where.replace("enriched_at", "c.enriched_at")
    query = (
        "SELECT c.comment_id, c.text FROM comments c JOIN posts p ON p.shortcode = c.shortcode "
        f"WHERE c.comment_id > %(after)s{where} ORDER BY c.comment_id LIMIT %(limit)s"
    )
    return _column_batches(connection, query, params, -(2**63), settings.enrich_batch_size)


def _scored_ahead(
    batches: Iterator[Columns], scorer: ParallelScorer, text_column: int
) -> Iterator[tuple[Columns, str]]:
    """Each batch with its sentiment COPY rows (keyed by the first column). The workers score
    up to :data:`LOOKAHEAD` batches ahead while the caller writes this one, so scoring and
    database writes overlap."""
    pending: deque[tuple[Columns, Callable[[], str]]] = deque()
    for columns in batches:
        pending.append((columns, scorer.submit(columns[0], columns[text_column])))
        if len(pending) > LOOKAHEAD:
            done, result = pending.popleft()
            yield done, result()
    while pending:
        done, result = pending.popleft()
        yield done, result()


def _scored(connection: Connection) -> int:
    return int(
        connection.exec_driver_sql(
            "SELECT count(*) FROM enrich_sentiment WHERE compound IS NOT NULL"
        ).scalar_one()
    )


def enrich(
    engine: Engine, settings: Settings, *, since: datetime | None = None, everything: bool = False
) -> EnrichResult:
    """Enrich what is not enriched yet (or, with ``everything``, all again), taken since
    ``since`` (UTC; comments by their own time, else their post's); see the module docstring."""
    counts = dict.fromkeys(EnrichResult.__dataclass_fields__, 0)
    owners: set[str] = set()
    placer = _LocationPlacer(settings)
    config = SentimentConfig.from_settings(settings)
    with ParallelScorer(config, settings.enrich_workers) as scorer, engine.begin() as connection:
        connection.exec_driver_sql(_TEMP)
        posts = _post_batches(connection, settings, since, everything)
        for (shortcodes, authors, _, location_ids), payload in _scored_ahead(posts, scorer, 2):
            connection.exec_driver_sql("TRUNCATE enrich_sentiment, enrich_geo, enrich_locations")
            copy_rows(connection, "enrich_sentiment", SENTIMENT_COLUMNS, payload)
            placer.place(connection, [i for i in location_ids if i is not None])
            geo = [
                (shortcode, *_post_place(placer.places.get(location_id)))
                for shortcode, location_id in zip(shortcodes, location_ids, strict=True)
                if location_id is not None
            ]
            copy_rows(
                connection,
                "enrich_geo",
                ("shortcode", "city", "country", "city_source", "timezone"),
                to_copy_text(geo),
            )
            connection.exec_driver_sql(_UPDATE_LOCATIONS)
            connection.exec_driver_sql(_UPDATE_POSTS)
            counts["posts"] += len(shortcodes)
            counts["posts_scored"] += _scored(connection)
            counts["posts_located"] += sum(1 for g in geo if g[3] == "location")
            owners.update(authors)
        comments = _comment_batches(connection, settings, since, everything)
        for (comment_ids, _), payload in _scored_ahead(comments, scorer, 1):
            connection.exec_driver_sql("TRUNCATE enrich_sentiment")
            copy_rows(connection, "enrich_sentiment", SENTIMENT_COLUMNS, payload)
            connection.exec_driver_sql(_UPDATE_COMMENTS)
            counts["comments"] += len(comment_ids)
            counts["comments_scored"] += _scored(connection)
        if counts["posts"]:
            # Statistics taken before this run say the posts are unenriched; planned with them,
            # the home update below joins every post with every owner (seconds per 100k posts).
            connection.exec_driver_sql("ANALYZE posts")
        counts["homes"], counts["posts_at_home"] = apply_homes(
            connection, settings, city_locator(settings), owners
        )
    counts["locations"] = len(placer.places)
    counts["nominatim_queries"] = placer.nominatim_queries
    result = EnrichResult(**counts)
    logger.info("enrich: %s", result.as_dict())
    return result


def _post_place(place: Place | None) -> tuple[str | None, str | None, str | None, str | None]:
    """(city, country, city_source, timezone) of a post from its location's place."""
    if place is None or place[0] is None:
        return None, None, None, None
    return place[0], place[1], "location", place[2]
