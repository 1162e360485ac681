"""What a daily report shows, read from the trend tables (and, for crops and exclusions, from
the raw tables) into frozen records. Pure reads; the report's window is :class:`ReportWindow`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, text

from trendminer.report.window import ReportWindow

MAX_PEAKS = 24
MAX_TRENDS = 8
CHARTED_TRENDS = 4
MAX_EVENTS = 6
CROPS_PER_EVENT = 4
TRENDS_P_VALUE = 0.05


@dataclass(frozen=True, slots=True)
class DayPoint:
    """One day of a series: its value, the seasonal baseline, and the peak judgement."""

    day: date
    value: float | None
    baseline: float | None
    is_peak: bool
    label: str


@dataclass(frozen=True, slots=True)
class PeakInfluencer:
    username: str
    home_city: str | None
    posts: int
    likes: int
    share: float
    mean_sentiment: float | None
    followers: int | None


@dataclass(frozen=True, slots=True)
class Peak:
    """An activity or negative-sentiment peak day of one series (a hashtag in a city)."""

    kind: str
    hashtag: str
    city: str
    day: date
    label: str
    value: float | None
    baseline: float | None
    influencers: tuple[PeakInfluencer, ...] = ()
    hashtags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    window_start: date | None = None  # the first day of the days the peak stands for


@dataclass(frozen=True, slots=True)
class WeekShare:
    week: date
    share: float
    lower: float
    upper: float


@dataclass(frozen=True, slots=True)
class AttributeTrend:
    """A significant linear trend of an attribute's weekly share in a city."""

    city: str
    kind: str
    attribute: str
    slope: float
    p_value: float | None
    mean_share: float
    weeks: int
    history: tuple[WeekShare, ...] = ()
    forecast: tuple[WeekShare, ...] = ()


@dataclass(frozen=True, slots=True)
class CropSource:
    """A detected garment box of an event's attribute, in a stored picture."""

    shortcode: str
    owner: str
    caption: str | None
    path: str
    box: tuple[float, float, float, float]
    score: float


@dataclass(frozen=True, slots=True)
class AttributeEvent:
    city: str
    kind: str
    attribute: str
    start_week: date
    end_week: date
    peak_week: date
    observed_share: float
    expected_share: float
    min_p_value: float
    rank: int
    keywords: tuple[str, ...] = ()
    crops: tuple[CropSource, ...] = ()


@dataclass(frozen=True, slots=True)
class CityInfluence:
    kind: str
    attribute: str
    leader: str
    follower: str
    lag_weeks: int
    correlation: float
    granger_p: float | None


@dataclass(frozen=True, slots=True)
class TrackedInfluencer:
    username: str
    posts: int
    likes: int
    mean_sentiment: float | None
    negative_posts: int
    garments: int
    last_day: date | None


@dataclass(frozen=True, slots=True)
class Exclusion:
    """An exclusion-list entry and the posts of the window it kept out of the tables."""

    kind: str
    name: str
    posts: int


@dataclass(frozen=True, slots=True)
class ReportData:
    window: ReportWindow
    day_posts: int
    window_posts: int
    activity: tuple[DayPoint, ...]
    sentiment: tuple[DayPoint, ...]
    peaks: tuple[Peak, ...]
    peaks_total: int
    trends: tuple[AttributeTrend, ...]
    events: tuple[AttributeEvent, ...]
    influence: tuple[CityInfluence, ...]
    tracked: tuple[TrackedInfluencer, ...]
    exclusions: tuple[Exclusion, ...]
    excluded_posts: int = 0
    """Posts of the window the lists kept out, each counted once."""
    labels: dict[str, str] = field(default_factory=dict)
    model_through: date | None = None
    """The last day (a Sunday) of the weeks the latest model build was fitted on; the fits,
    forecasts, events and city influence are that build's, whatever the report's day."""

    @property
    def empty(self) -> bool:
        """True when the trend tables hold nothing for the window."""
        return self.window_posts == 0 and not self.activity and not self.trends


def _rows(connection: Connection, sql: str, **params: Any) -> list[Any]:
    return list(connection.execute(text(sql), params).mappings())


def _series(
    connection: Connection, window: ReportWindow, table: str, value: str, base: str
) -> tuple[DayPoint, ...]:
    sql = (
        f"SELECT day, {value} AS value, {base} AS baseline, is_peak, label FROM {table} "
        "WHERE hashtag = '*' AND city = '*' AND day BETWEEN :start AND :end ORDER BY day"
    )
    return tuple(
        DayPoint(r["day"], r["value"], r["baseline"], r["is_peak"], r["label"])
        for r in _rows(connection, sql, **window.params())
    )


