"""Owner profiles, tracked influencers' feeds and comments through the real instaloader code.

HTTP is intercepted by responses (no passthrough, every registered response used). Fixtures
are shaped like instaloader 4.16's requests: the web app's ``api/graphql`` profile query
(doc_id 27937681195819736) and profile posts tab (doc_id 29104886249145907, iPhone-shaped media
nodes), the start page carrying the web app's tokens, the public profile page with its
embedded ``xig_user_by_username``, a post's metadata query (doc_id 27128499623469141) and the
comments query (query_hash 97b41c52…).
"""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
import responses
from responses import matchers
from sqlalchemy import Engine, text

from tests.collect.dumps import BASE, graph_node, jpeg
from tests.factories import make_post
from trendminer.collect import collect_instagram
from trendminer.collect.instagram import make_loader
from trendminer.db.bulk import upsert_posts, upsert_profiles
from trendminer.errors import RetriableError
from trendminer.lists import NameList, add_name
from trendminer.records import ProfileRecord
from trendminer.settings import Settings

WWW = "https://www.instagram.com/"
API_GRAPHQL = "https://www.instagram.com/api/graphql"
GRAPHQL = "https://www.instagram.com/graphql/query"
PROFILE_DOC = "27937681195819736"
TIMELINE_DOC = "29104886249145907"
POST_DOC = "27128499623469141"
COMMENTS_HASH = "97b41c52301f77ce508f55e66d17620e"
HASHTAG_HASH = "9b498c08113f1e09617a1703c22b2f32"
START_PAGE = (
    '<html><script>["DTSGInitialData",[],{"token":"dtsg-1"}] ["LSD",[],{"token":"lsd-1"}] '
    '"IG_USER_EIMU":"42"</script></html>'
)


class SimulatedKill(BaseException):
    """Stands for SIGKILL: nothing of ours catches it."""


def _settings(tmp_path: Path, **fields: Any) -> Settings:
    session = tmp_path / "session-tester"
    session.write_bytes(
        pickle.dumps({"sessionid": "s3cr3t", "csrftoken": "tok", "ds_user_id": "42", "mid": "m"})
    )
    return Settings(
        data_dir=tmp_path / "data",
        instagram_session_file=session,
        collect_max_sleep_s=30.0,
        **fields,
    )


def _doc(doc_id: str, **expected: Any) -> Any:
    """Match a POSTed doc_id query whose variables hold ``expected`` (None: the key is absent)."""

    def match(request: requests.PreparedRequest) -> tuple[bool, str]:
        raw = request.body
        body = raw.decode() if isinstance(raw, bytes) else str(raw or "")
        form = {k: v[0] for k, v in parse_qs(body).items()}
        variables = json.loads(form.get("variables", "{}"))
        found = {key: variables.get(key) for key in expected}
        ok = form.get("doc_id") == doc_id and found == expected
        return ok, "" if ok else f"doc_id {form.get('doc_id')} with {found}"

    return match


def _user(pk: int, username: str, followers: int, **extra: Any) -> dict[str, Any]:
    """A user as the web app's profile query answers it."""
    return {"pk": str(pk), "id": str(pk), "username": username, "full_name": username.title(),
            "follower_count": followers, "following_count": 12, "is_verified": followers > 10_000,
            "is_business": followers > 1000, "is_private": False, "media_count": 40,
            "friendship_status": {"following": False}, **extra}  # fmt: skip


def _add_profile(rsps: responses.RequestsMock, user: dict[str, Any], *, web: bool = True) -> None:
    """The profile query: ``Profile.from_id`` asks the web app's endpoint; a Profile's own
    metadata query (logged in) asks ``graphql/query``."""
    if web:
        rsps.add(responses.POST, API_GRAPHQL, json={"data": {"user": user}},
                 match=[_doc(PROFILE_DOC, id=user["pk"])])  # fmt: skip
    else:
        rsps.add(responses.POST, GRAPHQL, json={"data": {"user": user}, "status": "ok"},
                 match=[_doc(PROFILE_DOC, id=user["pk"])])  # fmt: skip


def _add_profile_page(rsps: responses.RequestsMock, username: str, pk: int) -> None:
    """The public profile page, embedding ``xig_user_by_username`` as Instagram renders it."""
    embedded = {"require": [["ScheduledServerJS", "handle", None, [{"__bbox": {"result": {
        "data": {"xig_user_by_username": {"pk": str(pk), "id": "page-id", "username": username,
                                          "is_private": False}}}}}]]]}  # fmt: skip
    body = f'<html><script type="application/json">{json.dumps(embedded)}</script></html>'
    rsps.add(responses.GET, f"{WWW}{username}/", body=body, content_type="text/html")


def _stored(engine: Engine, sql: str, **params: Any) -> list[Any]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql), params)]


