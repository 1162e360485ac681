"""Every trend table's SQL and models against a real PostgreSQL, on hand-made posts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, text

from tests.trends.builders import Post, background, insert_posts, local_noon
from tests.trends.conftest import FIRST_DAY, TREND_TABLES, snapshot
from trendminer.settings import Settings
from trendminer.trends import TrendsError, build_trends
from trendminer.trends.models import build_models


def day(offset: int) -> date:
    return FIRST_DAY + timedelta(days=offset)


def rows(engine: Engine, sql: str, **params: object) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql), params)]


def burst(
    owner: str, offset: int, city: str, count: int, *, sentiment: str = "positive", **kw: object
) -> list[Post]:
    return [
        Post(
            shortcode=f"{owner}{offset:03d}{i:03d}",
            owner=owner,
            taken_at=local_noon(day(offset), city, hour=10 + i % 8),
            city=city,
            sentiment=sentiment,
            **kw,  # type: ignore[arg-type]
        )
        for i in range(count)
    ]


def test_daily_activity_counts_local_days_weights_and_exclusions(
    engine: Engine, settings: Settings
) -> None:
    when = date(2026, 6, 10)
    insert_posts(
        engine,
        [
            # 23:30 in Paris is 21:30 UTC: still the 10th there
            Post("a1", "ann", datetime(2026, 6, 10, 21, 30, tzinfo=UTC), "Paris", likes=100,
                 hashtags=("outfit", "streetstyle")),
            Post("a2", "bob", datetime(2026, 6, 10, 8, 0, tzinfo=UTC), "Paris", likes=50),
            # 16:00 UTC on the 10th is 01:00 on the 11th in Tokyo
            Post("a3", "ann", datetime(2026, 6, 10, 16, 0, tzinfo=UTC), "Tokyo", likes=10),
            Post("a4", "cat", datetime(2026, 6, 10, 12, 0, tzinfo=UTC), None, likes=20,
                 sentiment=None),
            Post("a5", "dan", datetime(2026, 6, 10, 12, 0, tzinfo=UTC), "Paris", likes=999,
                 hashtags=("outfit", "spam")),
        ],
    )  # fmt: skip
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO excluded_hashtags (hashtag) VALUES ('spam')"))
    weighted = Settings(database_url=None, activity_post_weight=2.0, activity_like_weight=0.1)
    build_trends(engine, weighted, when, when + timedelta(days=1))
    got = {
        (r[1], r[2], r[0]): r[3:]
        for r in rows(
            engine,
            "SELECT day, hashtag, city, posts, likes, comments, authors, activity_index "
            "FROM trend_daily_activity",
        )
    }
    assert got[("*", "*", when)] == (3, 170, 0, 3, pytest.approx(2 * 3 + 17.0))
    assert got[("*", "Paris", when)] == (2, 150, 0, 2, pytest.approx(4 + 15.0))
    assert got[("outfit", "Paris", when)][0] == 2
    assert got[("streetstyle", "*", when)][:2] == (1, 100)
    assert got[("*", "(unknown)", when)][0] == 1
    assert got[("*", "Tokyo", when + timedelta(days=1))][0] == 1
    assert not any(key[0] == "spam" for key in got)
    unknown = rows(
        engine,
        "SELECT posts_labelled, posts_negative, posts_unlabelled, coverage "
        "FROM trend_daily_sentiment WHERE hashtag = '*' AND city = '(unknown)'",
    )
    assert unknown == [(0, 0, 1, 0.0)]


def test_a_post_without_a_caption_sentiment_takes_its_comments_tone(
    engine: Engine, settings: Settings
) -> None:
    when = date(2026, 6, 10)
    noon = local_noon(when, "Paris")
    insert_posts(
        engine,
        [
            # no caption label: the mean of its labelled comments, (-0.6 - 0.6 + 0.6) / 3
            Post("u1", "ana", noon, "Paris", sentiment=None,
                 comments=("negative", "negative", "positive")),
            Post("u2", "ben", noon, "Paris", sentiment=None, comments=("positive", None)),
            Post("u3", "cyd", noon, "Paris", sentiment=None, comments=(None,)),
            # the caption's own label wins over its comments
            Post("u4", "dee", noon, "Paris", sentiment="positive",
                 comments=("negative", "negative")),
        ],
    )  # fmt: skip
    build_trends(engine, settings, when, when)
    assert rows(
        engine,
        "SELECT posts_labelled, posts_negative, posts_unlabelled, comments_labelled, "
        "comments_negative, comments_unlabelled FROM trend_daily_sentiment "
        "WHERE hashtag = '*' AND city = 'Paris' AND day = :d",
        d=when,
    ) == [(3, 1, 1, 6, 4, 2)]


@pytest.fixture
def planted(engine: Engine) -> Engine:
    """42 days of background; day 36: 'starlet' floods Paris; day 38: 'grumpy' sours Tokyo."""
    posts = background(FIRST_DAY, 42)
    posts += burst("starlet", 36, "Paris", 14, likes=400, hashtags=("outfit", "launchday"),
                   caption="launch party dress")  # fmt: skip
    posts += burst("grumpy", 38, "Tokyo", 12, sentiment="negative", caption="awful queue",
                   comments=("negative", "negative", "positive"))  # fmt: skip
    insert_posts(engine, posts)
    return engine


def test_planted_peaks_their_influencers_and_terms(planted: Engine, settings: Settings) -> None:
    result = build_trends(planted, settings, day(0), day(41))
    assert result.activity_peak_days >= 1
    assert result.sentiment_peak_days >= 1
    paris = rows(
        planted,
        "SELECT day, label, size FROM trend_activity_peaks WHERE hashtag = '*' AND city = 'Paris'",
    )
    assert [(r[0], r[1]) for r in paris] == [(day(36), "non-average")]
    assert paris[0][2] > 1.5
    windows = rows(planted, "SELECT DISTINCT window_start <= day, day - window_start < 3 "
                   "FROM trend_activity_days WHERE label <> 'too-early'")  # fmt: skip
    assert windows == [(True, True)]
    labels = rows(planted, "SELECT DISTINCT label FROM trend_activity_days")
    assert {r[0] for r in labels} == {"average", "non-average", "too-early"}
    top = rows(
        planted,
        "SELECT username, share FROM trend_peak_influencers "
        "WHERE peak_kind = 'activity' AND city = 'Paris' AND day = :d AND rank = 1",
        d=day(36),
    )
    assert top[0][0] == "starlet"
    assert top[0][1] > 0.5
    tokyo = rows(
        planted,
        "SELECT day FROM trend_sentiment_peaks WHERE hashtag = '*' AND city = 'Tokyo'",
    )
    assert [r[0] for r in tokyo] == [day(38)]
    sour = rows(
        planted,
        "SELECT username, negative_items FROM trend_peak_influencers "
        "WHERE peak_kind = 'sentiment' AND city = 'Tokyo' AND rank = 1",
    )
    assert sour == [("grumpy", 12 + 24)]
    terms = rows(
        planted,
        "SELECT term_kind, term FROM trend_peak_terms WHERE city = 'Paris' AND day = :d",
        d=day(36),
    )
    assert ("hashtag", "launchday") in terms
    assert ("keyword", "launch") in terms


def test_a_hashtags_peak_lists_the_hashtags_of_its_own_posts(
    engine: Engine, settings: Settings
) -> None:
    """#streetstyle's peak rose with #parisfw, worn on its posts, not with #rainyday, which
    rose the same day on posts without #streetstyle."""
    posts = background(FIRST_DAY, 42)
    for i in range(20):
        posts.append(Post(f"ss{i}", f"fan{i}", local_noon(day(36), "Paris", 10 + i % 8), "Paris",
                          hashtags=("outfit", "streetstyle", "parisfw")))  # fmt: skip
        posts.append(Post(f"rn{i}", f"wet{i}", local_noon(day(36), "Tokyo", 10 + i % 8), "Tokyo",
                          hashtags=("outfit", "rainyday")))  # fmt: skip
    insert_posts(engine, posts)
    build_trends(engine, settings, day(0), day(41))
    assert rows(engine, "SELECT 1 FROM trend_activity_peaks WHERE hashtag = 'streetstyle' "
                "AND city = '*' AND day = :d", d=day(36))  # fmt: skip
    terms = rows(
        engine,
        "SELECT term FROM trend_peak_terms WHERE hashtag = 'streetstyle' AND city = '*' "
        "AND day = :d AND term_kind = 'hashtag'",
        d=day(36),
    )
    assert ("parisfw",) in terms
    assert ("rainyday",) not in terms
    everything = rows(
        engine,
        "SELECT term FROM trend_peak_terms WHERE hashtag = '*' AND city = '*' "
        "AND day = :d AND term_kind = 'hashtag'",
        d=day(36),
    )
    assert {("parisfw",), ("rainyday",)} <= set(everything)


