"""The enrich stage against the real PostgreSQL: sentiment, cities, homes, idempotent reruns."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from tests.factories import BASE_TIME, make_post
from trendminer.db.bulk import upsert_posts
from trendminer.enrich import enrich
from trendminer.records import CommentRecord, LocationRecord
from trendminer.settings import Settings

PARIS = LocationRecord(1, "Le Marais", None, 48.857, 2.362)
TOKYO = LocationRecord(2, "Shibuya Crossing", None, 35.6595, 139.7005)
BROOKLYN_NAME = LocationRecord(3, "Brooklyn, New York")
NOWHERE = LocationRecord(4, "My happy place")

POST_COLUMNS = (
    "shortcode, language, sentiment_compound, sentiment_pos, sentiment_neu, sentiment_neg, "
    "sentiment_label, city, country, city_source, timezone"
)


def _settings(**overrides: object) -> Settings:
    fields: dict[str, object] = {"enrich_workers": 1, "nominatim_enabled": False, **overrides}
    return Settings(**fields)  # type: ignore[arg-type]


def _posts(engine: Engine, posts: list) -> None:  # type: ignore[type-arg]
    with engine.begin() as connection:
        upsert_posts(connection, posts)


def _rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def _world(engine: Engine) -> None:
    captions = [
        "Loving this new look 😍 #ootd",
        "worst day ever #sad #fail",
        "Nouvelle tenue pour la fashion week à Paris #outfit",
        "not bad at all, honestly pretty good",
        None,
    ]
    posts = [
        make_post(i, owner="amelie", location=PARIS, caption=captions[i % 5], comment_list=())
        for i in range(4)
    ]
    posts += [make_post(10, owner="amelie", location=None, caption="#tbt")]
    posts += [make_post(11, owner="kenji", location=TOKYO, caption="great day")]
    posts += [make_post(12, owner="kenji", location=None, caption="cute")]
    posts += [make_post(13, owner="bo", location=BROOKLYN_NAME, caption="hi")]
    posts += [make_post(14, owner="bo", location=NOWHERE, caption=None)]
    _posts(engine, posts)


def test_enrich_scores_places_and_infers_homes(engine: Engine) -> None:
    _world(engine)
    result = enrich(engine, _settings())
    assert result.posts == 9
    rows = {r[0]: r for r in _rows(engine, f"SELECT {POST_COLUMNS} FROM posts")}
    positive, negative, french, negation = (rows[f"SC{i:06d}"] for i in range(4))
    assert positive[1] == "en"
    assert positive[6] == "positive"
    assert negative[6] == "negative"
    assert negative[2] < -0.05  # type: ignore[operator]
    assert french[1] == "fr"
    assert french[2:7] == (None,) * 5
    assert negation[6] == "positive"
    assert positive[7:] == ("Paris", "FR", "location", "Europe/Paris")
    assert rows["SC000011"][7:] == ("Tokyo", "JP", "location", "Asia/Tokyo")
    assert rows["SC000013"][7:] == ("New York", "US", "location", "America/New_York")
    # four located posts in Paris make it amelie's home; one in Tokyo is not enough for kenji
    assert rows["SC000010"][7:] == ("Paris", "FR", "home", "Europe/Paris")
    assert rows["SC000012"][7:] == (None, None, None, None)
    assert rows["SC000014"][7:] == (None, None, None, None)
    homes = _rows(engine, "SELECT username, home_city, home_country, home_inferred FROM profiles")
    assert homes == [("amelie", "Paris", "FR", True)]
    sources = _rows(engine, "SELECT location_id, geo_source FROM locations ORDER BY 1")
    assert sources == [(1, "coordinates"), (2, "coordinates"), (3, "gazetteer"), (4, "unresolved")]
    assert result.homes == 1
    assert result.posts_at_home == 1
    assert result.posts_located == 6


def test_rerun_changes_nothing_and_everything_gives_the_same_rows(engine: Engine) -> None:
    _world(engine)
    enrich(engine, _settings())
    snapshot = _rows(engine, f"SELECT {POST_COLUMNS}, enriched_at FROM posts ORDER BY 1")
    comments = _rows(engine, "SELECT * FROM comments ORDER BY 1")
    again = enrich(engine, _settings())
    assert again.posts == 0
    assert again.comments == 0
    assert _rows(engine, f"SELECT {POST_COLUMNS}, enriched_at FROM posts ORDER BY 1") == snapshot
    assert _rows(engine, "SELECT * FROM comments ORDER BY 1") == comments
    redone = enrich(engine, _settings(), everything=True)
    assert redone.posts == 9
    assert _rows(engine, f"SELECT {POST_COLUMNS} FROM posts ORDER BY 1") == [
        row[:-1] for row in snapshot
    ]


def test_a_post_moved_to_its_owners_new_home_is_marked_enriched_again(engine: Engine) -> None:
    """The trend days built before the move must be found stale (trendminer.trends.stale)."""
    _world(engine)
    enrich(engine, _settings())
    with engine.begin() as connection:
        connection.execute(text("UPDATE posts SET enriched_at = '2000-01-01'"))
    _posts(engine, [make_post(20 + i, owner="kenji", location=TOKYO) for i in range(4)])
    enrich(engine, _settings())
    moved = _rows(
        engine,
        "SELECT shortcode, city, enriched_at > '2000-01-01' FROM posts "
        "WHERE shortcode IN ('SC000010', 'SC000012') ORDER BY 1",
    )
    assert moved == [("SC000010", "Paris", False), ("SC000012", "Tokyo", True)]


def test_a_home_set_by_hand_places_its_owners_posts_in_its_time_zone(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """kenji's one Tokyo post infers no home, and amelie's four Paris posts infer Paris; homes
    set by hand win over both, with the gazetteer's time zone; an unknown one is left out."""
    _world(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO profiles (username, home_city, home_country, home_inferred) VALUES "
                "('kenji', 'Osaka', 'JP', false), ('amelie', 'Lyon', 'FR', false), "
                "('bo', 'Atlantis', 'XX', false), ('cy', 'NYC', NULL, false), "
                "('di', 'Paris', 'US', false)"
            )
        )
    with caplog.at_level("WARNING"):
        enrich(engine, _settings())
    placed = _rows(
        engine,
        "SELECT shortcode, city, country, city_source, timezone FROM posts "
        "WHERE shortcode IN ('SC000010', 'SC000012', 'SC000014') ORDER BY 1",
    )
    assert placed == [
        ("SC000010", "Lyon", "FR", "home", "Europe/Paris"),
        ("SC000012", "Osaka", "JP", "home", "Asia/Tokyo"),
        ("SC000014", None, None, None, None),
    ]
    assert "'Atlantis' (set by hand) is not a city the gazetteer knows" in caplog.text
    # named as located posts name their cities: an alias is its reporting city, a namesake
    # abroad keeps its country
    _posts(
        engine, [make_post(30, owner="cy", location=None), make_post(31, owner="di", location=None)]
    )
    enrich(engine, _settings())
    named = _rows(
        engine,
        "SELECT owner, city, country, timezone FROM posts WHERE owner IN ('cy', 'di') ORDER BY 1",
    )
    assert named == [
        ("cy", "New York", "US", "America/New_York"),
        ("di", "Paris, US", "US", "America/Chicago"),
    ]
    homes = _rows(
        engine,
        "SELECT username, home_city, home_inferred FROM profiles "
        "WHERE username IN ('amelie', 'bo', 'kenji') ORDER BY 1",
    )
    assert homes == [
        ("amelie", "Lyon", False),
        ("bo", "Atlantis", False),
        ("kenji", "Osaka", False),
    ]


