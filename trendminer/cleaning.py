"""The documented rules that make raw Instagram values storable.

- Text: NUL bytes are removed (PostgreSQL rejects them in ``text``); lone UTF-16 surrogates
  become U+FFFD; everything else (emoji, right-to-left text, 100,000-character captions) is
  kept exactly.
- Counts (likes, followers, a picture's bytes, width and height): one that is no number, is
  negative or is above ``MAX_COUNT`` is stored as NULL, with a warning.
- Ids (post, owner, location, comment): one outside PostgreSQL's ``bigint`` (0 to 2**63 - 1) is
  stored as NULL with a warning; a location or comment without a valid id is dropped.
- Times: naive datetimes are taken as UTC; all times are stored in UTC. One that is no
  datetime, is implausible (before 2010, after 2100) or has no UTC equivalent (year 9999 in
  UTC-5) is missing. A sighting time that is missing (an archive file dated 1970) becomes the
  post's own time, so a rerun gives the same rows; a profile's fetch time becomes ``MIN_TIME``,
  so any dated fetch wins.
- Hashtags: taken from the caption (``#word``), case-folded; invalid ones are dropped. A source
  hashtag given as one string is one hashtag.
- Pictures: a status other than pending, ok, missing or corrupt becomes ``pending`` (with a
  warning), so the picture is fetched again; ``is_video`` is true only when it is ``True``; text
  (url, path, sha256, error) is cleaned as above; a position outside ``smallint`` drops it.
- A media type other than image, video or sidecar (or no string at all) is ``image``.
- Owners of posts and comments: stripped, without a leading ``@``, lower case, as the
  exclusion and tracking lists name people.
- A post without shortcode, owner or a valid time is rejected (``InvalidRecordError``); so is,
  by ``trendminer.db.bulk``, one with a value of a type no rule above expects (the
  ``TypeError``, ``ValueError`` or ``OverflowError`` is its reason).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import UTC, datetime
from functools import cache

from trendminer.errors import InvalidNameError, InvalidRecordError
from trendminer.names import JOINERS, MAX_HASHTAG, combining_marks, normalise_hashtag
from trendminer.records import CommentRecord, LocationRecord, MediaRecord, PostRecord

logger = logging.getLogger(__name__)

MAX_ID = 2**63 - 1  # PostgreSQL bigint
MAX_COUNT = 2_000_000_000  # fits PostgreSQL integer; more likes than people on Earth is absurd
MIN_TIME = datetime(2010, 1, 1, tzinfo=UTC)  # Instagram launched in October 2010
_SURROGATE = re.compile("[\ud800-\udfff]")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_SHORTCODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MEDIA_TYPES = frozenset({"image", "video", "sidecar"})
MEDIA_STATUSES = frozenset({"pending", "ok", "missing", "corrupt"})


def clean_text(value: str | None) -> str | None:
    """Remove NUL bytes and replace lone surrogates with U+FFFD; None stays None."""
    if value is None:
        return None
    text = str(value)
    if "\x00" in text:
        text = text.replace("\x00", "")
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return text


def clean_owner(value: str | None) -> str | None:
    """A post's or comment's owner as the lists name people: ``' @Some.User'`` → ``'some.user'``
    (cleaned, stripped, no leading ``@``, lower case); None when empty."""
    return (clean_text(value) or "").strip().lstrip("@").lower() or None


def clean_count(value: object, what: str, key: str) -> int | None:
    """A non-negative, plausible count, else None (with a warning naming ``what`` and ``key``)."""
    if value is None:
        return None
    if type(value) is int and 0 <= value <= MAX_COUNT:  # the common case, fast
        return value
    try:
        count = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        logger.warning("%s of %s is not a number (%r): stored as NULL", what, key, value)
        return None
    if count < 0 or count > MAX_COUNT:
        logger.warning("%s of %s is out of range (%d): stored as NULL", what, key, count)
        return None
    return count


def clean_id(value: object, what: str, key: str) -> int | None:
    """A non-negative id that fits ``bigint``, else None (with a warning naming ``what``)."""
    if value is None:
        return None
    if type(value) is int and 0 <= value <= MAX_ID:  # the common case, fast
        return value
    try:
        number = None if isinstance(value, bool) else int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        number = None
    if number is None or not 0 <= number <= MAX_ID:
        logger.warning("%s of %s is not a valid id (%r): stored as NULL", what, key, value)
        return None
    return number


def clean_time(value: datetime | None) -> datetime | None:
    """UTC-aware time, or None when missing, implausible (before 2010 or far future) or beyond
    what a datetime holds in UTC."""
    if not isinstance(value, datetime):
        return None
    try:
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        return None
    if moment < MIN_TIME or moment.year > 2100:
        return None
    return moment


@cache
def _hashtag_in_text() -> re.Pattern[str]:
    # '#' first (the engine skips ahead to it); one after a '&' (an HTML entity: &#39;) or a
    # '/' (a link's fragment) starts no hashtag, one right after a word does, as Instagram
    # reads it (#ootd#fashion is two). Word characters first, marks only where they stop, a
    # joiner only between word characters.
    return re.compile(f"#(?<![&/]#)(\\w+(?:[{combining_marks()}]+\\w*|[{JOINERS}]\\w+)*)")


def caption_hashtags(caption: str | None) -> tuple[str, ...]:
    """The distinct hashtags of a caption, normalised, in order of first use (not the
    fragments of its links: ``https://shop.example/sale#summer``)."""
    if not caption:
        return ()
    if "://" in caption or "www." in caption or "WWW." in caption:
        caption = _URL.sub(" ", caption)
    seen: dict[str, None] = {}
    for whole in _hashtag_in_text().findall(caption):
        raw = whole[:MAX_HASHTAG].rstrip(JOINERS)
        try:
            seen.setdefault(normalise_hashtag(raw), None)
        except InvalidNameError:
            continue
    return tuple(seen)


def _clean_float(value: float | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def clean_location(location: LocationRecord | None, key: str) -> LocationRecord | None:
    """Location with cleaned text and plausible coordinates (out-of-range → None); None when
    it has no valid id."""
    if location is None:
        return None
    location_id = clean_id(location.location_id, "location id", key)
    if location_id is None:
        return None
    lat, lng = _clean_float(location.lat), _clean_float(location.lng)
    if lat is not None and not -90 <= lat <= 90:
        lat = None
    if lng is not None and not -180 <= lng <= 180:
        lng = None
    return LocationRecord(
        location_id=location_id,
        name=clean_text(location.name),
        slug=clean_text(location.slug),
        lat=lat,
        lng=lng,
    )


def clean_post(post: PostRecord) -> PostRecord:
    """The post with every rule above applied; raises InvalidRecordError when unusable."""
    shortcode = clean_text(post.shortcode) or ""
    if not _SHORTCODE.fullmatch(shortcode):
        raise InvalidRecordError(f"post without a valid shortcode ({post.shortcode!r})")
    owner = clean_owner(post.owner) or ""
    if not owner:
        raise InvalidRecordError(f"post {shortcode} has no owner")
    taken_at = clean_time(post.taken_at)
    if taken_at is None:
        raise InvalidRecordError(f"post {shortcode} has no valid time ({post.taken_at!r})")
    seen_at = clean_time(post.seen_at) or taken_at
    source_tags: list[str] = []
    given = post.source_hashtags
    for tag in (given,) if isinstance(given, str) else given:
        try:
            source_tags.append(normalise_hashtag(tag))
        except InvalidNameError:
            logger.warning("post %s: dropped invalid source hashtag %r", shortcode, tag)
    media_type = post.media_type if isinstance(post.media_type, str) else ""
    media_type = media_type if media_type in MEDIA_TYPES else "image"
    return PostRecord(
        shortcode=shortcode,
        owner=owner,
        taken_at=taken_at,
        seen_at=seen_at,
        post_id=clean_id(post.post_id, "post id", shortcode),
        owner_id=clean_id(post.owner_id, "owner id", shortcode),
        caption=clean_text(post.caption),
        likes=clean_count(post.likes, "likes", shortcode),
        comments=clean_count(post.comments, "comment count", shortcode),
        media_type=media_type,
        location=clean_location(post.location, shortcode),
        source_hashtags=tuple(dict.fromkeys(source_tags)),
        media=tuple(
            _clean_media(item, shortcode)
            for item in post.media
            if _plausible_position(item, shortcode)
        )
        if post.media
        else (),
        comment_list=(
            tuple(
                comment
                for comment in (_clean_comment(item, shortcode) for item in post.comment_list)
                if comment is not None
            )
            if post.comment_list
            else ()
        ),
    )


MAX_POSITION = 32_767
"""A picture's place in its post is a ``smallint`` (a sidecar has at most 20 items)."""


def _plausible_position(media: MediaRecord, shortcode: str) -> bool:
    if type(media.position) is int and 0 <= media.position <= MAX_POSITION:
        return True
    logger.warning("picture %r of %s is out of range: left out", media.position, shortcode)
    return False


def _clean_media(media: MediaRecord, shortcode: str) -> MediaRecord:
    key = f"picture {media.position} of {shortcode}"
    status = media.status
    if not (isinstance(status, str) and status in MEDIA_STATUSES):
        logger.warning("%s has an unknown status (%r): stored as pending", key, status)
        status = "pending"
    return dataclasses.replace(
        media,
        url=clean_text(media.url),
        path=clean_text(media.path),
        is_video=media.is_video is True,
        sha256=clean_text(media.sha256),
        bytes=clean_count(media.bytes, "bytes", key),
        width=clean_count(media.width, "width", key),
        height=clean_count(media.height, "height", key),
        status=status,
        error=clean_text(media.error),
    )


def _clean_comment(comment: CommentRecord, shortcode: str) -> CommentRecord | None:
    comment_id = clean_id(comment.comment_id, "comment id", shortcode)
    if comment_id is None:
        return None
    return dataclasses.replace(
        comment,
        comment_id=comment_id,
        owner=clean_owner(comment.owner),
        text=clean_text(comment.text),
        created_at=clean_time(comment.created_at),
        likes=clean_count(comment.likes, "comment likes", shortcode),
    )