def test_a_four_day_souring_is_found_by_the_sentiment_window(
    engine: Engine, settings: Settings
) -> None:
    """About 30 % of a city's posts negative for four days (against 14 %): no run of three
    days is significant at the sentiment alpha (best p about 5e-5), the four days are (2e-6)."""
    posts = background(FIRST_DAY, 50)
    for offset in range(50):
        sour = (9, 8, 8, 9)[offset - 40] if 40 <= offset < 44 else 3 + offset % 2
        posts += burst("local", offset, "Tokyo", sour, sentiment="negative")
        posts += [
            Post(f"calm{offset:03d}{i:03d}", f"calm{i}", local_noon(day(offset), "Tokyo"), "Tokyo")
            for i in range(24 - sour)
        ]
    insert_posts(engine, posts)
    tokyo = "SELECT day FROM trend_sentiment_peaks WHERE hashtag = '*' AND city = 'Tokyo'"
    build_trends(engine, settings.model_copy(update={"sentiment_peak_window_days": 3}),
                 day(0), day(49))  # fmt: skip
    assert rows(engine, tokyo) == []
    build_trends(engine, settings, day(0), day(49))
    assert settings.sentiment_peak_window_days == 4
    assert [r[0] for r in rows(engine, tokyo)] == [day(43)]
    window = tokyo.replace("SELECT day", "SELECT window_start")
    assert rows(engine, window) == [(day(40),)]  # published on the fourth day, for all four
    behind = rows(
        engine,
        "SELECT username, posts FROM trend_peak_influencers "
        "WHERE peak_kind = 'sentiment' AND city = 'Tokyo' AND rank = 1",
    )
    assert behind == [("local", 9 + 8 + 8 + 9)]  # the anatomy reads the four days


