"""Typed, frozen records that cross stage boundaries (source → storage)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class LocationRecord:
    """An Instagram location node: id, name, slug and lat/lng (any may be missing but the id)."""

    location_id: int
    name: str | None = None
    slug: str | None = None
    lat: float | None = None
    lng: float | None = None


@dataclass(frozen=True, slots=True)
class ProfileRecord:
    """A profile as seen at ``fetched_at`` (UTC)."""

    username: str
    fetched_at: datetime
    user_id: int | None = None
    full_name: str | None = None
    followers: int | None = None
    following: int | None = None
    is_verified: bool | None = None
    is_business: bool | None = None


@dataclass(frozen=True, slots=True)
class MediaRecord:
    """One picture of a post (``position`` 0.. over sidecar items); a video's thumbnail."""

    position: int
    url: str | None = None
    path: str | None = None
    is_video: bool = False
    sha256: str | None = None
    bytes: int | None = None
    width: int | None = None
    height: int | None = None
    status: str = "pending"  # pending | ok | missing | corrupt
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CommentRecord:
    """A comment on a post; ``created_at`` is UTC."""

    comment_id: int
    owner: str | None
    text: str | None
    created_at: datetime | None
    likes: int | None = None


@dataclass(frozen=True, slots=True)
class PostRecord:
    """A post as seen at ``seen_at`` (UTC); the most recent sighting of a shortcode wins."""

    shortcode: str
    owner: str
    taken_at: datetime
    seen_at: datetime
    post_id: int | None = None
    owner_id: int | None = None
    caption: str | None = None
    likes: int | None = None
    comments: int | None = None
    media_type: str = "image"  # image | video | sidecar
    location: LocationRecord | None = None
    source_hashtags: tuple[str, ...] = ()
    media: tuple[MediaRecord, ...] = ()
    comment_list: tuple[CommentRecord, ...] = field(default_factory=tuple)
