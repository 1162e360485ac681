"""Owners' home cities, inferred from their own located posts.

An owner's home is the city of most of their posts placed by their own location
(``city_source = 'location'``) when that is clear: at least ``home_min_posts`` such posts there
and at least ``home_min_share`` (more than half) of all of them. The home goes to
``profiles.home_city`` / ``home_country`` with ``home_inferred = true`` (a profile row is
created, never fetched: ``fetched_at`` the epoch, so a profile refresh fetches it); a home set
by hand (``home_inferred = false``) is kept, and wins over the inferred one, named as located
posts name their cities, with its time zone (a city the gazetteer does not know is logged and
left out). Every
enriched post of the owner without a city of its own then takes the home
(``city_source = 'home'``), or no city when there is no clear home.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from sqlalchemy import Connection, text

from trendminer.enrich.trend_cities import CityLocator
from trendminer.settings import Settings

logger = logging.getLogger(__name__)

_HOMES = """
CREATE TEMP TABLE enrich_homes ON COMMIT DROP AS
WITH counts AS (
    SELECT owner, city, country, count(*) AS posts,
           mode() WITHIN GROUP (ORDER BY timezone) AS timezone
    FROM posts
    WHERE owner = ANY(:owners) AND city_source = 'location' AND city IS NOT NULL
    GROUP BY owner, city, country
), ranked AS (
    SELECT *, sum(posts) OVER (PARTITION BY owner) AS total,
           row_number() OVER (PARTITION BY owner ORDER BY posts DESC, city, country) AS rank
    FROM counts
)
SELECT o.owner, r.city, r.country, r.timezone
FROM unnest(CAST(:owners AS text[])) AS o(owner)
LEFT JOIN ranked r ON r.owner = o.owner AND r.rank = 1
    AND r.posts >= :min_posts AND r.posts >= :min_share * r.total
"""

_HAND_SET = """
SELECT username, home_city, home_country FROM profiles
WHERE username = ANY(:owners) AND home_inferred = false AND home_city IS NOT NULL
"""

_USE_HAND_SET = """
UPDATE enrich_homes SET city = :city, country = :country, timezone = :timezone
WHERE owner = :owner
"""

_SET_PROFILES = """
INSERT INTO profiles AS pr (username, home_city, home_country, home_inferred, fetched_at)
SELECT owner, city, country, true, 'epoch' FROM enrich_homes WHERE city IS NOT NULL
ON CONFLICT (username) DO UPDATE SET
    home_city = EXCLUDED.home_city, home_country = EXCLUDED.home_country, home_inferred = true
WHERE pr.home_inferred IS NOT FALSE
  AND (pr.home_city, pr.home_country, pr.home_inferred)
      IS DISTINCT FROM (EXCLUDED.home_city, EXCLUDED.home_country, true)
"""

_CLEAR_PROFILES = """
UPDATE profiles pr SET home_city = NULL, home_country = NULL, home_inferred = NULL
FROM enrich_homes h
WHERE pr.username = h.owner AND h.city IS NULL AND pr.home_inferred
"""

_SET_POSTS = """
UPDATE posts p SET
    city = h.city, country = h.country, timezone = h.timezone,
    city_source = CASE WHEN h.city IS NULL THEN NULL ELSE 'home' END,
    enriched_at = now()  -- its trend days built before are stale (trendminer.trends.stale)
FROM enrich_homes h
WHERE p.owner = h.owner AND p.enriched_at IS NOT NULL
  AND p.city_source IS DISTINCT FROM 'location'
  AND (p.city, p.country, p.timezone, p.city_source) IS DISTINCT FROM
      (h.city, h.country, h.timezone, CASE WHEN h.city IS NULL THEN NULL ELSE 'home' END)
"""

_COUNT = """
SELECT (SELECT count(*) FROM enrich_homes WHERE city IS NOT NULL),
       (SELECT count(*) FROM posts p JOIN enrich_homes h ON p.owner = h.owner
        WHERE p.city_source = 'home')
"""


def _use_hand_set_homes(
    connection: Connection, locator: CityLocator, owners: Collection[str]
) -> None:
    """Put the homes set by hand in place of the inferred ones, named as located posts name
    their cities (``NYC`` is New York), with their time zones."""
    chosen = []
    for owner, city, country in connection.execute(text(_HAND_SET), {"owners": sorted(owners)}):
        place = locator.place_named(city, country)
        if place is None or place.city[0] is None:
            logger.warning(
                "%s's home %r (set by hand) is not a city the gazetteer knows: their posts "
                "are not placed there; name it as the posts' cities are named",
                owner, city,
            )  # fmt: skip
            continue
        chosen.append(
            {"owner": owner, "city": place.city[0], "country": place.country[0],
             "timezone": place.timezone[0]}
        )  # fmt: skip
    if chosen:
        connection.execute(text(_USE_HAND_SET), chosen)


def apply_homes(
    connection: Connection, settings: Settings, locator: CityLocator, owners: Collection[str]
) -> tuple[int, int]:
    """Infer the homes of ``owners`` and place their posts without a city; returns
    (owners with a home, their posts placed at home)."""
    if not owners:
        return 0, 0
    connection.execute(
        text(_HOMES),
        {
            "owners": sorted(owners),
            "min_posts": settings.home_min_posts,
            "min_share": settings.home_min_share,
        },
    )
    _use_hand_set_homes(connection, locator, owners)
    connection.execute(text(_SET_PROFILES))
    connection.execute(text(_CLEAR_PROFILES))
    connection.execute(text(_SET_POSTS))
    homes, placed = connection.execute(text(_COUNT)).one()
    connection.exec_driver_sql("DROP TABLE enrich_homes")
    return int(homes), int(placed)
