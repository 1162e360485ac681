"""World simulation: users, influencers, places and posts with their planted events.

:func:`simulate` turns a :class:`Scenario` and a seed into a :class:`World` — every post fully
planned (owner, local and UTC time, city, caption, likes, comments, location, and the garments
of each picture) — with one random stream consumed in a fixed order, so a seed gives one world.
Pictures get seeds of their own, so they render the same in any process and any order.
"""

from __future__ import annotations

import math
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from instaloader import Post

from trendminer.sources.sample import captions
from trendminer.sources.sample.render import CLASSES, COLOURS, MULTICOLOUR, Garment, PictureSpec
from trendminer.sources.sample.scenario import (
    DRIVER_NEGATIVE_SHARE,
    City,
    Event,
    Scenario,
    ScenarioError,
    gazetteer,
)

_INSTAGRAM_EPOCH_MS = 1_314_220_021_721
_EXTRA_TAGS = ("ootd", "fashion", "style", "lookbook", "streetwear", "whatiwore", "instafashion")
_BRANDS = ("zara", "hm", "uniqlo", "mango", "cos", "asos")
_VENUES = (
    "Central Station",
    "Old Town",
    "Design District",
    "Riverside Park",
    "Flagship Store",
    "Fashion Week Venue",
    "Main Square",
    "Art Museum",
)
# Local posting hour weights (0..23): quiet nights, a lunch bump and an evening peak.
_HOURS = np.array(
    [
        1,
        0.6,
        0.4,
        0.3,
        0.3,
        0.5,
        1,
        2,
        3,
        3.5,
        4,
        4.5,
        5.5,
        5,
        4.5,
        4.5,
        5,
        6,
        7,
        7.5,
        7,
        5.5,
        3.5,
        2,
    ]
)
_COLOUR_PRIOR = {
    "Black": 0.18,
    "White": 0.13,
    "Gray": 0.08,
    "Red": 0.06,
    "Pink": 0.06,
    "Orange": 0.035,
    "Yellow": 0.04,
    "Green": 0.05,
    "Blue": 0.12,
    "Cyan": 0.03,
    "Purple": 0.035,
    "Brown": 0.08,
    MULTICOLOUR: 0.09,
}


@dataclass(frozen=True, slots=True)
class User:
    """An account: ordinary user or influencer, with a home city."""

    username: str
    user_id: int
    full_name: str
    home_city: str
    followers: int
    following: int
    influencer: bool
    tracked: bool


@dataclass(frozen=True, slots=True)
class Place:
    """A location node; ``lat``/``lng`` None for a name-only location.

    ``nearest`` is the gazetteer city (name, country code, geonames id) nearest the point.
    """

    location_id: int
    name: str
    slug: str
    lat: float | None
    lng: float | None
    kind: str  # venue | suburb | name_only
    nearest: tuple[str, str, int] | None


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment on a post (UTC time)."""

    comment_id: int
    owner: User
    text: str
    created_at: datetime
    likes: int


@dataclass(frozen=True, slots=True)
class PlannedPost:
    """Everything about one post, before writing."""

    shortcode: str
    media_id: int
    owner: User
    taken_at: datetime  # UTC
    local_date: date
    city: City
    hashtags: tuple[str, ...]  # the scenario hashtags it carries; the first names its folder
    caption: str
    language: str
    sentiment: str  # positive | neutral | negative
    hostile: bool
    likes: int
    comments: tuple[Comment, ...]
    place: Place | None
    typename: str  # GraphImage | GraphSidecar | GraphVideo
    pictures: tuple[PictureSpec, ...]
    events: tuple[str, ...]  # ids of the planted events that shaped it
    compressed: bool

    @property
    def stem(self) -> str:
        """instaloader's default file name: ``{date_utc}_UTC``."""
        return f"{self.taken_at:%Y-%m-%d_%H-%M-%S}_UTC"

    @property
    def folder(self) -> str:
        """instaloader's default folder for a hashtag target: ``#hashtag``."""
        return f"#{self.hashtags[0]}"

    def picture_names(self) -> list[str]:
        """Picture file names as instaloader writes them (``_1``, ``_2``… for sidecars)."""
        if self.typename == "GraphSidecar":
            return [f"{self.stem}_{i + 1}.jpg" for i in range(len(self.pictures))]
        return [f"{self.stem}.jpg"]