def test_excluding_the_planted_influencer_removes_its_peak(
    planted: Engine, settings: Settings
) -> None:
    build_trends(planted, settings, day(0), day(41))
    with planted.begin() as connection:
        connection.execute(text("INSERT INTO excluded_users (username) VALUES ('starlet')"))
    build_trends(planted, settings, day(30), day(41))
    assert rows(planted, "SELECT day FROM trend_activity_peaks WHERE city = 'Paris'") == []
    assert rows(planted, "SELECT 1 FROM trend_peak_influencers WHERE username = 'starlet'") == []
    assert rows(planted, "SELECT 1 FROM trend_daily_activity WHERE hashtag = 'launchday'") == []
    with planted.begin() as connection:
        connection.execute(text("DELETE FROM excluded_users"))
        connection.execute(text("INSERT INTO excluded_hashtags (hashtag) VALUES ('launchday')"))
    build_trends(planted, settings, day(30), day(41))
    assert rows(planted, "SELECT day FROM trend_activity_peaks WHERE city = 'Paris'") == []


def test_rebuilds_are_idempotent_and_full_equals_day_by_day(
    planted: Engine, settings: Settings
) -> None:
    build_trends(planted, settings, day(0), day(41))
    full = {table: snapshot(planted, table) for table in TREND_TABLES}
    build_trends(planted, settings, day(0), day(41))
    assert {table: snapshot(planted, table) for table in TREND_TABLES} == full
    with planted.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TREND_TABLES)}, trend_build_days"))
    for offset in range(42):
        build_trends(planted, settings, day(offset), day(offset))
    for table in TREND_TABLES:
        assert snapshot(planted, table) == full[table], table
    assert full["trend_activity_days"]
    assert full["trend_peak_influencers"]


def test_peaks_never_change_when_later_days_arrive(engine: Engine, settings: Settings) -> None:
    insert_posts(engine, background(FIRST_DAY, 30))
    build_trends(engine, settings, day(0), day(29))
    before = [
        snapshot(engine, "trend_activity_days"),
        snapshot(engine, "trend_sentiment_days"),
    ]
    insert_posts(engine, background(day(30), 10, seed=9, prefix="late", per_day=30))
    build_trends(engine, settings, day(30), day(39))
    after = [
        [r for r in snapshot(engine, table) if r[2] <= day(29)]  # type: ignore[operator]
        for table in ("trend_activity_days", "trend_sentiment_days")
    ]
    assert after == before
    late = rows(engine, "SELECT count(*) FROM trend_activity_peaks WHERE day >= :d", d=day(30))
    assert late[0][0] > 0  # the busier days are judged, against the old days