def test_instagram_owner_profiles_are_refreshed_once_per_interval_and_bounded(
    engine: Engine, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, collect_profiles_per_run=2, profile_refresh_hours=24.0)
    now = datetime.now(UTC)
    posts = [
        make_post(0, owner="ann", owner_id=501, seen_at=now),
        make_post(1, owner="cy", owner_id=None, seen_at=now - timedelta(minutes=1)),
        make_post(2, owner="bob", owner_id=502, seen_at=now),
        make_post(3, owner="dee", owner_id=504, seen_at=now),
        make_post(4, owner="eve", owner_id=505, seen_at=now),
    ]
    with engine.begin() as connection:
        upsert_posts(connection, posts)
        upsert_profiles(connection, [ProfileRecord("dee", now - timedelta(hours=1), followers=7)])
        connection.execute(  # as Enrich makes a row for a home city: never fetched
            text("INSERT INTO profiles (username, home_city, home_inferred, fetched_at) "
                 "VALUES ('bob', 'Paris', true, 'epoch')")
        )  # fmt: skip
        add_name(connection, NameList.EXCLUDED_USERS, "eve")

    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        rsps.add(responses.GET, WWW, body=START_PAGE, content_type="text/html")
        _add_profile(rsps, _user(501, "ann", 25_000))
        _add_profile_page(rsps, "cy", 503)  # no id known: by name, then the profile query
        _add_profile(rsps, _user(503, "cy", 300), web=False)
        first = collect_instagram(
            engine, settings, hashtags=[], loader=make_loader(settings, sleep=False)
        )
    assert first.profiles == 2
    rows = "SELECT username, user_id, full_name, followers, following, is_verified, is_business, " \
           "fetched_at > now() - interval '2 hours' FROM profiles ORDER BY username"  # fmt: skip
    assert _stored(engine, rows) == [
        ("ann", 501, "Ann", 25_000, 12, True, True, True),
        ("bob", None, None, None, None, None, None, False),
        ("cy", 503, "Cy", 300, 12, False, False, True),
        ("dee", None, None, 7, None, None, None, True),
    ]

    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        rsps.add(responses.GET, WWW, body=START_PAGE, content_type="text/html")
        _add_profile(rsps, _user(502, "bob", 50))  # only bob is still due; eve is excluded
        second = collect_instagram(
            engine, settings, hashtags=[], loader=make_loader(settings, sleep=False)
        )
    assert second.profiles == 1
    assert _stored(engine, "SELECT followers, user_id FROM profiles WHERE username = 'bob'") == [
        (50, 502)
    ]

    with responses.RequestsMock(assert_all_requests_are_fired=True):
        third = collect_instagram(
            engine, settings, hashtags=[], loader=make_loader(settings, sleep=False)
        )
    assert third.profiles == 0


def test_instagram_profile_429_keeps_the_profiles_fetched_before(
    engine: Engine, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, collect_profiles_per_run=5)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        upsert_posts(connection, [
            make_post(0, owner="ann", owner_id=501, seen_at=now),
            make_post(1, owner="bob", owner_id=502, seen_at=now - timedelta(minutes=1)),
        ])  # fmt: skip
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        rsps.add(responses.GET, WWW, body=START_PAGE, content_type="text/html")
        _add_profile(rsps, _user(501, "ann", 900))
        rsps.add(responses.POST, API_GRAPHQL, status=429, json={"message": "Please wait a few "
                 "minutes", "status": "fail"}, match=[_doc(PROFILE_DOC, id="502")])  # fmt: skip
        with pytest.raises(RetriableError, match="state saved"):
            collect_instagram(
                engine, settings, hashtags=[], loader=make_loader(settings, sleep=False)
            )
    assert _stored(engine, "SELECT username, followers FROM profiles") == [("ann", 900)]


def _media(i: int, *, kind: int = 1, taken_at: datetime, pinned: bool = False) -> dict[str, Any]:
    """A post of a profile's posts tab (iPhone-shaped, as ``Post.from_iphone_struct`` reads)."""
    node: dict[str, Any] = {
        "code": f"DM{i:08d}", "pk": str(3_300_000_000_000_000_000 + i), "media_type": kind,
        "taken_at": int(taken_at.timestamp()), "caption": {"text": f"mia {i} #OOTD #Tokyo"},
        "has_liked": False, "like_count": 500 + i, "comment_count": 0,
        "user": {"pk": "601", "username": "mia", "is_private": False, "full_name": "Mia",
                 "profile_pic_url": "https://scontent.cdninstagram.com/mia.jpg"},
        "image_versions2": {"candidates": [
            {"url": f"https://scontent.cdninstagram.com/v/t51/mia{i}.jpg", "width": 64}]},
    }  # fmt: skip
    if i % 2:
        node["location"] = {"pk": 223_456, "name": "Shibuya, Tokyo", "short_name": "Shibuya",
                            "lat": 35.6595, "lng": 139.7005}  # fmt: skip
    if kind == 8:
        node["carousel_media"] = [
            {
                "media_type": 1,
                "image_versions2": {
                    "candidates": [
                        {"url": f"https://scontent.cdninstagram.com/v/t51/mia{i}_{n}.jpg"}
                    ]
                },
            }
            for n in range(2)
        ] + [
            {
                "media_type": 2,
                "image_versions2": {
                    "candidates": [{"url": f"https://scontent.cdninstagram.com/v/t51/mia{i}_v.jpg"}]
                },
                "video_versions": [{"url": f"https://scontent.cdninstagram.com/v/t50/mia{i}.mp4"}],
            }
        ]
    if pinned:
        node["timeline_pinned_user_ids"] = [601]
    return node  # fmt: skip