_PEAKS = """
SELECT * FROM (
    SELECT 'activity' AS kind, hashtag, city, day, window_start, label, activity AS value,
           baseline
    FROM trend_activity_days WHERE is_peak AND day BETWEEN :start AND :end
    UNION ALL
    SELECT 'sentiment', hashtag, city, day, window_start, label, negative_share, baseline_share
    FROM trend_sentiment_days WHERE is_peak AND day BETWEEN :start AND :end
) p
ORDER BY (hashtag = '*' AND city = '*') DESC, day DESC, kind, hashtag, city
"""
_PEAK_INFLUENCERS = """
SELECT peak_kind, hashtag, city, day, username, home_city, posts, likes, share, mean_sentiment,
       followers
FROM trend_peak_influencers WHERE day BETWEEN :start AND :end ORDER BY rank
"""
_PEAK_TERMS = """
SELECT peak_kind, hashtag, city, day, term_kind, term
FROM trend_peak_terms WHERE day BETWEEN :start AND :end ORDER BY rank
"""


def _peaks(connection: Connection, window: ReportWindow) -> tuple[tuple[Peak, ...], int]:
    params = window.params()
    found = _rows(connection, _PEAKS, **params)
    influencers: dict[tuple[Any, ...], list[PeakInfluencer]] = defaultdict(list)
    for r in _rows(connection, _PEAK_INFLUENCERS, **params):
        influencers[(r["peak_kind"], r["hashtag"], r["city"], r["day"])].append(
            PeakInfluencer(
                r["username"],
                r["home_city"],
                r["posts"],
                r["likes"],
                r["share"],
                r["mean_sentiment"],
                r["followers"],
            )
        )
    terms: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for r in _rows(connection, _PEAK_TERMS, **params):
        terms[(r["peak_kind"], r["hashtag"], r["city"], r["day"], r["term_kind"])].append(r["term"])
    peaks = []
    for r in found[:MAX_PEAKS]:
        key = (r["kind"], r["hashtag"], r["city"], r["day"])
        peaks.append(
            Peak(
                kind=r["kind"],
                hashtag=r["hashtag"],
                city=r["city"],
                day=r["day"],
                label=r["label"],
                value=r["value"],
                baseline=r["baseline"],
                influencers=tuple(influencers[key][:5]),
                hashtags=tuple(terms[(*key, "hashtag")][:6]),
                keywords=tuple(terms[(*key, "keyword")][:6]),
                window_start=r["window_start"],
            )
        )
    return tuple(peaks), len(found)


_TRENDS = """
SELECT city, attribute_kind, attribute, slope, slope_p_value, mean_share, weeks
FROM trend_attribute_fits
WHERE slope_p_value < :p_value
ORDER BY abs(slope) DESC, city, attribute_kind, attribute
LIMIT :limit
"""
_WEEKS = """
SELECT week, share, lower, upper FROM {table}
WHERE city = :city AND attribute_kind = :kind AND attribute = :attribute
  AND week BETWEEN :since AND :until
ORDER BY week
"""
_MODEL_THROUGH = "SELECT max(last_week) + 6 FROM trend_attribute_fits"


def _shares(
    connection: Connection,
    table: str,
    key: dict[str, Any],
    since: date,
    until: date = date.max,
) -> tuple[WeekShare, ...]:
    """The weeks of ``table`` from ``since`` to ``until`` (a week counts by its Monday)."""
    sql = _WEEKS.format(table=table)  # one of two constant table names
    return tuple(
        WeekShare(r["week"], r["share"], r["lower"], r["upper"])
        for r in _rows(connection, sql, since=since, until=until, **key)
    )


def _trends(connection: Connection, window: ReportWindow) -> tuple[AttributeTrend, ...]:
    """The latest model's strongest trends; the charted ones with their weekly shares of the
    report's weeks (none after its day) and the model's forecast."""
    trends = []
    since = window.week_start
    for index, r in enumerate(_rows(connection, _TRENDS, p_value=TRENDS_P_VALUE, limit=MAX_TRENDS)):
        key = {"city": r["city"], "kind": r["attribute_kind"], "attribute": r["attribute"]}
        charted = index < CHARTED_TRENDS
        trends.append(
            AttributeTrend(
                city=r["city"],
                kind=r["attribute_kind"],
                attribute=r["attribute"],
                slope=r["slope"],
                p_value=r["slope_p_value"],
                mean_share=r["mean_share"],
                weeks=r["weeks"],
                history=_shares(connection, "trend_attribute_weekly", key, since, window.end)
                if charted
                else (),
                forecast=_shares(connection, "trend_forecasts", key, window.end) if charted else (),
            )
        )
    return tuple(trends)