def test_attribute_shares_cooccurrence_tracked_series_and_model_version(
    engine: Engine, settings: Settings
) -> None:
    monday = date(2026, 6, 1)
    at = local_noon(monday, "Paris")
    posts = [
        Post("w1", "ann", at, "Paris", garments=(("dress", "Red"), ("boots", "Black"))),
        Post("w2", "bob", at, "Paris", garments=(("top", "White"), ("pants", "Blue"))),
        Post("w3", "bob", at, "Paris", garments=(("top", "White"), ("boots", "Black"))),
        Post("w4", "cat", at, "Paris", garments=()),
    ]
    insert_posts(engine, posts)
    insert_posts(engine, [Post("v2", "ann", at, "Paris", garments=(("dress", "Red"),))], "other")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO tracked_influencers (username) VALUES ('bob')"))
    configured = Settings(database_url=None, model_version="ssdlite-test-1")
    build_trends(engine, configured, monday, monday)
    share = rows(
        engine,
        "SELECT posts, total, share, lower, upper, boxed_posts, garment_share, garment_share_se "
        "FROM trend_attribute_weekly "
        "WHERE city = 'Paris' AND attribute_kind = 'class_colour' AND attribute = 'Red dress'",
    )
    assert share[0][:3] == (1, 4, 0.25)
    assert share[0][3] == pytest.approx(0.0456, abs=1e-4)
    assert share[0][4] == pytest.approx(0.6994, abs=1e-4)
    # Garment share over the 3 posts with boxes: fractions 1/2, 0, 0 (w4 has no box).
    assert share[0][5] == 3
    assert share[0][6:] == (pytest.approx(1 / 6), pytest.approx(1 / 6))
    black = rows(
        engine,
        "SELECT garment_share FROM trend_attribute_weekly "
        "WHERE city = '*' AND attribute_kind = 'colour' AND attribute = 'Black'",
    )
    assert black == [(pytest.approx(1 / 3),)]
    boots = rows(
        engine,
        "SELECT posts_both, posts_a, posts_b, posts_total, lift, model_version "
        "FROM trend_garment_cooccurrence "
        "WHERE city = '*' AND item_kind = 'class' AND item_a = 'boots' AND item_b = 'top'",
    )
    assert boots == [(1, 2, 2, 4, 1.0, "ssdlite-test-1")]
    tracked = rows(
        engine, "SELECT username, posts, garments, garment_classes FROM trend_influencer_daily"
    )
    assert tracked == [("bob", 2, 4, ["boots", "pants", "top"])]


def test_a_planted_attribute_event_is_found_and_explained(
    engine: Engine, settings: Settings
) -> None:
    posts = background(FIRST_DAY, 84, per_day=9)
    for offset in range(56, 70):
        posts += burst("fest", offset, "Tokyo", 3, garments=(("skirt", "Yellow"),),
                       caption="songkran festival splash")  # fmt: skip
    insert_posts(engine, posts)
    result = build_trends(engine, settings, day(0), day(83))
    assert result.models_refitted
    assert result.attribute_fits > 0
    events = rows(
        engine,
        "SELECT city, attribute_kind, attribute, start_week, end_week FROM trend_attribute_events "
        "WHERE city = 'Tokyo' AND attribute = 'Yellow skirt'",
    )
    assert events == [("Tokyo", "class_colour", "Yellow skirt", day(56), day(63))]
    keywords = rows(
        engine,
        "SELECT keyword FROM trend_attribute_event_keywords "
        "WHERE city = 'Tokyo' AND attribute = 'Yellow skirt' AND rank <= 3",
    )
    assert {"songkran", "festival"} <= {k[0] for k in keywords}
    assert rows(engine, "SELECT count(*) FROM trend_forecasts")[0][0] == 4 * result.attribute_fits


def test_a_backwards_window_is_refused(engine: Engine, settings: Settings) -> None:
    with pytest.raises(TrendsError, match="before it starts"):
        build_trends(engine, settings, day(5), day(1))


