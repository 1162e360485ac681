"""Offline geocoding: coordinates and names to reporting cities, country and time zone."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import Engine

from trendminer.enrich.geocode import NameGeocoder
from trendminer.enrich.stage import city_locator
from trendminer.enrich.trend_cities import CityLocator
from trendminer.settings import Settings


@pytest.fixture(scope="module")
def locator() -> CityLocator:
    return city_locator(Settings())


def test_known_coordinates_give_their_city(locator: CityLocator) -> None:
    points = {
        "Eiffel Tower": ((48.8584, 2.2945), ("Paris", "FR", "Europe/Paris")),
        "Shibuya crossing": ((35.6595, 139.7005), ("Tokyo", "JP", "Asia/Tokyo")),
        "Avenida Paulista": ((-23.5614, -46.6559), ("São Paulo", "BR", "America/Sao_Paulo")),
        "Lekki": ((6.4474, 3.4723), ("Lagos", "NG", "Africa/Lagos")),
        "Opera House": ((-33.8568, 151.2153), ("Sydney", "AU", "Australia/Sydney")),
        "Times Square": ((40.758, -73.9855), ("New York", "US", "America/New_York")),
        "Williamsburg": ((40.7081, -73.9571), ("New York", "US", "America/New_York")),
        "Puerta del Sol": ((40.4169, -3.7035), ("Madrid", "ES", "Europe/Madrid")),
        "Lyon": ((45.764, 4.8357), ("Lyon", "FR", "Europe/Paris")),
        "Yokohama": ((35.4437, 139.638), ("Yokohama", "JP", "Asia/Tokyo")),
        "Paris 11e (a GeoNames section of Paris)": (
            (48.8590, 2.3800),
            ("Paris", "FR", "Europe/Paris"),
        ),
        "Across the antimeridian, Suva": ((-18.1416, 178.4419), ("Suva", "FJ", "Pacific/Fiji")),
        "mid-Atlantic": ((0.0, -30.0), (None, None, None)),
        # a reporting city's alias far from it is that other city, named with its country
        "Manhattan, Kansas": ((39.1836, -96.5717), ("Manhattan, US", "US", "America/Chicago")),
        "London, Ontario": ((42.9849, -81.2453), ("London, CA", "CA", "America/Toronto")),
        # a bigger city across a border is no parent
        "Kehl, by Strasbourg": ((48.5728, 7.8156), ("Kehl", "DE", "Europe/Berlin")),
    }
    lat = np.array([p[0][0] for p in points.values()])
    lng = np.array([p[0][1] for p in points.values()])
    found = locator.locate(lat, lng)
    got = dict(
        zip(points, zip(found.city, found.country, found.timezone, strict=True), strict=True)
    )
    assert got == {name: expected for name, (_, expected) in points.items()}


def test_reporting_city_radius_and_aliases_follow_the_settings() -> None:
    settings = Settings(trend_cities={"Big Apple": ["NYC", "Brooklyn"]}, trend_city_radius_km=2.0)
    locator = city_locator(settings)
    # 1 km from the centre: within the radius; Brooklyn's own point: an alias
    found = locator.locate(np.array([40.72, 40.6501]), np.array([-74.0, -73.9496]))
    assert list(found.city) == ["Big Apple", "Big Apple"]
    assert NameGeocoder(settings, locator).match_gazetteer("NYC") is not None


@pytest.mark.parametrize(
    ("name", "city", "country"),
    [
        ("Paris", "Paris", "FR"),
        ("Paris City Centre", "Paris", "FR"),
        ("Café de Flore, Paris", "Paris", "FR"),
        ("NYC", "New York", "US"),
        ("Brooklyn, New York", "New York", "US"),
        ("Shoreditch, London", "London", "GB"),
        ("Sao Paulo, Brazil", "São Paulo", "BR"),
        ("Paris, Texas, USA", "Paris, US", "US"),  # not the reporting city: named apart
        ("London, Ontario, Canada", "London, CA", "CA"),
        ("Lagos", "Lagos", "NG"),
        ("Sydney NSW", "Sydney", "AU"),
        ("Soho, London", "London", "GB"),  # not New York's SoHo
        ("SoHo, New York", "New York", "US"),
        ("Los Angeles, CA", "Los Angeles", "US"),  # a US state's code, not Canada
        ("Chicago, IL", "Chicago", "US"),
        ("Zara Store Lima", "Lima", "PE"),  # Zadar was once Zara
        ("Zara, Lima", "Lima", "PE"),
        ("Mango Store Lima", "Lima", "PE"),  # the city comes last, not Mango in India
        ("Milano Centrale", "Milan", "IT"),
    ],
)
def test_names_match_the_gazetteer(
    locator: CityLocator, name: str, city: str, country: str
) -> None:
    point = NameGeocoder(Settings(nominatim_enabled=False), locator).match_gazetteer(name)
    assert point is not None
    assert point.source == "gazetteer"
    found = locator.locate(np.array([point.lat]), np.array([point.lng]))
    assert (found.city[0], found.country[0]) == (city, country)


def test_unknown_names_stay_unplaced(locator: CityLocator) -> None:
    geocoder = NameGeocoder(Settings(nominatim_enabled=False), locator)
    assert geocoder.match_gazetteer("my happy place") is None
    assert geocoder.match_gazetteer("Eiffel Tower") is None
    # "The", "Art", "Spa", "Gym" are airport codes among GeoNames' alternate names (Teresina's
    # THE, Watertown's ART ...): no venue's words place it there
    for venue in ("The Hoxton", "Art Museum", "Spa", "Gym"):
        assert geocoder.match_gazetteer(venue) is None, venue
    # Words of a venue's name that are alternate names of small towns, or short ones: Leh is
    # "Le", Bonn "Bon", Bar a town in Montenegro
    for venue in ("Le Bon Marché", "Hotel Bar", "Zara Store"):
        assert geocoder.match_gazetteer(venue) is None, venue


@pytest.mark.parametrize(("name", "city"), [("Venice", "Venice"), ("Cancún", "Cancún")])
def test_a_citys_own_name_wins_over_another_citys_alternate_name(
    locator: CityLocator, name: str, city: str
) -> None:
    """Dayton lists "Venice" among its alternate names, Changchun "Çançun"."""
    point = NameGeocoder(Settings(nominatim_enabled=False), locator).match_gazetteer(name)
    assert point is not None
    assert locator.locate(np.array([point.lat]), np.array([point.lng])).city[0] == city


def test_spellings_of_one_name_are_all_placed(locator: CityLocator, engine: Engine) -> None:
    geocoder = NameGeocoder(Settings(nominatim_enabled=False), locator)
    names = ["Paris", "paris", "Milano", "MILANO ", "Tokyo"]
    with engine.connect() as connection:
        placed = geocoder.resolve(connection, names)
    assert set(placed) == set(names)
    assert placed["Paris"] == placed["paris"]


def test_districts_are_lifted_to_their_city_not_to_a_district() -> None:
    """Outside every reporting city's radius: Koganei's big neighbour Setagaya is itself a part
    of Tokyo, and Tláhuac's Iztapalapa one of Mexico City."""
    locator = city_locator(Settings(trend_cities={"Paris": []}))
    found = locator.locate(np.array([35.7025, 19.2866]), np.array([139.5033, -99.0046]))
    assert list(found.city) == ["Tokyo", "Mexico City"]
