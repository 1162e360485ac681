"""The Instagram source through the real instaloader code, its HTTP intercepted by responses.

Fixtures are shaped like Instagram's answers to instaloader 4.16's hashtag feed query
(``graphql/query`` with ``query_hash`` 9b498c08…, ``data.hashtag.edge_hashtag_to_media``) and
its CDN picture downloads. No request passes through; every registered response must be used.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from responses import matchers
from sqlalchemy import Engine, text

from tests.collect.dumps import BASE, graph_node, jpeg
from trendminer.collect import collect_instagram
from trendminer.collect.instagram import (
    InstagramLoginError,
    InstagramRateLimitError,
    InstagramResponseError,
    InstagramSourcesError,
    make_loader,
)
from trendminer.collect.state import write_state
from trendminer.errors import RetriableError
from trendminer.settings import Settings

QUERY_HASH = "9b498c08113f1e09617a1703c22b2f32"
GRAPHQL = "https://www.instagram.com/graphql/query"
MILAN = {"id": "213050058", "has_public_page": True, "name": "Milan, Italy",
         "slug": "milan-italy", "lat": 45.4642, "lng": 9.19}  # fmt: skip


class SimulatedKill(BaseException):
    """Stands for SIGKILL: nothing of ours catches it."""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    session = tmp_path / "session-tester"
    session.write_bytes(
        pickle.dumps({"sessionid": "s3cr3t", "csrftoken": "tok", "ds_user_id": "42", "mid": "m"})
    )
    return Settings(
        data_dir=tmp_path / "data",
        instagram_session_file=session,
        collect_max_sleep_s=30.0,
        collect_profiles_per_run=0,
    )


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def _posts(first: int, count: int) -> list[dict[str, Any]]:
    """Nodes newest first: index i is taken 100 - i hours after BASE."""
    nodes = []
    for i in range(first, first + count):
        kind = {3: "GraphSidecar", 5: "GraphVideo"}.get(i % 7, "GraphImage")
        node = graph_node(
            i,
            typename=kind,
            location=MILAN if i % 2 else None,
            taken_at=BASE + timedelta(hours=100 - i),
        )
        node["owner"]["username"] = f"user{i % 4}"
        nodes.append(node)
    return nodes


def _page(nodes: list[dict[str, Any]], next_cursor: str | None) -> dict[str, Any]:
    return {
        "data": {
            "hashtag": {
                "id": "17841563269106579",
                "name": "outfit",
                "edge_hashtag_to_media": {
                    "count": 123456,
                    "page_info": {"has_next_page": next_cursor is not None,
                                  "end_cursor": next_cursor},
                    "edges": [{"node": node} for node in nodes],
                },
            }
        },
        "extensions": {"is_final": True},
        "status": "ok",
    }  # fmt: skip


def _feed_request(after: str | None, tag: str = "outfit") -> list[Any]:
    variables: dict[str, Any] = {"tag_name": tag, "first": 12}
    if after is not None:
        variables["after"] = after
    return [
        matchers.query_param_matcher(
            {"query_hash": QUERY_HASH, "variables": json.dumps(variables, separators=(",", ":"))}
        )
    ]


def _add_page(
    rsps: responses.RequestsMock,
    after: str | None,
    nodes: list[dict[str, Any]],
    cursor: str | None,
    tag: str = "outfit",
) -> None:
    rsps.add(responses.GET, GRAPHQL, json=_page(nodes, cursor), match=_feed_request(after, tag))


def _urls(nodes: list[dict[str, Any]]) -> list[str]:
    """Every picture URL of the nodes: sidecar items, or the picture (a video's thumbnail)."""
    urls = []
    for node in nodes:
        edges = (node.get("edge_sidecar_to_children") or {}).get("edges")
        urls += [e["node"]["display_url"] for e in edges] if edges else [node["display_url"]]
    return urls


def _add_pictures(rsps: responses.RequestsMock, nodes: list[dict[str, Any]]) -> int:
    urls = _urls(nodes)
    for n, url in enumerate(urls):
        rsps.add(responses.GET, url, body=jpeg(n), content_type="image/jpeg")
    return len(urls)


def _stored(engine: Engine) -> dict[str, Any]:
    with engine.connect() as connection:
        return {
            "posts": sorted(connection.execute(text("SELECT shortcode FROM posts")).scalars()),
            "media": connection.execute(
                text("SELECT count(*) FROM media WHERE status = 'ok'")
            ).scalar_one(),
            "state": connection.execute(
                text("SELECT watermark, resume_state, last_status FROM scrape_state "
                     "WHERE kind = 'hashtag' AND name = 'outfit'")
            ).first(),
        }  # fmt: skip


def _codes(nodes: list[dict[str, Any]]) -> list[str]:
    return sorted(node["shortcode"] for node in nodes)


def test_instagram_pages_sidecars_videos_locations_then_watermark_stop(
    engine: Engine, settings: Settings
) -> None:
    pages = [_posts(0, 4), _posts(4, 4), _posts(8, 3)]
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        _add_page(rsps, None, pages[0], "c1")
        _add_page(rsps, "c1", pages[1], "c2")
        _add_page(rsps, "c2", pages[2], None)
        pictures = _add_pictures(rsps, pages[0] + pages[1] + pages[2])
        shown: dict[str, list[int]] = {"posts": [], "pictures": []}
        result = collect_instagram(engine, settings, hashtags=["#Outfit"],
                                   loader=make_loader(settings, sleep=False),
                                   progress=lambda what, n: shown[what].append(n))  # fmt: skip
    everything = pages[0] + pages[1] + pages[2]
    assert (result.posts, result.inserted, result.pictures_ok) == (11, 11, pictures)
    assert [n for n in shown["posts"] if n] == [4, 4, 3]  # the bar moves page by page
    assert sum(shown["pictures"]) == result.pictures
    stored = _stored(engine)
    assert stored["posts"] == _codes(everything)
    assert stored["state"].watermark == BASE + timedelta(hours=100)
    assert stored["state"].resume_state is None
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT shortcode, media_type FROM posts")).tuples()
        kinds: dict[str, str] = dict(rows.all())
        located = connection.execute(
            text("SELECT count(*) FROM posts p JOIN locations l USING (location_id) "
                 "WHERE l.name = 'Milan, Italy' AND l.lat = 45.4642")
        ).scalar_one()  # fmt: skip
        video = connection.execute(
            text("SELECT is_video, status FROM media WHERE shortcode = :s"),
            {"s": everything[5]["shortcode"]},
        ).one()
    assert kinds[everything[3]["shortcode"]] == "sidecar"
    assert kinds[everything[5]["shortcode"]] == "video"
    assert tuple(video) == (True, "ok")
    assert located == 5  # the odd ones; the others have no location
    assert stored["media"] == pictures

    # Later: two new posts, then old ones; the 6 h overlap re-reads 0..6, post 7 is older: stop.
    fresh = [graph_node(90 + i, taken_at=BASE + timedelta(hours=120 - i)) for i in range(2)]
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        _add_page(rsps, None, fresh + pages[0] + pages[1], "d1")  # d1 is never requested
        _add_pictures(rsps, fresh)  # the re-read posts' pictures are stored already
        again = collect_instagram(engine, settings, hashtags=["outfit"],
                                  loader=make_loader(settings, sleep=False))  # fmt: skip
    assert (again.inserted, again.updated) == (2, 7)
    assert again.pictures_ok == again.pictures  # the stored ones are kept, not marked missing
    assert _stored(engine)["media"] == pictures + len(_urls(fresh))
    assert _stored(engine)["state"].watermark == BASE + timedelta(hours=120)


def test_instagram_run_killed_after_page_2_resumes_with_every_post_once(
    engine: Engine, settings: Settings
) -> None:
    pages = [_posts(0, 4), _posts(4, 4), _posts(8, 4), _posts(12, 2)]

    def kill(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        raise SimulatedKill

    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        _add_page(rsps, None, pages[0], "c1")
        _add_page(rsps, "c1", pages[1], "c2")
        rsps.add_callback(responses.GET, GRAPHQL, callback=kill, match=_feed_request("c2"))
        _add_pictures(rsps, pages[0] + pages[1])
        with pytest.raises(SimulatedKill):
            collect_instagram(engine, settings, hashtags=["outfit"],
                              loader=make_loader(settings, sleep=False))  # fmt: skip
    stored = _stored(engine)
    assert stored["posts"] == _codes(pages[0] + pages[1])
    assert stored["state"].resume_state["iterator"]["remaining_data"]["page_info"] == {
        "has_next_page": True, "end_cursor": "c2"
    }  # fmt: skip

    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        _add_page(rsps, None, pages[0], "c1")  # instaloader's iterator asks page 1 before thawing
        _add_page(rsps, "c2", pages[2], "c3")
        _add_page(rsps, "c3", pages[3], None)
        _add_pictures(rsps, pages[2] + pages[3])  # page 2's last is re-read, its picture kept
        result = collect_instagram(engine, settings, hashtags=["outfit"],
                                   loader=make_loader(settings, sleep=False))  # fmt: skip
    assert (result.inserted, result.updated) == (6, 1)
    stored = _stored(engine)
    assert stored["posts"] == _codes(pages[0] + pages[1] + pages[2] + pages[3])
    assert stored["state"].resume_state is None
    assert stored["state"].watermark == BASE + timedelta(hours=100)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM posts")).scalar_one() == 14


def test_instagram_429_saves_state_and_asks_for_a_retry_later(
    engine: Engine, settings: Settings
) -> None:
    first = _posts(0, 4)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        _add_page(rsps, None, first, "c1")
        rsps.add(responses.GET, GRAPHQL, status=429, json={"message": "Please wait a few minutes",
                 "status": "fail"}, match=_feed_request("c1"))  # fmt: skip
        _add_pictures(rsps, first)
        with pytest.raises(RetriableError) as raised:
            collect_instagram(engine, settings, hashtags=["outfit"],
                              loader=make_loader(settings, sleep=False))  # fmt: skip
    assert raised.value.retry_after_s > settings.collect_max_sleep_s
    assert "state saved" in str(raised.value)
    stored = _stored(engine)
    assert stored["posts"] == _codes(first)
    assert (
        stored["state"].resume_state["iterator"]["remaining_data"]["page_info"]["end_cursor"]
        == "c1"
    )


def test_instagram_429_on_the_first_page_keeps_the_saved_position(
    engine: Engine, settings: Settings
) -> None:
    first = _posts(0, 4)
    too_many = {"status": 429, "json": {"message": "Please wait a few minutes", "status": "fail"}}
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        _add_page(rsps, None, first, "c1")
        rsps.add(responses.GET, GRAPHQL, match=_feed_request("c1"), **too_many)
        _add_pictures(rsps, first)
        with pytest.raises(RetriableError):
            collect_instagram(engine, settings, hashtags=["outfit"],
                              loader=make_loader(settings, sleep=False))  # fmt: skip
    saved = _stored(engine)["state"].resume_state
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        rsps.add(responses.GET, GRAPHQL, match=_feed_request(None), **too_many)
        with pytest.raises(RetriableError):
            collect_instagram(engine, settings, hashtags=["outfit"],
                              loader=make_loader(settings, sleep=False))  # fmt: skip
    assert _stored(engine)["state"].resume_state == saved  # the retry goes on from page 2


def test_instagram_max_posts_stops_and_the_next_run_goes_on_to_the_watermark(
    engine: Engine, settings: Settings
) -> None:
    pages = [_posts(0, 4), _posts(4, 2)]
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        _add_page(rsps, None, pages[0], "c1")
        _add_pictures(rsps, pages[0][:3])
        limited = collect_instagram(engine, settings, hashtags=["outfit"], max_posts=3,
                                    loader=make_loader(settings, sleep=False))  # fmt: skip
    assert limited.posts == 3
    stored = _stored(engine)
    assert stored["state"].watermark is None  # the older posts are still to come
    assert stored["state"].resume_state is not None
    assert "max_posts" in stored["state"].last_status

    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        _add_page(rsps, None, pages[0], "c1")  # instaloader's iterator asks page 1 before thawing
        _add_page(rsps, "c1", pages[1], None)
        _add_pictures(rsps, pages[0][3:] + pages[1])  # the post it stopped on is re-read
        rest = collect_instagram(engine, settings, hashtags=["outfit"],
                                 loader=make_loader(settings, sleep=False))  # fmt: skip
    assert (rest.inserted, rest.updated) == (3, 1)
    stored = _stored(engine)
    assert stored["posts"] == _codes(pages[0] + pages[1])
    assert stored["state"].watermark == BASE + timedelta(hours=100)
    assert stored["state"].resume_state is None


def test_a_post_without_a_plausible_time_neither_stops_the_feed_nor_moves_the_watermark(
    engine: Engine, settings: Settings
) -> None:
    with engine.begin() as connection:
        write_state(connection, "hashtag", "outfit", status="ok", watermark=BASE)
    timeless, future = graph_node(1, taken_at=BASE), graph_node(2, taken_at=BASE)
    del timeless["taken_at_timestamp"]
    future["taken_at_timestamp"] = 5_000_000_000  # the year 2128
    newer = [graph_node(i, taken_at=BASE + timedelta(hours=20 - i)) for i in (3, 4, 5)]
    older = graph_node(6, taken_at=BASE - timedelta(hours=30))  # past the 6 h overlap: stop
    feed = [newer[0], timeless, future, newer[1], newer[2], older]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        _add_page(rsps, None, feed, None)
        _add_pictures(rsps, feed)
        result = collect_instagram(engine, settings, hashtags=["outfit"],
                                   loader=make_loader(settings, sleep=False))  # fmt: skip
    assert result.rejected == 2
    stored = _stored(engine)
    assert stored["posts"] == _codes(newer)
    assert stored["state"].watermark == BASE + timedelta(hours=17)


def test_a_run_resumed_with_max_posts_1_moves_on(engine: Engine, settings: Settings) -> None:
    """The post a resumed iterator gives back first is stored already: it is not counted."""
    feed = _posts(0, 3)
    runs = []
    for _ in range(3):
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            _add_page(rsps, None, feed, None)
            _add_pictures(rsps, feed)
            collect_instagram(engine, settings, hashtags=["outfit"], max_posts=1,
                              loader=make_loader(settings, sleep=False))  # fmt: skip
        runs.append(_stored(engine)["posts"])
    assert runs == [_codes(feed[:1]), _codes(feed[:2]), _codes(feed)]


@pytest.mark.parametrize(
    ("response", "error", "words"),
    [
        ({"status": 403, "json": {"message": "login_required", "status": "fail"}},
         InstagramLoginError, "login required"),
        ({"status": 401, "json": {"message": "Please wait a few minutes before you try again.",
                                  "require_login": True, "status": "fail"}},
         RetriableError, "please wait"),
        ({"status": 502, "body": "<html>Bad Gateway</html>"}, RetriableError, "servers failed"),
        ({"body": requests.exceptions.ReadTimeout("Read timed out. (read timeout=60)")},
         RetriableError, "timed out"),
        ({"status": 200, "body": "<!DOCTYPE html><html>login</html>"},
         InstagramResponseError, "unexpected response"),
        ({"status": 200, "json": {"data": {"hashtag": None}, "status": "ok"}},
         InstagramResponseError, "unexpected response"),
        ({"status": 302, "headers": {"Location": "https://www.instagram.com/accounts/login/"}},
         InstagramLoginError, "logged out"),
        ({"status": 400, "json": {"message": "checkpoint_required", "status": "fail",
                                  "checkpoint_url": "/challenge/x"}},
         InstagramLoginError, "security check"),
        ({"status": 400, "json": {"message": "feedback_required", "status": "fail"}},
         InstagramRateLimitError, "feedback_required"),
    ],
    ids=["403-login-required", "401-please-wait", "502", "timeout", "bad-json", "unexpected-json",
         "302-logged-out", "400-checkpoint", "400-feedback-required"],
)  # fmt: skip
def test_instagram_errors_on_page_2_are_clear_and_keep_page_1(
    engine: Engine, settings: Settings, response: dict[str, Any], error: type, words: str
) -> None:
    first = _posts(0, 3)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        _add_page(rsps, None, first, "c1")
        rsps.add(responses.GET, GRAPHQL, match=_feed_request("c1"), **response)
        _add_pictures(rsps, first)
        with pytest.raises(error) as raised:
            collect_instagram(engine, settings, hashtags=["outfit"],
                              loader=make_loader(settings, sleep=False))  # fmt: skip
    assert words in str(raised.value).lower()
    stored = _stored(engine)
    assert stored["posts"] == _codes(first)
    assert stored["state"].last_status.startswith("error")
    assert stored["state"].resume_state is not None


def test_instagram_without_a_session_fails_at_once_saying_how(
    engine: Engine, tmp_path: Path, rsps: responses.RequestsMock
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    with pytest.raises(InstagramLoginError, match="TRENDMINER_INSTAGRAM_SESSION_FILE"):
        collect_instagram(engine, settings, hashtags=["outfit"])


def test_instagram_sidecar_video_pictures_stored_by_hash_and_a_truncated_one_marked_corrupt(
    engine: Engine, settings: Settings
) -> None:
    nodes = _posts(3, 3)  # 3: a sidecar of two pictures, 4: a picture, 5: a video
    truncated = nodes[0]["edge_sidecar_to_children"]["edges"][1]["node"]["display_url"]
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        _add_page(rsps, None, nodes, None)
        for n, url in enumerate(_urls(nodes)):  # each attempt at the truncated one gets it again
            rsps.add(responses.GET, url, body=jpeg(n)[: 300 if url == truncated else None])
        result = collect_instagram(engine, settings, hashtags=["outfit"],
                                   loader=make_loader(settings, sleep=False))  # fmt: skip
    assert (result.pictures, result.pictures_ok, result.pictures_corrupt) == (4, 3, 1)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT shortcode, position, is_video, status, path, sha256, bytes, error "
                 "FROM media ORDER BY shortcode, position")
        ).all()  # fmt: skip
    by_key = {(r.shortcode, r.position): r for r in rows}
    broken = by_key[nodes[0]["shortcode"], 1]
    assert (broken.status, broken.path) == ("corrupt", None)
    assert "undecodable" in broken.error
    assert by_key[nodes[2]["shortcode"], 0].is_video
    for row in rows:
        if row.status == "ok":
            data = Path(row.path).read_bytes()
            assert (hashlib.sha256(data).hexdigest(), len(data)) == (row.sha256, row.bytes)
            assert Path(row.path).stem == row.sha256


def test_a_post_whose_owner_cannot_be_fetched_does_not_block_the_feed(
    engine: Engine, settings: Settings
) -> None:
    """The owner of a post given by id only is asked for; the post was deleted meanwhile."""
    from tests.collect.test_instagram_profiles import POST_DOC, _doc

    nodes = [graph_node(i, taken_at=BASE + timedelta(hours=10 - i)) for i in range(3)]
    gone = graph_node(7, owner=None, taken_at=BASE + timedelta(hours=8, minutes=30))
    feed = [*nodes[:2], gone, nodes[2]]
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        _add_page(rsps, None, feed, None)
        rsps.add(responses.POST, GRAPHQL,
                 json={"data": {"xdt_api__v1__media__shortcode__web_info": {"items": []}},
                       "status": "ok"},
                 match=[_doc(POST_DOC, shortcode=gone["shortcode"])])  # fmt: skip
        _add_pictures(rsps, feed)
        result = collect_instagram(engine, settings, hashtags=["outfit"],
                                   loader=make_loader(settings, sleep=False))  # fmt: skip
    assert (result.posts, result.rejected) == (4, 1)  # kept in rejected_records: no owner
    stored = _stored(engine)
    assert set(_codes(nodes)) <= set(stored["posts"])
    assert stored["state"].last_status == "ok"
    assert stored["state"].watermark == BASE + timedelta(hours=10)


def test_one_failing_hashtag_does_not_stop_the_others(engine: Engine, settings: Settings) -> None:
    good = _posts(0, 2)
    banned = {"json": {"data": {"hashtag": None}, "status": "ok"}}
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        rsps.add(responses.GET, GRAPHQL, match=_feed_request(None, "outfit"), **banned)
        _add_page(rsps, None, good, None, tag="streetstyle")
        rsps.add(responses.GET, GRAPHQL, match=_feed_request(None, "gone"), **banned)
        _add_pictures(rsps, good)
        with pytest.raises(InstagramSourcesError, match=r"hashtag outfit.*hashtag gone"):
            collect_instagram(engine, settings, hashtags=["outfit", "streetstyle", "gone"],
                              loader=make_loader(settings, sleep=False))  # fmt: skip
    with engine.connect() as connection:
        states = dict(
            connection.execute(text("SELECT name, last_status FROM scrape_state")).tuples().all()
        )
    assert _stored(engine)["posts"] == _codes(good)
    assert states["streetstyle"] == "ok"
    assert states["outfit"].startswith("error")
    assert states["gone"].startswith("error")


def test_a_rate_limit_ends_the_run_with_a_retry(engine: Engine, settings: Settings) -> None:
    too_many = {"status": 429, "json": {"message": "Please wait a few minutes", "status": "fail"}}
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        rsps.add(responses.GET, GRAPHQL, match=_feed_request(None, "outfit"), **too_many)
        with pytest.raises(InstagramRateLimitError):  # streetstyle is not asked for
            collect_instagram(engine, settings, hashtags=["outfit", "streetstyle"],
                              loader=make_loader(settings, sleep=False))  # fmt: skip


def test_an_empty_page_that_says_more_follow_keeps_the_watermark_and_position(
    engine: Engine, settings: Settings
) -> None:
    with engine.begin() as connection:
        write_state(connection, "hashtag", "outfit", status="ok", watermark=BASE)
    pages = [_posts(0, 4), _posts(4, 4)]
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        _add_page(rsps, None, pages[0], "c1")
        _add_page(rsps, "c1", [], "c2")  # a glitch: no posts, has_next_page true
        _add_pictures(rsps, pages[0])
        with pytest.raises(RetriableError, match="ended early"):
            collect_instagram(engine, settings, hashtags=["outfit"],
                              loader=make_loader(settings, sleep=False))  # fmt: skip
    stored = _stored(engine)
    assert stored["state"].watermark == BASE
    assert stored["state"].last_status.startswith("error")
    assert stored["state"].resume_state["iterator"]["remaining_data"]["page_info"] == {
        "has_next_page": True, "end_cursor": "c1"
    }  # fmt: skip

    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        _add_page(rsps, None, pages[0], "c1")  # instaloader's iterator asks page 1 before thawing
        _add_page(rsps, "c1", pages[1], None)
        _add_pictures(rsps, pages[1])  # page 1's last is re-read, its picture kept
        collect_instagram(engine, settings, hashtags=["outfit"],
                          loader=make_loader(settings, sleep=False))  # fmt: skip
    stored = _stored(engine)
    assert stored["posts"] == _codes(pages[0] + pages[1])
    assert stored["state"].watermark == BASE + timedelta(hours=100)


def test_a_saved_position_that_cannot_be_thawed_restarts_counting_every_post(
    engine: Engine, settings: Settings
) -> None:
    feed = _posts(0, 6)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        _add_page(rsps, None, feed, None)
        _add_pictures(rsps, feed)
        collect_instagram(engine, settings, hashtags=["outfit"], max_posts=2,
                          loader=make_loader(settings, sleep=False))  # fmt: skip
    with engine.begin() as connection:  # the position belongs to another account now
        connection.execute(text(
            "UPDATE scrape_state SET resume_state = "
            "jsonb_set(resume_state, '{iterator,context_username}', '\"other\"')"
        ))  # fmt: skip
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        _add_page(rsps, None, feed, None)
        _add_pictures(rsps, feed)
        again = collect_instagram(engine, settings, hashtags=["outfit"], max_posts=2,
                                  loader=make_loader(settings, sleep=False))  # fmt: skip
    assert again.posts == 2
    assert _stored(engine)["posts"] == _codes(feed[:2])