_EVENTS = """
SELECT city, attribute_kind, attribute, start_week, end_week, peak_week, observed_share,
       expected_share, min_p_value, rank
FROM trend_attribute_events
WHERE start_week <= :end AND end_week >= :week_start
ORDER BY rank LIMIT :limit
"""
_EVENT_KEYWORDS = """
SELECT keyword FROM trend_attribute_event_keywords
WHERE city = :city AND attribute_kind = :kind AND attribute = :attribute
  AND start_week = :start_week
ORDER BY rank LIMIT 8
"""
# The event's boxes, best first, in the pictures of the event's city and weeks, from the model
# version its weekly shares were computed with.
_EVENT_BOXES = """
SELECT p.shortcode, p.owner, p.caption, m.path, d.x1, d.y1, d.x2, d.y2, d.score
FROM trend_eligible_posts p
JOIN media m ON m.shortcode = p.shortcode AND m.status = 'ok' AND m.path IS NOT NULL
JOIN detections d ON d.media_id = m.media_id
WHERE p.taken_at >= CAST(:first AS timestamp) - interval '14 hours'
  AND p.taken_at < CAST(:last AS timestamp) + interval '38 hours'
  AND p.day BETWEEN :first AND :last
  AND (:city = '*' OR p.city = :city)
  AND d.model_version = (
      SELECT w.model_version FROM trend_attribute_weekly w
      WHERE w.city = :city AND w.attribute_kind = :kind AND w.attribute = :attribute
      ORDER BY w.week DESC LIMIT 1)
  AND CASE :kind WHEN 'class' THEN d.class_name = :attribute
                 WHEN 'colour' THEN d.colour = :attribute
                 ELSE d.colour || ' ' || d.class_name = :attribute END
ORDER BY d.score DESC, p.shortcode
LIMIT 50
"""


def _event_crops(
    connection: Connection, key: dict[str, Any], first: date, last: date
) -> tuple[CropSource, ...]:
    crops: list[CropSource] = []
    seen: set[str] = set()
    for r in _rows(connection, _EVENT_BOXES, first=first, last=last, **key):
        if r["shortcode"] in seen:
            continue
        seen.add(r["shortcode"])
        crops.append(
            CropSource(
                r["shortcode"],
                r["owner"],
                r["caption"],
                r["path"],
                (r["x1"], r["y1"], r["x2"], r["y2"]),
                r["score"],
            )
        )
        if len(crops) == CROPS_PER_EVENT:
            break
    return tuple(crops)


def _events(connection: Connection, window: ReportWindow) -> tuple[AttributeEvent, ...]:
    events = []
    for r in _rows(connection, _EVENTS, limit=MAX_EVENTS, **window.params()):
        key = {"city": r["city"], "kind": r["attribute_kind"], "attribute": r["attribute"]}
        keywords = _rows(connection, _EVENT_KEYWORDS, start_week=r["start_week"], **key)
        last_day = r["end_week"] + timedelta(days=6)
        events.append(
            AttributeEvent(
                city=r["city"],
                kind=r["attribute_kind"],
                attribute=r["attribute"],
                start_week=r["start_week"],
                end_week=r["end_week"],
                peak_week=r["peak_week"],
                observed_share=r["observed_share"],
                expected_share=r["expected_share"],
                min_p_value=r["min_p_value"],
                rank=r["rank"],
                keywords=tuple(k["keyword"] for k in keywords),
                crops=_event_crops(connection, key, r["start_week"], last_day),
            )
        )
    return tuple(events)


