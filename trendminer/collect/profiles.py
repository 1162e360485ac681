"""Profiles of post owners through instaloader: which are due, and one fetch each.

A profile is due when it was never fetched (no row, or ``fetched_at`` the epoch: a row made by
another stage) or fetched more than ``profile_refresh_hours`` ago. Owners never fetched come
first, then the longest unrefreshed; excluded users are never fetched. An owner known by id is
fetched with ``Profile.from_id`` (one query), else by name with ``Profile.from_username``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from instaloader import InstaloaderContext, Profile
from instaloader.exceptions import ProfileNotExistsException, QueryReturnedNotFoundException
from sqlalchemy import Connection, text

from trendminer.records import ProfileRecord

_DUE = """
SELECT o.owner, o.owner_id
FROM (SELECT owner, max(owner_id) AS owner_id, max(last_seen) AS last_seen
      FROM posts GROUP BY owner) AS o
LEFT JOIN profiles pr ON pr.username = o.owner
WHERE (pr.fetched_at IS NULL OR pr.fetched_at < :due)
  AND NOT EXISTS (SELECT 1 FROM excluded_users e WHERE e.username = o.owner)
ORDER BY pr.fetched_at NULLS FIRST, o.last_seen DESC, o.owner
LIMIT :limit
"""


def due_profiles(
    connection: Connection, refresh_hours: float, limit: int
) -> list[tuple[str, int | None]]:
    """(username, user id or None) of at most ``limit`` owners whose profile is due."""
    due = datetime.now(UTC) - timedelta(hours=refresh_hours)
    rows = connection.execute(text(_DUE), {"due": due, "limit": limit})
    return [(str(row[0]), None if row[1] is None else int(row[1])) for row in rows]


def known_user_id(connection: Connection, username: str) -> int | None:
    """The user id of ``username`` from its profile or its posts, if known."""
    found = connection.execute(
        text(
            "SELECT coalesce((SELECT user_id FROM profiles WHERE username = :u),"
            " (SELECT max(owner_id) FROM posts WHERE owner = :u))"
        ),
        {"u": username},
    ).scalar()
    return None if found is None else int(found)


def profile_record(profile: Profile, fetched_at: datetime) -> ProfileRecord:
    """The fields we keep of an instaloader Profile (full metadata is queried if missing)."""
    return ProfileRecord(
        username=profile.username,
        fetched_at=fetched_at,
        user_id=profile.userid,
        full_name=profile.full_name,
        followers=profile.followers,
        following=profile.followees,
        is_verified=profile.is_verified,
        is_business=profile.is_business_account,
    )


def fetch_profile(
    context: InstaloaderContext, username: str, user_id: int | None
) -> list[ProfileRecord]:
    """Fetch one profile: its record, plus the attempt under ``username`` when it differs.

    A deleted account, or one renamed since (fetched by id under its new name), is recorded
    under the name we asked for with its fetch time only, so it is not asked for every run.
    """
    now = datetime.now(UTC)
    tried = ProfileRecord(username=username, fetched_at=now)
    try:
        if user_id is not None:
            profile = Profile.from_id(context, user_id)
        else:
            profile = Profile.from_username(context, username)
        record = profile_record(profile, now)
    except (ProfileNotExistsException, QueryReturnedNotFoundException):
        return [tried]
    return [record] if record.username == username else [record, tried]
