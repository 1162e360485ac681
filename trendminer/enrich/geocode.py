"""Locations known only by name → coordinates, then a city through the :class:`CityLocator`.

In this order, per distinct name (folded: case, accents and punctuation ignored):

1. ``geocode_cache``: an earlier Nominatim answer (an empty answer is cached too).
2. Nominatim (geopy), when ``settings.nominatim_enabled``: the configured user agent, time-out
   and rate limit, at most ``nominatim_max_queries`` queries per run; the answer is cached.
   The first network failure switches Nominatim off for the rest of the run, so a run never
   waits on a dead network more than one time-out.
3. The offline gazetteer: the whole name, then each comma-separated part in order ("Le Marais,
   Paris"), then runs of words that start with a capital, longest first ("Paris City Centre" →
   "Paris"), are looked up among the reporting cities' aliases, then all of them among GeoNames
   names, then among alternate names (the most populous match wins; a later part naming a
   country narrows both searches). A city's own name anywhere in the name wins over another's
   alternate name ("Zara, Lima" is Lima, not Zadar, once called Zara). Runs of equal length
   are tried from the right, where a venue names its city ("Zara Store Lima"); a run guessed
   from the capitals names only a city of at least ``GUESSED_MIN_POPULATION`` people, and is
   an alternate name only with four letters or more ("Milano Centrale" is Milan; "Le Bon
   Marché" is neither Leh nor Bonn, "Hotel Bar" not Bar in Montenegro).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from sqlalchemy import Connection, text

from trendminer.enrich.gazetteer import Gazetteer, fold
from trendminer.enrich.trend_cities import CityLocator
from trendminer.settings import Settings

logger = logging.getLogger(__name__)

GUESSED_MIN_POPULATION = 100_000
GUESSED_MIN_ALTERNATE_LETTERS = 4
_PARTS = re.compile(r"\s*(?:,|\||/|\u2022|\u00b7|\s[-\u2013\u2014]\s)\s*")  # , | / • · dashes

_READ_CACHE = "SELECT query, lat, lng FROM geocode_cache WHERE query = ANY(:queries)"
_WRITE_CACHE = """
INSERT INTO geocode_cache (query, lat, lng, city, country, source)
VALUES (:query, :lat, :lng, :city, :country, 'nominatim')
ON CONFLICT (query) DO UPDATE SET
    lat = EXCLUDED.lat, lng = EXCLUDED.lng, city = EXCLUDED.city, country = EXCLUDED.country,
    source = EXCLUDED.source, fetched_at = now()
