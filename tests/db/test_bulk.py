"""Bulk upserts: idempotent, atomic, deduplicated, tolerant of bad input."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, text

from tests.factories import BASE_TIME, make_post
from trendminer.db.bulk import upsert_posts, upsert_profiles
from trendminer.records import CommentRecord, LocationRecord, MediaRecord, PostRecord, ProfileRecord

COUNTS = {
    "posts": "SELECT count(*) FROM posts",
    "post_hashtags": "SELECT count(*) FROM post_hashtags",
    "media": "SELECT count(*) FROM media",
    "comments": "SELECT count(*) FROM comments",
    "locations": "SELECT count(*) FROM locations",
}


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {name: connection.execute(text(sql)).scalar_one() for name, sql in COUNTS.items()}


def test_same_batch_twice_leaves_the_same_rows_and_updates_likes(engine: Engine) -> None:
    batch = [make_post(i) for i in range(50)]
    with engine.begin() as connection:
        first = upsert_posts(connection, batch)
    assert (first.inserted, first.updated, first.rejected) == (50, 0, 0)
    counts = table_counts(engine)
    assert counts == {
        "posts": 50,
        "post_hashtags": 100,
        "media": 50,
        "comments": 50,
        "locations": 5,
    }

    later = [
        dataclasses.replace(p, likes=p.likes + 100, seen_at=p.seen_at + timedelta(hours=2))
        for p in batch
    ]
    with engine.begin() as connection:
        second = upsert_posts(connection, later)
    assert (second.inserted, second.updated) == (0, 50)
    assert table_counts(engine) == counts
    with engine.connect() as connection:
        likes = connection.execute(text("SELECT likes FROM posts WHERE shortcode='SC000003'"))
        assert likes.scalar_one() == 113
        history = (
            connection.execute(
                text("SELECT likes FROM post_metrics WHERE shortcode='SC000003' ORDER BY seen_at")
            )
            .scalars()
            .all()
        )
        assert history == [13, 113]

    with engine.begin() as connection:  # the same later batch again: nothing changes
        upsert_posts(connection, later)
    assert table_counts(engine) == counts


def test_duplicate_in_one_batch_keeps_the_most_recent_sighting(engine: Engine) -> None:
    old = make_post(1, likes=5, seen_at=BASE_TIME + timedelta(days=1))
    new = make_post(1, likes=50, seen_at=BASE_TIME + timedelta(days=2))
    with engine.begin() as connection:
        result = upsert_posts(connection, [new, old])
    assert result.inserted == 1
    with engine.connect() as connection:
        assert connection.execute(text("SELECT likes FROM posts")).scalar_one() == 50


def test_an_older_sighting_never_overwrites_a_newer_one(engine: Engine) -> None:
    with engine.begin() as connection:
        upsert_posts(connection, [make_post(1, likes=50, seen_at=BASE_TIME + timedelta(days=2))])
    with engine.begin() as connection:
        upsert_posts(connection, [make_post(1, likes=5, seen_at=BASE_TIME + timedelta(days=1))])
    with engine.connect() as connection:
        row = connection.execute(text("SELECT likes, first_seen, last_seen FROM posts")).one()
    assert row.likes == 50
    assert row.first_seen < row.last_seen


def _write_then_crash(engine: Engine) -> None:
    batch = [make_post(i) for i in range(20)]
    with engine.begin() as connection:
        upsert_posts(connection, batch[:10])
        upsert_posts(connection, batch[10:])
        raise RuntimeError("crash after writing")


def test_a_batch_that_fails_half_way_leaves_nothing(engine: Engine) -> None:
    with pytest.raises(RuntimeError, match="crash"):
        _write_then_crash(engine)
    assert table_counts(engine) == dict.fromkeys(COUNTS, 0)


def test_odd_text_is_cleaned_and_kept(engine: Engine) -> None:
    long_caption = "a" * 100_000
    posts = [
        make_post(1, caption="nul\x00byte"),
        make_post(2, caption="lone \ud83d surrogate"),
        make_post(3, caption=long_caption),
        make_post(4, caption="emoji 👗🔥 and \u05e9\u05dc\u05d5\u05dd right-to-left"),
        make_post(5, caption=None, location=None, likes=None, comments=None, media=()),
        make_post(6, caption="<script>alert(1)</script>\t\\ tab\nnew line"),
    ]
    with engine.begin() as connection:
        result = upsert_posts(connection, posts)
    assert (result.inserted, result.rejected) == (6, 0)
    with engine.connect() as connection:
        captions = dict(connection.execute(text("SELECT shortcode, caption FROM posts")).all())
    assert captions["SC000001"] == "nulbyte"
    assert captions["SC000002"] == "lone \ufffd surrogate"
    assert captions["SC000003"] == long_caption
    assert captions["SC000004"] == "emoji 👗🔥 and \u05e9\u05dc\u05d5\u05dd right-to-left"
    assert captions["SC000005"] is None
    assert captions["SC000006"] == "<script>alert(1)</script>\t\\ tab\nnew line"


def test_hashtags_are_stored_as_written_in_any_script(engine: Engine) -> None:
    posts = [
        make_post(1, caption="#null #NULL #Été #ストリート #a,b #x}y", source_hashtags=("ootd",)),
        make_post(2, caption=None, source_hashtags=()),
    ]
    with engine.begin() as connection:
        upsert_posts(connection, posts)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT shortcode, hashtag FROM post_hashtags")).all()
    # A hashtag ends where a word ends: "#a,b" is "a" and "#x}y" is "x".
    tags = ["null", "été", "ストリート", "a", "x", "ootd"]
    assert sorted(stored) == sorted(("SC000001", tag) for tag in tags)


def test_absurd_counts_become_null_with_a_warning(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with engine.begin() as connection:
        upsert_posts(connection, [make_post(1, likes=-4, comments=10**15)])
    with engine.connect() as connection:
        row = connection.execute(text("SELECT likes, comments FROM posts")).one()
    assert (row.likes, row.comments) == (None, None)
    assert "out of range" in caplog.text


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"shortcode": ""}, "shortcode"),
        ({"owner": "  "}, "owner"),
        ({"taken_at": None}, "valid time"),
        ({"taken_at": BASE_TIME.replace(year=1999)}, "valid time"),
    ],
)
def test_a_post_without_what_it_needs_is_rejected_and_counted(
    engine: Engine, override: dict[str, object], reason: str
) -> None:
    batch = [make_post(1), make_post(2, **override), make_post(3)]
    with engine.begin() as connection:
        result = upsert_posts(connection, batch, source="batch-1")
    assert (result.inserted, result.rejected) == (2, 1)
    with engine.connect() as connection:
        reasons = connection.execute(text("SELECT reason FROM rejected_records")).scalars().all()
    assert len(reasons) == 1
    assert reason in reasons[0]


@pytest.mark.parametrize(
    "shortcode", ["\ud800", "a b\x00", "x" * 6000], ids=["surrogate", "nul", "6000 chars"]
)
def test_a_hostile_rejected_key_is_recorded_without_losing_the_batch(
    engine: Engine, shortcode: str
) -> None:
    with engine.begin() as connection:
        result = upsert_posts(connection, [make_post(1), make_post(2, shortcode=shortcode)])
    assert (result.inserted, result.rejected) == (1, 1)
    with engine.connect() as connection:
        source, reason = connection.execute(
            text("SELECT source, reason FROM rejected_records")
        ).one()
    assert "\x00" not in source
    assert len(source) <= 200
    assert len(reason) <= 300
    assert "shortcode" in reason


def test_ids_outside_bigint_are_stored_as_null_or_dropped(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    huge = 2**64
    comment = dataclasses.replace(make_post(2).comment_list[0], comment_id=huge)
    location = dataclasses.replace(make_post(3).location, location_id=huge)  # type: ignore[arg-type]
    posts = [make_post(1, post_id=huge, owner_id=-1), make_post(2, comment_list=(comment,)),
             make_post(3, location=location)]  # fmt: skip
    with engine.begin() as connection:
        result = upsert_posts(connection, posts)
    assert (result.inserted, result.rejected) == (3, 0)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT shortcode, post_id, owner_id, location_id FROM posts ORDER BY 1")
        ).all()
        comments = connection.execute(text("SELECT count(*) FROM comments")).scalar_one()
    assert rows[0][1:3] == (None, None)
    assert rows[2].location_id is None
    assert comments == 2  # posts 1 and 3 keep theirs; post 2's comment had no valid id
    assert "not a valid id" in caplog.text


def test_hostile_profile_fields_and_picture_places_lose_nothing_else(engine: Engine) -> None:
    """An archive's profile with an id past bigint and flags that are no booleans, and a post
    whose picture claims place 40,000 (smallint): kept, the bad values left out."""
    hostile = ProfileRecord(
        "mallory", BASE_TIME, user_id=2**64, followers=10, is_verified="maybe", is_business={"a": 1}
    )  # type: ignore[arg-type]
    fine = ProfileRecord("alice", BASE_TIME, user_id=7, is_verified=True)
    far = make_post(1, media=(MediaRecord(position=0), MediaRecord(position=40_000)))
    with engine.begin() as connection:
        assert upsert_profiles(connection, [hostile, fine]) == 2
        result = upsert_posts(connection, [far, make_post(2)])
    assert result.inserted == 2
    with engine.connect() as connection:
        profiles = connection.execute(
            text("SELECT username, user_id, followers, is_verified, is_business FROM profiles "
                 "ORDER BY 1")
        ).all()  # fmt: skip
        places = (
            connection.execute(
                text("SELECT position FROM media WHERE shortcode = :s"), {"s": far.shortcode}
            )
            .scalars()
            .all()
        )
    assert [tuple(p) for p in profiles] == [
        ("alice", 7, None, True, None), ("mallory", None, 10, None, None)
    ]  # fmt: skip
    assert places == [0]


def test_a_failed_download_never_overwrites_a_stored_picture(engine: Engine) -> None:
    stored = MediaRecord(0, url="u", path="/store/ab/abc.jpg", sha256="abc", bytes=10, width=1,
                         height=1, status="ok")  # fmt: skip
    failed = MediaRecord(0, url="u2", status="missing", error="HTTP 403")
    later = BASE_TIME + timedelta(days=3)
    with engine.begin() as connection:
        upsert_posts(connection, [make_post(1, media=(stored,))])
    with engine.begin() as connection:
        upsert_posts(connection, [make_post(1, media=(failed,), seen_at=later)])
    with engine.connect() as connection:
        row = connection.execute(text("SELECT status, path, sha256 FROM media")).one()
    assert tuple(row) == ("ok", "/store/ab/abc.jpg", "abc")


def test_an_older_sighting_changes_no_location_picture_or_caption_hashtag(engine: Engine) -> None:
    """The post seen on day 5 (location 2, its picture stored, #newtag), then an older archive's
    sighting from day 1 (location 1, another picture, #oldtag, found in #streetstyle): only
    the source hashtag is added, and a picture place not stored yet."""
    new_picture = MediaRecord(0, url="new", path="/s/aa.jpg", sha256="aa", bytes=1, width=1,
                              height=1, status="ok")  # fmt: skip
    old_picture = MediaRecord(0, url="old", path="/s/bb.jpg", sha256="bb", bytes=1, width=1,
                              height=1, status="ok")  # fmt: skip
    place = make_post(1).location
    newer = make_post(1, caption="#newtag", location=dataclasses.replace(place, location_id=2),
                      media=(new_picture,), seen_at=BASE_TIME + timedelta(days=5))  # fmt: skip
    older = make_post(
        1,
        caption="#oldtag",
        location=dataclasses.replace(place, location_id=1),
        media=(old_picture, MediaRecord(1, url="second")),
        source_hashtags=("streetstyle",),
        seen_at=BASE_TIME + timedelta(days=1),
    )
    for post in (newer, older):
        with engine.begin() as connection:
            upsert_posts(connection, [post])
    with engine.connect() as connection:
        location = connection.execute(text("SELECT location_id FROM posts")).scalar_one()
        pictures = connection.execute(text("SELECT position, sha256 FROM media ORDER BY 1")).all()
        tags = connection.execute(text("SELECT hashtag FROM post_hashtags ORDER BY 1")).scalars()
        assert (location, [tuple(p) for p in pictures]) == (2, [(0, "aa"), (1, None)])
        assert list(tags) == ["newtag", "outfit", "streetstyle"]


def test_a_newer_location_sends_the_post_back_to_enrich(engine: Engine) -> None:
    place = make_post(1).location
    with engine.begin() as connection:
        upsert_posts(connection, [make_post(1)])
        connection.execute(text("UPDATE posts SET enriched_at = now()"))
        moved = dataclasses.replace(place, location_id=42)  # type: ignore[type-var]
        upsert_posts(connection, [make_post(1, location=moved, seen_at=BASE_TIME + timedelta(3))])
        row = connection.execute(text("SELECT location_id, enriched_at FROM posts")).one()
    assert tuple(row) == (42, None)


def test_a_location_that_gains_coordinates_sends_its_posts_back_to_enrich(engine: Engine) -> None:
    named = dataclasses.replace(make_post(1).location, lat=None, lng=None)  # type: ignore[type-var]
    with engine.begin() as connection:
        upsert_posts(connection, [make_post(1, location=named), make_post(2)])
        connection.execute(text("UPDATE posts SET enriched_at = now()"))
        placed = dataclasses.replace(named, lat=51.525, lng=-0.079)  # type: ignore[type-var]
        upsert_posts(connection, [make_post(3, location=placed)])
        rows = connection.execute(
            text("SELECT shortcode, enriched_at IS NULL FROM posts ORDER BY 1")
        ).all()
    assert [tuple(r) for r in rows] == [("SC000001", True), ("SC000002", False), ("SC000003", True)]


def test_an_older_sighting_adds_comments_but_changes_none(engine: Engine) -> None:
    def comment(comment_id: int, text: str, likes: int) -> CommentRecord:
        return CommentRecord(comment_id, "bob", text, BASE_TIME, likes=likes)

    newer = make_post(1, seen_at=BASE_TIME + timedelta(days=2),
                      comment_list=(comment(1, "new text", 50),))  # fmt: skip
    older = make_post(1, seen_at=BASE_TIME + timedelta(days=1),
                      comment_list=(comment(1, "old text", 5), comment(2, "first", 1)))  # fmt: skip
    with engine.begin() as connection:
        upsert_posts(connection, [newer])
    with engine.begin() as connection:
        upsert_posts(connection, [older])
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT comment_id, text, likes FROM comments ORDER BY 1")
        ).all()
    assert [tuple(row) for row in stored] == [(1, "new text", 50), (2, "first", 1)]


def test_two_upserts_in_one_transaction_merge_each_batch_once(engine: Engine) -> None:
    with engine.begin() as connection:
        first = upsert_posts(connection, [make_post(1)])
        second = upsert_posts(
            connection, [make_post(1, likes=99, seen_at=BASE_TIME + timedelta(days=2))]
        )
        third = upsert_posts(connection, [make_post(2)])
    assert (first.inserted, second.updated, third.inserted, third.updated) == (1, 1, 1, 0)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT max(likes) FROM posts")).scalar_one() == 99


def test_a_sighting_without_a_plausible_time_counts_as_seen_when_taken(engine: Engine) -> None:
    post = make_post(1, seen_at=datetime(1970, 1, 1, tzinfo=UTC))
    for _ in range(2):
        with engine.begin() as connection:
            upsert_posts(connection, [post])
    with engine.connect() as connection:
        seen = connection.execute(text("SELECT seen_at FROM post_metrics")).scalars().all()
    assert seen == [post.taken_at]


def test_comment_owners_are_stored_as_the_lists_name_people(engine: Engine) -> None:
    """An excluded '@Hater' must match the comments of ' @Hater ' (owners as post owners)."""
    comment = dataclasses.replace(make_post(1).comment_list[0], owner=" @Hater ")
    with engine.begin() as connection:
        upsert_posts(connection, [make_post(1, owner="@Ann", comment_list=(comment,))])
    with engine.connect() as connection:
        owners = connection.execute(
            text("SELECT p.owner, c.owner FROM posts p JOIN comments c USING (shortcode)")
        ).one()
    assert tuple(owners) == ("ann", "hater")


# Every column a batch writes (not the times the database stamps: added_at, updated_at).
SNAPSHOT = {
    "posts": "SELECT shortcode, post_id, owner, owner_id, taken_at, caption, likes, comments, "
    "media_type, location_id, source_hashtags, first_seen, last_seen, enriched_at FROM posts",
    "post_hashtags": "SELECT shortcode, hashtag FROM post_hashtags",
    "post_metrics": "SELECT shortcode, seen_at, likes, comments FROM post_metrics",
    "locations": "SELECT location_id, name, slug, lat, lng, seen_at FROM locations",
    "media": "SELECT shortcode, position, is_video, url, path, sha256, status FROM media",
    "comments": "SELECT comment_id, shortcode, owner, text, likes FROM comments",
}


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as connection:
        return {
            name: sorted(tuple(row) for row in connection.execute(text(sql)).all())
            for name, sql in SNAPSHOT.items()
        }


def _sightings_of_one_post() -> list[PostRecord]:
    """Three sightings of one post (the newest first, as a feed returns them) and another post:
    captions, source feeds, counts, places, pictures and comments that differ."""
    day = timedelta(days=1)
    first = make_post(
        1,
        seen_at=BASE_TIME + day,
        caption="#old #gone",
        likes=5,
        source_hashtags=("outfit",),
        media=(MediaRecord(0, url="a", status="ok"),),
        comment_list=(CommentRecord(1, "bob", "first", BASE_TIME, likes=1),),
    )
    second = make_post(
        1,
        seen_at=BASE_TIME + 2 * day,
        caption="#old",
        likes=None,
        source_hashtags=("streetstyle",),
        media=(MediaRecord(0, url="b"), MediaRecord(1, url="c")),
        comment_list=(CommentRecord(2, "ann", "second", BASE_TIME, likes=2),),
    )
    third = make_post(
        1,
        seen_at=BASE_TIME + 3 * day,
        caption="#new",
        likes=30,
        source_hashtags=("ootd",),
        location=None,
        comment_list=(CommentRecord(1, "bob", "edited", BASE_TIME, likes=9),),
    )
    other = make_post(2, seen_at=BASE_TIME + day)
    return [third, other, first, second]  # fmt: skip


def test_one_batch_leaves_what_the_same_records_in_several_batches_leave(engine: Engine) -> None:
    """Every sighting counts once: source hashtags and first sighting of all, a metrics row
    each, the newest one's caption and counts (a missing count keeps the known one). Batches
    in the order of their sightings leave every row alike; in any order, the posts and their
    hashtags, metrics and places (an older sighting's picture then fills no stored place)."""
    sightings = _sightings_of_one_post()
    oldest_first = sorted(sightings, key=lambda post: post.seen_at)
    results = []
    for batches in (
        [sightings],
        [[post] for post in oldest_first],
        [oldest_first[:2], oldest_first[2:]],
        [[post] for post in sightings],
    ):
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {', '.join(SNAPSHOT)} CASCADE"))
        for batch in batches:
            with engine.begin() as connection:
                upsert_posts(connection, batch)
        results.append(snapshot(engine))
    one_batch, one_by_one, in_two, newest_first = results
    assert one_batch == one_by_one
    assert one_batch == in_two
    for table in ("posts", "post_hashtags", "post_metrics", "locations"):
        assert newest_first[table] == one_batch[table]
    post = one_batch["posts"][0]
    assert (post[5], post[6], post[9]) == ("#new", 30, 2)  # caption, likes, location kept
    assert post[10] == ["ootd", "outfit", "streetstyle"]
    assert post[11] == BASE_TIME + timedelta(days=1)
    assert [row[1] for row in one_batch["post_hashtags"] if row[0] == "SC000001"] == [
        "new", "ootd", "outfit", "streetstyle"
    ]  # fmt: skip
    assert len([row for row in one_batch["post_metrics"] if row[0] == "SC000001"]) == 3


def test_an_older_sighting_never_overwrites_a_newer_location(engine: Engine) -> None:
    """Two posts at one place: the one seen later tells its name, in any batch order."""
    day = timedelta(days=1)
    newer = make_post(1, location=LocationRecord(7, "New name", None, 1.0, 2.0),
                      seen_at=BASE_TIME + 3 * day)  # fmt: skip
    older = make_post(2, location=LocationRecord(7, "Old name", "old", 3.0, 4.0),
                      seen_at=BASE_TIME + day)  # fmt: skip
    in_one = make_post(3, location=LocationRecord(8, "New", None, None, None),
                       seen_at=BASE_TIME + 3 * day)  # fmt: skip
    older_in_one = make_post(4, location=LocationRecord(8, "Old", "old", 3.0, 4.0),
                             seen_at=BASE_TIME + day)  # fmt: skip
    with engine.begin() as connection:
        upsert_posts(connection, [newer, in_one, older_in_one])
        connection.execute(text("UPDATE posts SET enriched_at = now()"))
    with engine.begin() as connection:
        upsert_posts(connection, [older])
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT location_id, name, slug, lat, lng FROM locations ORDER BY 1")
        ).all()
        unenriched = connection.execute(
            text("SELECT shortcode FROM posts WHERE enriched_at IS NULL")
        ).scalars()
        assert list(unenriched) == ["SC000002"]  # the new post only: place 7 did not change
    assert [tuple(row) for row in rows] == [
        (7, "New name", None, 1.0, 2.0), (8, "New", "old", 3.0, 4.0)
    ]  # fmt: skip


def test_a_newer_sighting_without_counts_keeps_the_known_ones(engine: Engine) -> None:
    """Likes hidden (or cleaned away) in a later sighting: the post keeps the last known
    count; that sighting's metrics row says it was not known."""
    with engine.begin() as connection:
        upsert_posts(connection, [make_post(1, likes=500, comments=20)])
    later = BASE_TIME + timedelta(days=3)
    with engine.begin() as connection:
        upsert_posts(connection, [make_post(1, likes=-1, comments=None, seen_at=later)])
    with engine.connect() as connection:
        post = connection.execute(text("SELECT likes, comments FROM posts")).one()
        metrics = connection.execute(
            text("SELECT likes, comments FROM post_metrics ORDER BY seen_at")
        ).all()
    assert tuple(post) == (500, 20)
    assert [tuple(row) for row in metrics] == [(500, 20), (None, None)]


def test_a_newer_caption_drops_the_hashtags_it_no_longer_has(engine: Engine) -> None:
    """A caption edited between sightings: its removed hashtags go, the source feeds stay,
    and what stays keeps the time it was stored."""
    with engine.begin() as connection:
        upsert_posts(connection, [make_post(1, caption="#x #y #outfit")])
        connection.execute(text("UPDATE post_hashtags SET added_at = '2020-01-01'"))
    later = BASE_TIME + timedelta(days=3)
    with engine.begin() as connection:
        upsert_posts(connection, [make_post(1, caption="#y #z", seen_at=later,
                                            source_hashtags=("ootd",))])  # fmt: skip
    with engine.begin() as connection:  # an older sighting adds only its feed
        upsert_posts(connection, [make_post(1, caption="#w", source_hashtags=("old",))])
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT hashtag, added_at < '2021-01-01' FROM post_hashtags ORDER BY 1")
        ).all()
    assert [tuple(row) for row in stored] == [
        ("old", False), ("ootd", False), ("outfit", True), ("y", True), ("z", False)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("override", "check", "expected"),
    [
        ({"media": (MediaRecord(0, bytes=2**70, width=-5, height=2**40),)},
         "SELECT bytes, width, height FROM media", (None, None, None)),
        ({"media": (MediaRecord(0, status="weird"),)}, "SELECT status FROM media", ("pending",)),
        ({"media": (MediaRecord(0, sha256="ab\x00c"),)}, "SELECT sha256 FROM media", ("abc",)),
        ({"media": (MediaRecord(0, is_video=None),)}, "SELECT is_video FROM media", (False,)),  # type: ignore[arg-type]
        ({"seen_at": datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5)))},
         "SELECT last_seen = taken_at FROM posts", (True,)),
        ({"media_type": ["video"]}, "SELECT media_type FROM posts", ("image",)),
        ({"source_hashtags": "ootd"}, "SELECT source_hashtags FROM posts", (["ootd"],)),
    ],
    ids=["picture sizes", "status", "sha256", "is_video", "time overflow", "media type",
         "one source string"],
)  # fmt: skip
def test_values_beyond_the_rules_are_cleaned_without_losing_the_batch(
    engine: Engine, override: dict[str, object], check: str, expected: tuple[object, ...]
) -> None:
    with engine.begin() as connection:
        result = upsert_posts(connection, [make_post(1, **override), make_post(2)])
    assert (result.inserted, result.rejected) == (2, 0)
    with engine.connect() as connection:
        row = connection.execute(text(f"{check} WHERE shortcode = 'SC000001'")).one()
    assert tuple(row) == expected


def test_a_record_no_rule_can_clean_is_rejected_alone(engine: Engine) -> None:
    with engine.begin() as connection:
        result = upsert_posts(connection, [make_post(1, source_hashtags=5), make_post(2)])
    assert (result.inserted, result.rejected) == (1, 1)
    with engine.connect() as connection:
        source, reason = connection.execute(
            text("SELECT source, reason FROM rejected_records")
        ).one()
    assert source == "SC000001"
    assert "TypeError" in reason


def test_profiles_of_any_fetch_time_merge_by_the_cleaned_time(engine: Engine) -> None:
    """Naive (taken as UTC), aware and missing fetch times compare without an error."""
    profiles = [
        ProfileRecord("bob", datetime(2026, 1, 2), followers=2),
        ProfileRecord("Bob", datetime(2026, 1, 1, tzinfo=UTC), followers=1),
        ProfileRecord("@bob", None, followers=0),  # type: ignore[arg-type]
    ]
    with engine.begin() as connection:
        assert upsert_profiles(connection, profiles) == 1
    with engine.connect() as connection:
        assert connection.execute(text("SELECT followers FROM profiles")).scalar_one() == 2