@dataclass(frozen=True, slots=True)
class World:
    """A planned world: its users, posts (by UTC time) and expected daily counts."""

    scenario: Scenario
    seed: int
    users: tuple[User, ...]
    posts: tuple[PlannedPost, ...]
    expected: dict[tuple[str, date], float] = field(default_factory=dict)  # (city, day) baseline
    negative_drivers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # event → users
    campaign_influencer: dict[str, str] = field(default_factory=dict)  # event → username


def _haversine_km(lat1: float, lng1: float, lat2: np.ndarray, lng2: np.ndarray) -> np.ndarray:
    p1, p2 = math.radians(lat1), np.radians(lat2)
    dlat, dlng = p2 - p1, np.radians(lng2 - lng1)
    a = np.sin(dlat / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dlng / 2) ** 2
    return np.asarray(12742.0 * np.arcsin(np.sqrt(a)))


class _Gazetteer:
    """Nearest gazetteer city lookups within a radius of one centre."""

    def __init__(self, lat: float, lng: float, radius_km: float) -> None:
        cities = gazetteer()
        ids = np.array(list(cities))
        lats = np.array([cities[i]["latitude"] for i in ids])
        lngs = np.array([cities[i]["longitude"] for i in ids])
        near = _haversine_km(lat, lng, lats, lngs) <= radius_km
        self.ids, self.lats, self.lngs = ids[near], lats[near], lngs[near]

    def nearest(self, lat: float, lng: float) -> tuple[str, str, int] | None:
        if len(self.ids) == 0:
            return None
        gid = int(self.ids[int(np.argmin(_haversine_km(lat, lng, self.lats, self.lngs)))])
        city = gazetteer()[gid]
        return (city["name"], city["countrycode"], gid)

    def suburbs(self, centre: City, within_km: float) -> list[tuple[str, float, float]]:
        out = []
        for gid, lat, lng in zip(self.ids, self.lats, self.lngs, strict=True):
            d = float(_haversine_km(centre.lat, centre.lng, np.array([lat]), np.array([lng]))[0])
            if int(gid) != centre.geonameid and 3.0 <= d <= within_km:
                out.append((gazetteer()[int(gid)]["name"], float(lat), float(lng)))
        return sorted(out)


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def _offset(lat: float, lng: float, km: float, bearing: float) -> tuple[float, float]:
    dlat = km / 111.2 * math.cos(bearing)
    dlng = km / (111.2 * max(math.cos(math.radians(lat)), 0.05)) * math.sin(bearing)
    return round(lat + dlat, 6), round(lng + dlng, 6)


def _active(event: Event, day: date, city: City) -> bool:
    return event.start <= day <= event.end and (event.city is None or event.city == city.name)


def _season(city: City, day: date) -> float:
    """+1 at the height of local summer, -1 in winter; damped near the equator."""
    phase = math.cos(2 * math.pi * (day.timetuple().tm_yday - 200) / 365.25)
    if city.lat < 0:
        phase = -phase
    return phase * min(1.0, abs(city.lat) / 30.0)