def _media_urls(nodes: list[dict[str, Any]]) -> list[str]:
    urls = []
    for node in nodes:
        items = node.get("carousel_media") or [node]
        urls += [item["image_versions2"]["candidates"][0]["url"] for item in items]
    return urls


def _add_timeline(
    rsps: responses.RequestsMock, after: str | None, nodes: list[dict[str, Any]], cursor: str | None
) -> None:
    page = {"data": {"xdt_api__v1__feed__user_timeline_graphql_connection": {
        "edges": [{"node": node} for node in nodes],
        "page_info": {"has_next_page": cursor is not None, "end_cursor": cursor}}}}  # fmt: skip
    rsps.add(responses.POST, API_GRAPHQL, json=page,
             match=[_doc(TIMELINE_DOC, username="mia", after=after)])  # fmt: skip


def _add_downloads(rsps: responses.RequestsMock, urls: list[str]) -> None:
    for n, url in enumerate(urls):
        rsps.add(responses.GET, url, body=jpeg(n), content_type="image/jpeg")


def test_instagram_tracked_influencer_feed_resumes_after_a_kill_then_stops_at_its_watermark(
    engine: Engine, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, collect_profiles_per_run=0)
    with engine.begin() as connection:
        add_name(connection, NameList.TRACKED_INFLUENCERS, "@Mia")
    at = [BASE + timedelta(hours=100 - i) for i in range(12)]
    pinned = _media(99, taken_at=BASE - timedelta(days=300), pinned=True)
    pages = [
        [pinned, _media(0, taken_at=at[0]), _media(1, kind=8, taken_at=at[1])],
        [_media(i, taken_at=at[i]) for i in (2, 3, 4)],
        [_media(i, taken_at=at[i]) for i in (5, 6)],
    ]

    def kill(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        raise SimulatedKill

    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        _add_profile_page(rsps, "mia", 601)  # first run: the id is not known yet
        rsps.add(responses.GET, WWW, body=START_PAGE, content_type="text/html")
        _add_profile(rsps, _user(601, "mia", 120_000), web=False)
        _add_timeline(rsps, None, pages[0], "m1")
        rsps.add_callback(responses.POST, API_GRAPHQL, callback=kill,
                          match=[_doc(TIMELINE_DOC, after="m1")])  # fmt: skip
        _add_downloads(rsps, _media_urls(pages[0]))
        with pytest.raises(SimulatedKill):
            collect_instagram(
                engine, settings, hashtags=[], loader=make_loader(settings, sleep=False)
            )
    codes = "SELECT shortcode FROM posts ORDER BY 1"
    assert [c for (c,) in _stored(engine, codes)] == sorted(n["code"] for n in pages[0])

    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        rsps.add(responses.GET, WWW, body=START_PAGE, content_type="text/html")
        _add_profile(
            rsps, _user(601, "mia", 120_500), web=False
        )  # the id is known from its posts now
        _add_timeline(rsps, None, pages[0], "m1")  # asked before thawing
        _add_timeline(rsps, "m1", pages[1], "m2")
        _add_timeline(rsps, "m2", pages[2], None)
        _add_downloads(rsps, _media_urls(pages[1] + pages[2]))  # pages[0][-1] is stored
        result = collect_instagram(
            engine, settings, hashtags=[], loader=make_loader(settings, sleep=False)
        )
    everything = pages[0] + pages[1] + pages[2]
    assert (result.inserted, result.updated, result.profiles) == (5, 1, 1)
    assert [c for (c,) in _stored(engine, codes)] == sorted(n["code"] for n in everything)
    assert _stored(engine, "SELECT followers, is_verified, user_id FROM profiles") == [
        (120_500, True, 601)
    ]
    assert _stored(
        engine,
        "SELECT count(*) FILTER (WHERE owner = 'mia' AND owner_id = 601), count(location_id),"
        " (SELECT count(*) FROM media WHERE status = 'ok'),"
        " (SELECT count(*) FROM media WHERE is_video),"
        " (SELECT count(*) FROM post_hashtags WHERE hashtag = 'ootd') FROM posts",
    ) == [(8, 4, 10, 1, 8)]  # located: the odd ones (1, 3, 5 and the pinned 99)
    assert _stored(
        engine, "SELECT watermark, resume_state FROM scrape_state WHERE kind = 'profile'"
    ) == [(at[0], None)]

    # Later: the pinned post, one new, then old ones: the 6 h overlap re-reads 0..6; 7 stops it.
    new = _media(50, taken_at=at[0] + timedelta(hours=3))
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        rsps.add(responses.GET, WWW, body=START_PAGE, content_type="text/html")
        _add_profile(rsps, _user(601, "mia", 121_000), web=False)
        older = _media(7, taken_at=at[7])
        _add_timeline(rsps, None, [pinned, new, *everything[1:], older], "never-asked")
        _add_downloads(rsps, _media_urls([new]))  # the others' pictures are stored
        again = collect_instagram(
            engine, settings, hashtags=[], loader=make_loader(settings, sleep=False)
        )
    assert (again.inserted, again.updated) == (1, 8)
    assert _stored(engine, "SELECT watermark FROM scrape_state WHERE kind = 'profile'") == [
        (at[0] + timedelta(hours=3),)
    ]


def test_instagram_comments_are_capped_per_post_with_owner_and_time(
    engine: Engine, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, collect_profiles_per_run=0, collect_comments_per_post=3)
    talked, quiet = graph_node(1, taken_at=BASE), graph_node(2, taken_at=BASE - timedelta(hours=1))
    talked["edge_media_to_comment"] = {"count": 5}
    quiet["edge_media_to_comment"] = {"count": 0}
    feed = {"data": {"hashtag": {"id": "1", "name": "outfit", "edge_hashtag_to_media": {
        "count": 2, "page_info": {"has_next_page": False, "end_cursor": None},
        "edges": [{"node": talked}, {"node": quiet}]}}}, "status": "ok"}  # fmt: skip
    web_info = {"data": {"xdt_api__v1__media__shortcode__web_info": {"items": [{
        "code": talked["shortcode"], "pk": talked["id"], "media_type": 1,
        "taken_at": talked["taken_at_timestamp"], "comment_count": 5,
        "user": {"pk": "9001", "username": "alice"}}]}}, "status": "ok"}  # fmt: skip

    def comment(n: int, answers: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
        return {"id": str(70 + n), "created_at": int((BASE + timedelta(minutes=n)).timestamp()),
                "text": f"nice {n}", "owner": {"id": str(800 + n), "username": f"fan{n}"},
                "edge_liked_by": {"count": n},
                "edge_threaded_comments": {"count": len(answers),
                                           "edges": [{"node": a} for a in answers]}}  # fmt: skip

    comments = {"data": {"shortcode_media": {"edge_media_to_parent_comment": {
        "count": 5, "page_info": {"has_next_page": False, "end_cursor": None},
        "edges": [{"node": comment(1, (comment(9),))}, *({"node": comment(n)} for n in (2, 3, 4)),
                  ]}}}, "status": "ok"}  # fmt: skip
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        tag = '{"tag_name":"outfit","first":12}'
        rsps.add(responses.GET, GRAPHQL, json=feed, match=[matchers.query_param_matcher(
            {"query_hash": HASHTAG_HASH, "variables": tag})])  # fmt: skip
        rsps.add(responses.POST, GRAPHQL, json=web_info,
                 match=[_doc(POST_DOC, shortcode=talked["shortcode"])])  # fmt: skip
        variables = json.dumps({"shortcode": talked["shortcode"], "first": 12},
                               separators=(",", ":"))  # fmt: skip
        rsps.add(responses.GET, GRAPHQL, json=comments, match=[matchers.query_param_matcher(
            {"query_hash": COMMENTS_HASH, "variables": variables})])  # fmt: skip
        _add_downloads(rsps, [talked["display_url"], quiet["display_url"]])
        result = collect_instagram(engine, settings, hashtags=["outfit"],
                                   loader=make_loader(settings, sleep=False))  # fmt: skip
    assert result.comments == 3
    assert _stored(
        engine, "SELECT comment_id, shortcode, owner, text, created_at, likes FROM comments "
        "ORDER BY comment_id"
    ) == [
        (71, talked["shortcode"], "fan1", "nice 1", BASE + timedelta(minutes=1), 1),
        (72, talked["shortcode"], "fan2", "nice 2", BASE + timedelta(minutes=2), 2),
        (79, talked["shortcode"], "fan9", "nice 9", BASE + timedelta(minutes=9), 9),
    ]  # fmt: skip