def insert_week_totals(connection: Connection, city: str, weeks: list[date], version: str) -> None:
    """The city-weeks' calendar rows (100 processed posts, all with boxes) for hand-made weeks."""
    connection.execute(
        text(
            "INSERT INTO trend_attribute_week_totals (week, city, posts, boxed_posts, "
            "model_version) VALUES (:week, :city, 100, 100, :version)"
        ),
        [{"week": week, "city": city, "version": version} for week in weeks],
    )


def test_a_week_whose_posts_show_no_garment_counts_as_a_share_of_zero(
    engine: Engine, settings: Settings
) -> None:
    """A city-week without a single box has no attribute row, but its posts are a share of 0:
    the fits read its week from trend_attribute_week_totals instead of losing it."""
    posts = [
        Post(f"n{week}{i}", "ann", local_noon(day(7 * week + 2), "Tokyo"), "Tokyo",
             garments=() if week == 4 else (("dress", "Red"),))
        for week in range(10)
        for i in range(4)
    ]  # fmt: skip
    insert_posts(engine, posts)
    build_trends(engine, settings, day(0), day(69))
    totals = rows(
        engine,
        "SELECT posts, boxed_posts FROM trend_attribute_week_totals "
        "WHERE city = 'Tokyo' AND week = :week",
        week=day(28),
    )
    assert totals == [(4, 0)]
    fit = rows(
        engine,
        "SELECT weeks, mean_share FROM trend_attribute_fits "
        "WHERE city = 'Tokyo' AND attribute_kind = 'class' AND attribute = 'dress'",
    )
    assert fit == [(10, pytest.approx(0.9))]


def test_weeks_built_before_the_garment_share_get_no_events_and_say_so(
    engine: Engine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    monday = date(2026, 3, 2)
    weekly = [
        {"week": monday + timedelta(weeks=w), "posts": 60 if w == 8 else 20} for w in range(10)
    ]
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO trend_attribute_weekly (week, city, attribute_kind, attribute, "
                "posts, total, share, lower, upper, model_version) "
                "VALUES (:week, 'Paris', 'colour', 'Red', :posts, 100, :posts / 100.0, 0, 1, 'm')"
            ),
            weekly,
        )
        insert_week_totals(connection, "Paris", [row["week"] for row in weekly], "m")
        connection.execute(
            text("INSERT INTO trend_build_days (day) VALUES (:day)"),
            {"day": monday + timedelta(weeks=9, days=6)},
        )
    with caplog.at_level("WARNING"), engine.begin() as connection:
        counts = build_models(connection, settings, monday, "m")
    assert (counts.fits, counts.events) == (1, 0)
    assert "1 attribute series have weeks built before the garment share" in caplog.text


def test_the_models_read_the_configured_detector_versions_weeks_only(
    engine: Engine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Weeks built from an older checkpoint's boxes neither enter the fits nor go unsaid."""
    monday = date(2026, 3, 2)
    weekly = [
        {"week": monday + timedelta(weeks=w), "posts": 80 if w < 4 else 20,
         "version": "old" if w < 4 else "new"}
        for w in range(14)
    ]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO trend_attribute_weekly (week, city, attribute_kind, attribute, "
                "posts, total, share, lower, upper, boxed_posts, garment_share, "
                "garment_share_se, model_version) VALUES (:week, 'Paris', 'colour', 'Red', "
                ":posts, 100, :posts / 100.0, 0, 1, 100, :posts / 100.0, 0.01, :version)"
            ),
            weekly,
        )
        for version in ("old", "new"):
            weeks = [row["week"] for row in weekly if row["version"] == version]
            insert_week_totals(connection, "Paris", weeks, version)
        connection.execute(
            text("INSERT INTO trend_build_days (day) VALUES (:day)"),
            {"day": monday + timedelta(weeks=13, days=6)},
        )
    with caplog.at_level("WARNING"), engine.begin() as connection:
        counts = build_models(connection, settings, monday, "new")
    fit = rows(engine, "SELECT weeks, first_week, mean_share FROM trend_attribute_fits")
    assert counts.fits == 1
    assert fit == [(10, monday + timedelta(weeks=4), pytest.approx(0.2))]
    assert "4 weeks (2026-03-02 .. 2026-03-23) were built from another detector" in caplog.text