class _Planner:
    """Consumes one random stream in a fixed order to plan the world."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.s, self.seed = scenario, seed
        self.rng = np.random.default_rng(seed)
        self.users = self._users()
        self.by_city: dict[str, list[User]] = defaultdict(list)
        self.influencers_by_city: dict[str, list[User]] = defaultdict(list)
        for user in self.users:
            (self.influencers_by_city if user.influencer else self.by_city)[user.home_city].append(
                user
            )
        self.ordinary = [u for u in self.users if not u.influencer]
        self.influencers = [u for u in self.users if u.influencer]
        self.places = {c.name: self._places(c) for c in scenario.cities}
        self.colour_priors = {c.name: self._colour_prior() for c in scenario.cities}
        self.counter = 0
        self.comment_counter = 0

    def _users(self) -> list[User]:
        s, rng = self.s, self.rng
        weights = np.array([c.weight for c in s.cities], float)
        weights /= weights.sum()
        syllables = (
            "la",
            "mi",
            "ro",
            "ka",
            "zu",
            "ne",
            "so",
            "ta",
            "vi",
            "le",
            "mo",
            "ri",
            "an",
            "el",
        )
        users: list[User] = []
        taken: set[str] = set()
        for index in range(s.ordinary_users + s.influencers):
            influencer = index >= s.ordinary_users
            city = s.cities[int(rng.choice(len(s.cities), p=weights))]
            while True:
                stem = "".join(syllables[int(i)] for i in rng.integers(len(syllables), size=3))
                sep = "." if rng.random() < 0.3 else "_"
                name = (
                    f"{stem}{sep}{int(rng.integers(10, 999))}"
                    if not influencer
                    else f"{stem}.style"
                )
                if name not in taken:
                    taken.add(name)
                    break
            base = 30_000 if influencer else 120
            followers = int(base * (1 + rng.pareto(s.followers_alpha)))
            users.append(
                User(
                    username=name,
                    user_id=10_000_000 + index * 7_919,
                    full_name=stem.title(),
                    home_city=city.name,
                    followers=min(followers, 50_000_000),
                    following=int(rng.integers(50, 1500)),
                    influencer=influencer,
                    tracked=False,
                )
            )
        ranked = sorted((u for u in users if u.influencer), key=lambda u: -u.followers)
        tracked = {u.username for u in ranked[: s.tracked_influencers]}
        return [replace(u, tracked=u.username in tracked) for u in users]

    def _places(self, city: City) -> tuple[list[Place], list[Place], list[Place]]:
        """Venues around the centre, suburbs (gazetteer cities of their own), name-only places."""
        rng, scatter = self.rng, self.s.scatter_km
        gaz = _Gazetteer(city.lat, city.lng, scatter + 25.0)
        venues = []
        for venue in _VENUES:
            km = float(scatter * rng.random() ** 1.5)
            lat, lng = _offset(city.lat, city.lng, km, float(rng.uniform(0, 2 * math.pi)))
            name = f"{venue}, {city.name}"
            venues.append(
                Place(
                    self._place_id(name),
                    name,
                    _slug(name),
                    lat,
                    lng,
                    "venue",
                    gaz.nearest(lat, lng),
                )
            )
        suburbs = []
        for name, slat, slng in gaz.suburbs(city, scatter)[:6]:
            lat, lng = _offset(
                slat, slng, float(rng.uniform(0, 1.0)), float(rng.uniform(0, 2 * math.pi))
            )
            suburbs.append(
                Place(
                    self._place_id(name),
                    name,
                    _slug(name),
                    lat,
                    lng,
                    "suburb",
                    gaz.nearest(lat, lng),
                )
            )
        named = [
            Place(self._place_id(n), n, _slug(n), None, None, "name_only", None)
            for n in (city.name, f"{city.name} City Centre", f"{_VENUES[0]}, {city.name}")
        ]
        return venues, suburbs, named

    @staticmethod
    def _place_id(name: str) -> int:
        return 200_000_000 + zlib.crc32(name.encode("utf-8"))

    def _colour_prior(self) -> np.ndarray:
        base = np.array(list(_COLOUR_PRIOR.values()))
        prior = base * np.exp(self.rng.normal(0.0, 0.3, size=len(base)))
        return np.asarray(prior / prior.sum())

    # -- rates -------------------------------------------------------------------------------

    def expected_posts(self, city: City, day: date) -> float:
        """Baseline expected posts of ``city`` on local ``day`` (weekday, growth, holidays)."""
        s = self.s
        total = sum(c.weight for c in s.cities)
        rate = s.posts_per_day * city.weight / total * s.weekly[day.weekday()] / (sum(s.weekly) / 7)
        rate *= (1 + s.growth_per_30_days) ** ((day - s.start).days / 30)
        for holiday in s.holidays:
            if holiday.day == day and (not holiday.cities or city.name in holiday.cities):
                rate *= holiday.multiplier
        return rate

    def plan(self) -> World:
        s = self.s
        posts: list[PlannedPost] = []
        expected: dict[tuple[str, date], float] = {}
        drivers = self._negative_drivers()
        campaigners = self._campaigners()
        for offset in range(s.days):
            day = s.start + timedelta(days=offset)
            for city in s.cities:
                base = self.expected_posts(city, day)
                expected[(city.name, day)] = base
                for _ in range(int(self.rng.poisson(base))):
                    posts.append(self._post(city, day, self._author(city), ()))
                for event in s.events:
                    if event.kind == "activity_peak" and _active(event, day, city):
                        # Overlapping peaks each add their own extra posts, tagged with their id.
                        for _ in range(self._planted(base * (event.multiplier - 1))):
                            posts.append(self._post(city, day, self._author(city), (event.id,)))
                for event in s.events:
                    if event.kind == "negative_peak" and _active(event, day, city):
                        posts.extend(
                            self._negative_posts(event, city, day, base, drivers[event.id])
                        )
                    if event.kind == "influencer_campaign" and _active(event, day, city):
                        author = campaigners[event.id]
                        for _ in range(self._planted(event.posts_per_day)):
                            posts.append(self._post(city, day, author, (event.id,)))
        posts = self._unique_names(sorted(posts, key=lambda p: (p.taken_at, p.media_id)))
        return World(
            scenario=s,
            seed=self.seed,
            users=tuple(self.users),
            posts=tuple(posts),
            expected=expected,
            negative_drivers={k: tuple(u.username for u in v) for k, v in drivers.items()},
            campaign_influencer={k: v.username for k, v in campaigners.items()},
        )

    def _planted(self, expected: float) -> int:
        """The posts an event adds: ``expected`` rounded at random to a whole post (exact but for
        its fraction), so what the truth plants is in the world; ordinary posts stay Poisson."""
        whole = math.floor(expected)
        return whole + int(self.rng.random() < expected - whole)

    def _negative_drivers(self) -> dict[str, list[User]]:
        out = {}
        for event in self.s.events:
            if event.kind == "negative_peak":
                assert event.city is not None
                local = self.influencers_by_city.get(event.city) or self.influencers
                out[event.id] = sorted(local, key=lambda u: -u.followers)[: event.influencers]
        return out

    def _campaigners(self) -> dict[str, User]:
        out = {}
        for event in self.s.events:
            if event.kind == "influencer_campaign":
                # A tracked influencer of the city, else one visiting it, else any influencer.
                tracked = [u for u in self.influencers if u.tracked]
                local = [u for u in tracked if u.home_city == event.city]
                pool = local or tracked or self.influencers
                out[event.id] = max(pool, key=lambda u: u.followers)
        return out

    def _negative_posts(
        self, event: Event, city: City, day: date, base: float, drivers: Sequence[User]
    ) -> list[PlannedPost]:
        """Extra posts by the event's influencers, negative at 85 %, that lift the city's share.

        With ``n`` expected ordinary posts at negative share ``b``, ``k`` extra posts negative
        at ``q`` give ``(n b + k q) / (n + k) = b + i`` when ``k = n i / (q - b - i)``.
        """
        q, b = DRIVER_NEGATIVE_SHARE, self.s.sentiment[2]
        extra = base * event.increase / (q - b - event.increase)  # the scenario keeps it > 0
        posts = []
        for _ in range(self._planted(extra)):
            author = drivers[int(self.rng.integers(len(drivers)))]
            sentiment = "negative" if self.rng.random() < q else "neutral"
            posts.append(self._post(city, day, author, (event.id,), sentiment=sentiment))
        return posts

    def _author(self, city: City) -> User:
        rng = self.rng
        if self.influencers and rng.random() < self.s.influencer_post_share:
            pool = self.influencers_by_city.get(city.name) or self.influencers
        else:
            pool = self.by_city.get(city.name) or self.ordinary
        if rng.random() < 0.08:  # travellers post from cities other than home
            pool = self.ordinary
        return pool[int(rng.integers(len(pool)))]

    def _post(
        self,
        city: City,
        day: date,
        author: User,
        event_ids: tuple[str, ...],
        *,
        sentiment: str | None = None,
    ) -> PlannedPost:
        s, rng = self.s, self.rng
        hour = int(rng.choice(24, p=_HOURS / _HOURS.sum()))
        local = datetime.combine(day, time(hour, int(rng.integers(60)), int(rng.integers(60))))
        taken_at = local.replace(tzinfo=ZoneInfo(city.timezone)).astimezone(UTC)
        self.counter += 1
        ms = int(taken_at.timestamp() * 1000) - _INSTAGRAM_EPOCH_MS
        media_id = (ms << 23) | (self.counter & 0x7FFFFF)
        events = list(event_ids)
        keywords: list[str] = []
        for event in s.events:
            if event.kind == "attribute_event" and _active(event, day, city) and rng.random() < 0.6:
                keywords.extend(event.keywords)
                events.append(event.id)
            if event.kind == "influencer_campaign" and event.id in event_ids:
                keywords.extend(event.keywords)
            if event.kind == "attribute_trend" and _active(event, day, city):
                events.append(event.id)
        if sentiment is None:
            sentiment = str(rng.choice(["positive", "neutral", "negative"], p=list(s.sentiment)))
        languages = [code for code, _ in s.languages]
        shares = np.array([w for _, w in s.languages], float)
        language = languages[int(rng.choice(len(languages), p=shares / shares.sum()))]
        hashtags = self._hashtags()
        tags = (*hashtags, *self._extra_tags(city, keywords))
        mentions: tuple[str, ...] = ()
        if rng.random() < 0.15:
            mentions = (_BRANDS[int(rng.integers(len(_BRANDS)))],)
        hostile = bool(rng.random() < s.hostile_share)
        text = captions.caption(
            rng,
            language=language,
            sentiment=sentiment,
            hashtags=tags,
            mentions=mentions,
            keywords=tuple(keywords),
            hostile=hostile,
        )
        end_of_world = datetime.combine(s.end + timedelta(days=1), time(12), UTC)
        age_h = max((end_of_world - taken_at).total_seconds() / 3600, 0.5)
        engagement = float(rng.lognormal(math.log(0.035), 0.5))
        likes = int(
            author.followers
            * engagement
            * (1 - math.exp(-age_h / 18))
            * (1.1 if day.weekday() >= 5 else 1.0)
        )
        typename, pictures = self._pictures(city, day, media_id)
        return PlannedPost(
            shortcode=Post.mediaid_to_shortcode(media_id),
            media_id=media_id,
            owner=author,
            taken_at=taken_at,
            local_date=day,
            city=city,
            hashtags=hashtags,
            caption=text,
            language=language,
            sentiment=sentiment,
            hostile=hostile,
            likes=likes,
            comments=self._comments(taken_at, likes, sentiment, end_of_world),
            place=self._place(city),
            typename=typename,
            pictures=pictures,
            events=tuple(dict.fromkeys(events)),
            compressed=bool(rng.random() < s.compressed_share),
        )

    def _hashtags(self) -> tuple[str, ...]:
        tags = self.s.hashtags
        weights = np.array([1.0 / (i + 1) for i in range(len(tags))])
        first = int(self.rng.choice(len(tags), p=weights / weights.sum()))
        rest = [t for i, t in enumerate(tags) if i != first and self.rng.random() < 0.3]
        return (tags[first], *rest)

    def _extra_tags(self, city: City, keywords: list[str]) -> tuple[str, ...]:
        rng = self.rng
        extra = [t for t in _EXTRA_TAGS if rng.random() < 0.25]
        if rng.random() < 0.3:
            extra.append(_slug(city.name).replace("-", "") + "style")
        extra.extend(k for k in keywords if k.isalnum())
        return tuple(extra)

    def _comments(
        self, taken_at: datetime, likes: int, sentiment: str, end: datetime
    ) -> tuple[Comment, ...]:
        rng = self.rng
        mean = self.s.comments_mean * (max(likes, 1) / 20) ** 0.25
        out = []
        span = max((end - taken_at).total_seconds(), 60.0)
        for _ in range(min(int(rng.poisson(mean)), 40)):
            self.comment_counter += 1
            tone = (
                sentiment
                if rng.random() < 0.7
                else str(rng.choice(["positive", "neutral", "negative"]))
            )
            out.append(
                Comment(
                    comment_id=17_850_000_000_000_000 + self.comment_counter,
                    owner=self.ordinary[int(rng.integers(len(self.ordinary)))],
                    text=captions.comment(rng, tone),
                    created_at=taken_at + timedelta(seconds=float(span * rng.random() ** 3)),
                    likes=int(rng.poisson(1.0)),
                )
            )
        return tuple(sorted(out, key=lambda c: (c.created_at, c.comment_id), reverse=True))

    def _place(self, city: City) -> Place | None:
        rng, s = self.rng, self.s
        venues, suburbs, named = self.places[city.name]
        roll = rng.random()
        if roll < s.geotagged_share:
            if suburbs and rng.random() < s.suburb_share:
                return suburbs[int(rng.integers(len(suburbs)))]
            return venues[int(rng.integers(len(venues)))]
        if roll < s.geotagged_share + s.name_only_share:
            return named[int(rng.integers(len(named)))]
        return None

    def _pictures(
        self, city: City, day: date, media_id: int
    ) -> tuple[str, tuple[PictureSpec, ...]]:
        rng, s = self.rng, self.s
        roll = rng.random()
        typename = (
            "GraphVideo"
            if roll < s.video_share
            else "GraphSidecar"
            if roll < s.video_share + s.sidecar_share
            else "GraphImage"
        )
        count = int(rng.integers(2, 4)) if typename == "GraphSidecar" else 1
        owner_outfit = self._outfit(city, day)
        height = 400 if rng.random() < 0.4 else 320
        pictures = []
        for position in range(count):
            people = int(rng.choice(3, p=[0.66, 0.26, 0.08])) + 1
            outfits = [owner_outfit] + [self._outfit(city, day) for _ in range(people - 1)]
            seed = int(
                np.random.SeedSequence([self.seed, media_id % 2**63, position]).generate_state(1)[0]
            )
            pictures.append(PictureSpec(320, height, seed, tuple(outfits)))
        return typename, tuple(pictures)

    def _attribute_boost(self, city: City, day: date) -> list[tuple[str, float]]:
        boosts = []
        for event in self.s.events:
            if (
                event.city != city.name
                or not event.start <= day <= event.end
                or event.attribute is None
            ):
                continue
            if event.kind == "attribute_trend":
                progress = (day - event.start).days / max((event.end - event.start).days, 1)
                boosts.append((event.attribute, event.shift * progress))
            elif event.kind == "attribute_event":
                boosts.append((event.attribute, event.shift))
        return boosts

    def _outfit(self, city: City, day: date) -> tuple[Garment, ...]:
        rng = self.rng
        season = _season(city, day)
        boosts = self._attribute_boost(city, day)
        forced = {a for a, p in boosts if a in CLASSES and rng.random() < p}
        colour_boosts = [(a, p) for a, p in boosts if a not in CLASSES]
        classes: list[str] = []
        if "dress" in forced or (
            not forced & {"pants", "shorts", "skirt", "top"} and rng.random() < 0.22
        ):
            classes.append("dress")
        else:
            classes.append("top")
            bottoms = {"pants": 0.58, "shorts": 0.14 + 0.1 * season, "skirt": 0.2}
            chosen = next((b for b in bottoms if b in forced), None)
            if chosen is None:
                weights = np.array(list(bottoms.values()))
                chosen = list(bottoms)[int(rng.choice(len(bottoms), p=weights / weights.sum()))]
            classes.append(chosen)
        classes.append(
            "boots"
            if "boots" in forced
            or ("footwear" not in forced and rng.random() < 0.2 - 0.12 * season)
            else "footwear"
        )
        optional = {
            "outer": 0.3 - 0.2 * season,
            "belt": 0.22,
            "sunglasses": 0.2 + 0.12 * season,
            "headwear": 0.2,
            "scarf/tie": 0.12 - 0.07 * season,
            "bag": 0.35,
        }
        classes.extend(c for c, p in optional.items() if c in forced or rng.random() < p)
        garments: list[Garment] = []
        for class_name in classes:
            colour = self._colour(city, colour_boosts)
            if (
                class_name in ("pants", "shorts", "skirt")
                and garments
                and garments[0].colour == colour
            ):
                colour = self._colour(city, colour_boosts)
            garments.append(Garment(class_name, colour))
        return tuple(garments)

    def _colour(self, city: City, boosts: list[tuple[str, float]]) -> str:
        rng = self.rng
        for colour, p in boosts:
            if rng.random() < p:
                return colour
        names = (*COLOURS, MULTICOLOUR)
        return names[int(rng.choice(len(names), p=self.colour_priors[city.name]))]

    def _unique_names(self, posts: list[PlannedPost]) -> list[PlannedPost]:
        """Moves a post whose folder already holds a post of that second to a free second."""
        taken: set[tuple[str, datetime]] = set()
        out = []
        for post in posts:
            if (post.folder, post.taken_at) in taken:
                post = replace(post, taken_at=_free_second(post, taken))
            taken.add((post.folder, post.taken_at))
            out.append(post)
        return out


def _free_second(post: PlannedPost, taken: set[tuple[str, datetime]]) -> datetime:
    """The nearest later second free in the post's folder, else the nearest earlier one, within
    the post's local day (so its ``local_date`` stays true)."""
    zone = ZoneInfo(post.city.timezone)
    for step in (timedelta(seconds=1), timedelta(seconds=-1)):
        moment = post.taken_at + step
        while moment.astimezone(zone).date() == post.local_date:
            if (post.folder, moment) not in taken:
                return moment
            moment += step
    raise ScenarioError(
        f"folder {post.folder} holds a post in every second of {post.local_date} in "
        f"{post.city.name}: lower posts_per_day or add hashtags."
    )


def simulate(scenario: Scenario, seed: int | None = None) -> World:
    """Plans the whole world of ``scenario`` for ``seed`` (default: the scenario's seed)."""
    return _Planner(scenario, scenario.seed if seed is None else seed).plan()
