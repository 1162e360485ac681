"""Coordinates → the city a post is reported for.

A point goes, in this order, to:

1. the reporting city (``settings.trend_cities``) whose centre is within
   ``trend_city_radius_km``, the nearest one if several: a reporting city is its metro area;
2. else the nearest gazetteer city, lifted to its parent city: GeoNames lists sections of big
   cities as cities ("Paris 04 Hôtel-de-Ville", "Bushwick"), so a city with a city at least
   :data:`PARENT_POPULATION_RATIO` times bigger within :data:`PARENT_RADIUS_KM` counts as that
   bigger city of the same country;
3. which is reported as the reporting city it is an alias of ("Brooklyn" → New York) when it
   lies within :data:`ALIAS_RADIUS_KM` of that city's centre, in its country; a city farther
   away that bears a reporting city's name or alias is reported with its country ("London, CA"
   for London, Ontario; "Manhattan, US" for Manhattan, Kansas), so the trend tables, which
   group by city name, never count it as the reporting city.

A point farther than ``city_max_distance_km`` from any gazetteer city has no city. The time zone
is always the nearest gazetteer city's.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from trendminer.enrich.gazetteer import Gazetteer, fold, km_to_chord, unit_vectors
from trendminer.errors import ConfigurationError
from trendminer.settings import Settings

logger = logging.getLogger(__name__)

PARENT_RADIUS_KM = 15.0
PARENT_POPULATION_RATIO = 5
ALIAS_RADIUS_KM = 100.0


@dataclass(frozen=True, slots=True)
class Places:
    """Parallel arrays, one entry per point: city, country (ISO alpha-2), IANA time zone."""

    city: NDArray[np.object_]
    country: NDArray[np.object_]
    timezone: NDArray[np.object_]


class TrendCities:
    """The reporting cities: their gazetteer centres and their aliases."""

    def __init__(
        self, gazetteer: Gazetteer, cities: Mapping[str, Sequence[str]], radius_km: float
    ) -> None:
        self.names = list(cities)
        self.radius_km = radius_km
        self.centre = np.array(
            [self._centre(gazetteer, name, cities[name]) for name in self.names], dtype=np.intp
        )
        self.country = gazetteer.country[self.centre] if self.names else np.array([], object)
        self._alias: dict[str, int] = {}
        for number, name in enumerate(self.names):
            for alias in (name, *cities[name]):
                owner = self._alias.setdefault(fold(alias), number)
                if owner != number:
                    logger.warning(
                        "trend city alias %r of %s is already %s's; it stays %s's",
                        alias, name, self.names[owner], self.names[owner],
                    )  # fmt: skip
        centres = unit_vectors(gazetteer.lat[self.centre], gazetteer.lng[self.centre])
        self._tree = cKDTree(centres) if self.names else None

    @staticmethod
    def _centre(gazetteer: Gazetteer, name: str, aliases: Sequence[str]) -> int:
        found = [city for alias in (name, *aliases) for city in gazetteer.cities_named(alias)]
        if not found:
            raise ConfigurationError(
                f"trend city {name!r} is not in the gazetteer under that name or its aliases; "
                "add an alias that GeoNames knows (its English or local name)"
            )
        return max(found, key=lambda city: int(gazetteer.population[city]))

    def by_alias(self, name: str) -> int | None:
        """The reporting city called ``name`` (or one of its aliases), if any."""
        return self._alias.get(fold(name))

    def within_radius(self, points: NDArray[np.float64]) -> NDArray[np.intp]:
        """For every point (unit vectors) the nearest reporting city within the radius, else -1."""
        if self._tree is None or self.radius_km <= 0:
            return np.full(len(points), -1, dtype=np.intp)
        _, number = self._tree.query(
            points, k=1, distance_upper_bound=km_to_chord(self.radius_km), workers=-1
        )
        number = np.asarray(number, dtype=np.intp)
        number[number >= len(self.names)] = -1  # nothing within the bound
        return number


class CityLocator:
    """Vectorised coordinates → :class:`Places` (see the module docstring for the rules)."""

    def __init__(self, gazetteer: Gazetteer, trend: TrendCities, max_distance_km: float) -> None:
        self.gazetteer = gazetteer
        self.trend = trend
        self.max_distance_km = max_distance_km
        parent = _parents(gazetteer)
        city = gazetteer.name[parent].copy()
        country = gazetteer.country[parent].copy()
        points = unit_vectors(gazetteer.lat, gazetteer.lng)
        near = km_to_chord(ALIAS_RADIUS_KM)
        for index, name in enumerate(city):
            number = trend.by_alias(name)
            if number is None:
                continue
            gap = float(np.linalg.norm(points[parent[index]] - points[trend.centre[number]]))
            if trend.country[number] == country[index] and gap <= near:
                city[index] = trend.names[number]
            else:
                city[index] = f"{name}, {country[index]}"
        self._city = city
        self._country = country

    @classmethod
    def from_settings(cls, gazetteer: Gazetteer, settings: Settings) -> CityLocator:
        trend = TrendCities(gazetteer, settings.trend_cities, settings.trend_city_radius_km)
        return cls(gazetteer, trend, settings.city_max_distance_km)

    def place_named(self, city: str, country: str | None) -> Places | None:
        """A city given by name (a reporting city or an alias, a GeoNames city, or ``"Name,
        CC"``), as :meth:`locate` names it at that city's centre: ``NYC`` is New York, Paris
        in the US is ``Paris, US``. None when the gazetteer does not know it."""
        number = self.trend.by_alias(city)
        if number is not None and country in (None, self.trend.country[number]):
            found: tuple[int, ...] = (int(self.trend.centre[number]),)
        else:
            name, _, code = city.rpartition(", ")
            if not (name and len(code) == 2 and code.isupper()):
                name, code = city, country or ""
            found = self.gazetteer.cities_named(name, code or None)
        if not found:
            return None
        return self.locate(self.gazetteer.lat[found[:1]], self.gazetteer.lng[found[:1]])

    def locate(self, lat: NDArray[np.float64], lng: NDArray[np.float64]) -> Places:
        """The reported city, country and time zone of every point (degrees); None if too far."""
        lat = np.asarray(lat, dtype=np.float64)
        lng = np.asarray(lng, dtype=np.float64)
        points = unit_vectors(lat, lng)
        nearest, distance = self.gazetteer.nearest_to(points)
        city = self._city[nearest]
        country = self._country[nearest]
        timezone = self.gazetteer.timezone[nearest]
        number = self.trend.within_radius(points)
        in_trend = number >= 0
        if in_trend.any():
            city[in_trend] = np.asarray(self.trend.names, dtype=object)[number[in_trend]]
            country[in_trend] = self.trend.country[number[in_trend]]
        too_far = (distance > self.max_distance_km) & ~in_trend
        city[too_far] = None
        country[too_far] = None
        timezone[too_far] = None
        return Places(city, country, timezone)


def _parents(gazetteer: Gazetteer) -> NDArray[np.intp]:
    """Each city's parent: the most populous city within the radius if it is far bigger."""
    neighbours = gazetteer.tree.query_ball_point(
        gazetteer.tree.data, r=km_to_chord(PARENT_RADIUS_KM), workers=-1
    )
    parent = np.arange(len(gazetteer), dtype=np.intp)
    for city, near in enumerate(neighbours):
        # cities are sorted most populous first, so the smallest index is the biggest city; a
        # border is no district line (Kehl is no part of Strasbourg)
        biggest = min(n for n in near if gazetteer.country[n] == gazetteer.country[city])
        if gazetteer.population[biggest] >= PARENT_POPULATION_RATIO * gazetteer.population[city]:
            parent[city] = biggest
    while True:  # a district's parent may itself have one (Koganei → Setagaya → Tokyo)
        lifted = parent[parent]
        if np.array_equal(lifted, parent):
            return parent
        parent = lifted