_INFLUENCE = """
SELECT attribute_kind, attribute, leader_city, follower_city, lag_weeks, correlation, granger_p
FROM trend_city_influence
ORDER BY abs(correlation) DESC, attribute_kind, attribute, leader_city, follower_city
LIMIT 10
"""
_TRACKED = """
SELECT t.username,
       COALESCE(sum(d.posts), 0) AS posts, COALESCE(sum(d.likes), 0) AS likes,
       sum(d.mean_sentiment * d.posts) / NULLIF(sum(d.posts) FILTER
           (WHERE d.mean_sentiment IS NOT NULL), 0) AS mean_sentiment,
       COALESCE(sum(d.negative_posts), 0) AS negative_posts,
       COALESCE(sum(d.garments), 0) AS garments, max(d.day) AS last_day
FROM tracked_influencers t
LEFT JOIN trend_influencer_daily d ON d.username = t.username AND d.day BETWEEN :start AND :end
WHERE t.username NOT IN (SELECT username FROM excluded_users)  -- the lists apply everywhere
GROUP BY t.username
ORDER BY posts DESC, t.username
"""
_WINDOW_POSTS = """
WITH window_posts AS (
    SELECT shortcode, owner FROM posts
    WHERE taken_at >= CAST(:start AS timestamp) - interval '14 hours'
      AND taken_at < CAST(:end AS timestamp) + interval '38 hours'
      AND (taken_at AT TIME ZONE COALESCE(timezone, 'UTC'))::date BETWEEN :start AND :end
)
"""
# Posts of the window each exclusion-list entry kept out (local days, as the trend tables).
_EXCLUSIONS = (
    _WINDOW_POSTS
    + """
SELECT 'user' AS kind, e.username AS name, count(w.shortcode) AS posts
FROM excluded_users e LEFT JOIN window_posts w ON w.owner = e.username
GROUP BY e.username
UNION ALL
SELECT 'hashtag', e.hashtag, count(w.shortcode)
FROM excluded_hashtags e
LEFT JOIN post_hashtags ph ON ph.hashtag = e.hashtag
LEFT JOIN window_posts w ON w.shortcode = ph.shortcode
GROUP BY e.hashtag
ORDER BY posts DESC, kind, name
"""
)
# Posts of the window the lists kept out, each once (a post can match several entries).
_EXCLUDED_POSTS = (
    _WINDOW_POSTS
    + """
SELECT count(*) FROM window_posts w
WHERE w.owner IN (SELECT username FROM excluded_users)
   OR w.shortcode IN (SELECT ph.shortcode FROM post_hashtags ph
                      JOIN excluded_hashtags e ON e.hashtag = ph.hashtag)
"""
)
_POSTS = """
SELECT COALESCE(sum(posts) FILTER (WHERE day = :end), 0) AS day_posts,
       COALESCE(sum(posts), 0) AS window_posts
FROM trend_daily_activity
WHERE hashtag = '*' AND city = '*' AND day BETWEEN :start AND :end
"""


def load_report_data(connection: Connection, window: ReportWindow) -> ReportData:
    """Everything the report of ``window.end`` shows."""
    params = window.params()
    counts = _rows(connection, _POSTS, **params)[0]
    activity = _series(connection, window, "trend_activity_days", "activity", "baseline")
    sentiment = _series(
        connection, window, "trend_sentiment_days", "negative_share", "baseline_share"
    )
    peaks, peaks_total = _peaks(connection, window)
    labels = {
        name: point.label
        for name, series in (("activity", activity), ("sentiment", sentiment))
        for point in series
        if point.day == window.end
    }
    return ReportData(
        window=window,
        day_posts=int(counts["day_posts"]),
        window_posts=int(counts["window_posts"]),
        activity=activity,
        sentiment=sentiment,
        peaks=peaks,
        peaks_total=peaks_total,
        trends=_trends(connection, window),
        events=_events(connection, window),
        influence=tuple(
            CityInfluence(
                r["attribute_kind"],
                r["attribute"],
                r["leader_city"],
                r["follower_city"],
                r["lag_weeks"],
                r["correlation"],
                r["granger_p"],
            )
            for r in _rows(connection, _INFLUENCE)
        ),
        tracked=tuple(
            TrackedInfluencer(
                r["username"],
                int(r["posts"]),
                int(r["likes"]),
                r["mean_sentiment"],
                int(r["negative_posts"]),
                int(r["garments"]),
                r["last_day"],
            )
            for r in _rows(connection, _TRACKED, **params)
        ),
        exclusions=tuple(
            Exclusion(r["kind"], r["name"], int(r["posts"]))
            for r in _rows(connection, _EXCLUSIONS, **params)
        ),
        excluded_posts=int(connection.execute(text(_EXCLUDED_POSTS), params).scalar_one()),
        labels=labels,
        model_through=connection.execute(text(_MODEL_THROUGH)).scalar_one(),
    )