"""


@dataclass(frozen=True, slots=True)
class NamedPoint:
    """Where a name was placed and by what: ``nominatim`` or ``gazetteer``."""

    lat: float
    lng: float
    source: str


class NameGeocoder:
    """Resolves location names for one enrich run (see the module docstring)."""

    def __init__(self, settings: Settings, locator: CityLocator) -> None:
        self.locator = locator
        self.queries_left = settings.nominatim_max_queries if settings.nominatim_enabled else 0
        self.nominatim_queries = 0
        self._geocode: Callable[..., Any] | None = None
        if self.queries_left:
            nominatim = Nominatim(
                user_agent=settings.nominatim_user_agent, timeout=settings.nominatim_timeout_s
            )
            self._geocode = RateLimiter(
                nominatim.geocode,
                min_delay_seconds=settings.nominatim_min_delay_s,
                max_retries=0,
                swallow_exceptions=False,
            )

    def resolve(self, connection: Connection, names: Iterable[str]) -> dict[str, NamedPoint]:
        """Place every name that can be placed; names that cannot are left out."""
        spellings: dict[str, list[str]] = {}  # "Paris" and "paris" are one query, two names
        for name in names:
            if name and fold(name):
                spellings.setdefault(fold(name), []).append(name)
        cached = {
            row.query: row
            for row in connection.execute(text(_READ_CACHE), {"queries": list(spellings)})
        }
        placed: dict[str, NamedPoint] = {}
        for query, same in spellings.items():
            name = same[0]
            point: NamedPoint | None = None
            if query in cached:
                row = cached[query]
                if row.lat is not None and row.lng is not None:
                    point = NamedPoint(row.lat, row.lng, "nominatim")
            elif self._geocode is not None and self.queries_left > 0:
                point = self._nominatim(connection, query, name)
            if point is None:
                point = self.match_gazetteer(name)
            if point is not None:
                placed.update(dict.fromkeys(same, point))
        return placed

    def _nominatim(self, connection: Connection, query: str, name: str) -> NamedPoint | None:
        assert self._geocode is not None
        self.queries_left -= 1
        try:
            found = self._geocode(name, exactly_one=True)
        except GeopyError as exc:
            logger.warning("Nominatim failed (%s); using the offline gazetteer for this run", exc)
            self._geocode = None
            return None
        self.nominatim_queries += 1
        lat = float(found.latitude) if found is not None else None
        lng = float(found.longitude) if found is not None else None
        city = country = None
        if lat is not None and lng is not None:
            places = self.locator.locate(np.array([lat]), np.array([lng]))
            city, country = places.city[0], places.country[0]
        connection.execute(
            text(_WRITE_CACHE),
            {"query": query, "lat": lat, "lng": lng, "city": city, "country": country},
        )
        return NamedPoint(lat, lng, "nominatim") if lat is not None and lng is not None else None

    def match_gazetteer(self, name: str) -> NamedPoint | None:
        """The offline match of a name (step 3 of the module docstring), if any."""
        gazetteer = self.locator.gazetteer
        parts = [part for part in _PARTS.split(name.strip()) if part]
        country = next(
            (code for part in parts[1:] if (code := gazetteer.country_named(part))), None
        )
        found = self._match(name, parts, country)
        if found is None and country is not None:
            # "Los Angeles, CA": a US state's code read as a country (CA: Canada) matches
            # nothing; the names alone then decide.
            found = self._match(name, parts, None)
        return found

    def _match(self, name: str, parts: list[str], country: str | None) -> NamedPoint | None:
        gazetteer = self.locator.gazetteer
        trend = self.locator.trend
        windows = _capitalised_windows(parts)
        # Reporting cities with the parts from the last back ("Soho, London" is London's Soho),
        # gazetteer cities in the order written.
        for candidate in dict.fromkeys([name, *parts[::-1], *windows]):
            number = trend.by_alias(candidate)
            if number is not None and country in (None, trend.country[number]):
                centre = trend.centre[number]
                return NamedPoint(
                    float(gazetteer.lat[centre]), float(gazetteer.lng[centre]), "gazetteer"
                )
        guessed = set(windows) - {name, *parts}
        candidates = list(dict.fromkeys([name, *parts, *windows]))
        for alternates in (False, True):
            for candidate in candidates:
                cities = gazetteer.cities_named(candidate, country, alternates=alternates)
                if candidate in guessed:
                    cities = _plausible_guesses(gazetteer, candidate, cities, alternates)
                if cities:
                    city = cities[0]
                    return NamedPoint(
                        float(gazetteer.lat[city]), float(gazetteer.lng[city]), "gazetteer"
                    )
        return None


def _plausible_guesses(
    gazetteer: Gazetteer, window: str, cities: tuple[int, ...], alternates: bool
) -> tuple[int, ...]:
    """The ``cities`` a run of words guessed from the capitals may name (module docstring)."""
    if alternates and len(fold(window)) < GUESSED_MIN_ALTERNATE_LETTERS:
        return ()  # its own-name cities were tried in the first pass
    return tuple(city for city in cities if gazetteer.population[city] >= GUESSED_MIN_POPULATION)


def _capitalised_windows(parts: list[str]) -> list[str]:
    """Runs of words starting with a capitalised word, longest first, then from the right."""
    windows: list[tuple[int, int, str]] = []
    for order, part in enumerate(parts):
        words = part.split()
        for start, first in enumerate(words):
            if first[:1].isupper():
                for end in range(start + 1, len(words) + 1):
                    windows.append(
                        (-(end - start), -(order * 1000 + start), " ".join(words[start:end]))
                    )
    return [window for *_, window in sorted(windows)]
