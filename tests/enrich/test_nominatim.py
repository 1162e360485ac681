"""Name-only locations with Nominatim intercepted (geopy's requests adapter) and offline."""

from __future__ import annotations

import re

import pytest
import requests
import responses
from responses import matchers
from sqlalchemy import Engine, text

from tests.factories import make_post
from trendminer.db.bulk import upsert_posts
from trendminer.enrich import enrich
from trendminer.enrich.geocode import NameGeocoder
from trendminer.enrich.stage import city_locator
from trendminer.records import LocationRecord
from trendminer.settings import Settings

SEARCH = re.compile(r"https://nominatim\.openstreetmap\.org/search.*")
RUE_DE_RIVOLI = [{"lat": "48.8606", "lon": "2.3376", "display_name": "Rue de Rivoli, Paris"}]


def _settings(**overrides: object) -> Settings:
    fields: dict[str, object] = {
        "enrich_workers": 1,
        "nominatim_enabled": True,
        "nominatim_min_delay_s": 0.0,
        "nominatim_timeout_s": 0.5,
        "nominatim_user_agent": "trendminer-tests",
        **overrides,
    }
    return Settings(**fields)  # type: ignore[arg-type]


def _named_posts(engine: Engine, *names: str) -> None:
    posts = [
        make_post(i, location=LocationRecord(100 + i, name), comment_list=())
        for i, name in enumerate(names)
    ]
    with engine.begin() as connection:
        upsert_posts(connection, posts)


def _places(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT p.shortcode, p.city, p.country, l.geo_source FROM posts p "
                "JOIN locations l USING (location_id) ORDER BY 1"
            )
        )
        return [tuple(row) for row in rows]


@responses.activate
def test_nominatim_answers_are_used_and_cached(engine: Engine) -> None:
    search = responses.get(
        SEARCH,
        json=RUE_DE_RIVOLI,
        match=[matchers.query_param_matcher({"q": "Rue de Rivoli 99"}, strict_match=False)],
    )
    responses.get(SEARCH, json=[])  # anything else: Nominatim knows nothing
    _named_posts(engine, "Rue de Rivoli 99", "Lagos Island")
    result = enrich(engine, _settings())
    assert result.nominatim_queries == 2
    assert search.call_count == 1
    assert "trendminer-tests" in search.calls[0].request.headers["User-Agent"]
    # not found by Nominatim: the gazetteer still places it
    assert _places(engine) == [
        ("SC000000", "Paris", "FR", "nominatim"),
        ("SC000001", "Lagos", "NG", "gazetteer"),
    ]
    with engine.connect() as connection:
        cached = connection.execute(
            text("SELECT query, lat, city, source FROM geocode_cache ORDER BY 1")
        ).all()
    assert [tuple(row) for row in cached] == [
        ("lagos island", None, None, "nominatim"),
        ("rue de rivoli 99", pytest.approx(48.8606), "Paris", "nominatim"),
    ]
    # a second run answers from the cache: no request at all
    responses.reset()
    again = enrich(engine, _settings(), everything=True)
    assert again.nominatim_queries == 0
    assert len(responses.calls) == 0
    assert _places(engine)[0] == ("SC000000", "Paris", "FR", "nominatim")


@responses.activate
@pytest.mark.parametrize(
    "failure", [requests.ConnectionError("network down"), requests.ReadTimeout("too slow")]
)
def test_network_failure_falls_back_to_the_gazetteer_at_once(
    engine: Engine, failure: Exception
) -> None:
    search = responses.get(SEARCH, body=failure)
    _named_posts(engine, "Brooklyn, New York", "Shibuya, Tokyo", "Nowhere in particular")
    result = enrich(engine, _settings())
    assert search.call_count == 1  # the first failure switches Nominatim off for the run
    assert result.nominatim_queries == 0
    assert _places(engine) == [
        ("SC000000", "New York", "US", "gazetteer"),
        ("SC000001", "Tokyo", "JP", "gazetteer"),
        ("SC000002", None, None, "unresolved"),
    ]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM geocode_cache")).scalar() == 0


@responses.activate
def test_query_budget_bounds_a_run(engine: Engine) -> None:
    search = responses.get(SEARCH, json=[])
    locator = city_locator(Settings())
    geocoder = NameGeocoder(_settings(nominatim_max_queries=2), locator)
    with engine.begin() as connection:
        placed = geocoder.resolve(connection, ["Alpha Street", "Beta Street", "Paris"])
    assert search.call_count == 2
    assert list(placed) == ["Paris"]  # asked of the gazetteer once the budget was spent


def test_disabled_nominatim_sends_nothing(engine: Engine) -> None:
    with responses.RequestsMock() as mocked:  # any request would fail the test
        _named_posts(engine, "Le Marais, Paris")
        result = enrich(engine, _settings(nominatim_enabled=False))
        assert len(mocked.calls) == 0
    assert result.nominatim_queries == 0
    assert _places(engine) == [("SC000000", "Paris", "FR", "gazetteer")]