def test_comments_get_language_and_sentiment(engine: Engine) -> None:
    comments = (
        CommentRecord(1, "fan", "love it 😍", BASE_TIME),
        CommentRecord(2, "fan", "c'est vraiment magnifique, bravo", BASE_TIME),
        CommentRecord(3, "fan", "this is not good", BASE_TIME),
    )
    _posts(engine, [make_post(0, comment_list=comments)])
    result = enrich(engine, _settings())
    assert result.comments == 3
    assert result.comments_scored == 2
    rows = _rows(engine, "SELECT comment_id, language, sentiment_label FROM comments ORDER BY 1")
    assert rows == [(1, "en", "positive"), (2, "fr", None), (3, "en", "negative")]


def test_since_limits_the_window(engine: Engine) -> None:
    _posts(engine, [make_post(i, caption="happy", comment_list=()) for i in range(3)])
    result = enrich(engine, _settings(), since=BASE_TIME + timedelta(minutes=1))
    assert result.posts == 2
    assert _rows(engine, "SELECT shortcode FROM posts WHERE enriched_at IS NULL") == [("SC000000",)]


def test_worker_pool_gives_the_same_scores(engine: Engine) -> None:
    captions = ["so happy today", "terrible fit #fail", "Me encanta este vestido", "a blue shirt"]
    _posts(
        engine,
        [make_post(i, caption=f"{captions[i % 4]} {i}", comment_list=()) for i in range(7000)],
    )
    # four batches: the workers score two ahead of the one being written
    enrich(engine, _settings(enrich_workers=2, enrich_batch_size=2000))
    pooled = _rows(engine, f"SELECT {POST_COLUMNS} FROM posts ORDER BY 1")
    enrich(engine, _settings(), everything=True)
    assert _rows(engine, f"SELECT {POST_COLUMNS} FROM posts ORDER BY 1") == pooled
    assert {row[6] for row in pooled} == {"positive", "negative", "neutral", None}
