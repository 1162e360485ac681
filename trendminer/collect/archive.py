"""Import of folders written by ``instaloader --metadata-json``.

The folder is walked recursively. Every ``*.json`` / ``*.json.xz`` file is read as an
instaloader envelope (``{"node": …, "instaloader": {"node_type": …}}``); Post and Profile
envelopes are imported, other JSON is passed over. Only the raw ``node`` dict is read, never
instaloader's ``Post`` properties, which fetch missing fields over the network.

Beside a post file ``BASE.json[.xz]`` instaloader writes its pictures (``BASE.jpg``; a sidecar's
``BASE_1.jpg``, ``BASE_2.jpg`` …; a video's thumbnail as ``BASE.jpg`` next to ``BASE.mp4``) and
its comments (``BASE_comments.json``). Pictures are verified and copied (hard-linked when
possible) into the media store; a broken picture is kept as ``corrupt``, an absent one as
``missing``. A malformed or truncated file is skipped, counted and kept in
``rejected_records``; a UTF-8 byte order mark at the start of a file is passed over. A post seen
in several files counts once: the most recently modified file wins (its mtime is the sighting
time), with the hashtags of every folder it was seen in. Files are parsed and pictures hashed in
worker processes; posts are upserted in batches, one transaction each, so a killed import leaves
whole batches only and a rerun completes it without duplicates.
"""

from __future__ import annotations

import json
import logging
import lzma
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

from trendminer.collect.media import MediaStore, StoredPicture, find_picture
from trendminer.collect.result import CollectResult
from trendminer.collect.state import write_state
from trendminer.db.bulk import UpsertResult, record_rejection, upsert_posts, upsert_profiles
from trendminer.errors import ConfigurationError, InvalidNameError
from trendminer.names import normalise_hashtag
from trendminer.records import (
    CommentRecord,
    LocationRecord,
    MediaRecord,
    PostRecord,
    ProfileRecord,
)
from trendminer.settings import Settings

logger = logging.getLogger(__name__)

STAGE = "collect.archive"
ENVELOPE_SUFFIXES = (".json", ".json.xz")
COMMENTS_SUFFIX = "_comments.json"
# A missing or unreadable timestamp reads as the Unix epoch, which cleaning rejects as invalid.
NO_TIME = datetime(1970, 1, 1, tzinfo=UTC)
_MEDIA_TYPES = {"GraphImage": "image", "GraphVideo": "video", "GraphSidecar": "sidecar"}

Progress = Callable[[str, int], None]  # (what: "files" | "posts" | "pictures", how many more)


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What one envelope file held: a post, a profile, nothing of ours, or a problem."""

    path: str
    mtime: float
    post: PostRecord | None = None
    profile: ProfileRecord | None = None
    problem: str | None = None
    ignored: bool = False
    comments_problem: str | None = None


def discover(root: Path) -> list[str]:
    """Every envelope candidate under ``root`` (comments files excluded), sorted."""
    found: list[str] = []
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        for name in names:
            if name.endswith(ENVELOPE_SUFFIXES) and not name.endswith(COMMENTS_SUFFIX):
                found.append(os.path.join(folder, name))
    found.sort()
    return found


def _base_of(path: str) -> str:
    return path[: -len(".json.xz")] if path.endswith(".json.xz") else path[: -len(".json")]


def _read_text(path: str) -> str:
    """The file's text; a leading byte order mark (editors on Windows write one) is dropped."""
    if path.endswith(".xz"):
        with lzma.open(path, "rt", encoding="utf-8-sig") as handle:
            return handle.read()
    with open(path, encoding="utf-8-sig") as handle:
        return handle.read()


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError, OverflowError):  # OverflowError: Infinity
        return None


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _time(value: Any) -> datetime | None:
    seconds = _float(value)
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _count(node: dict[str, Any], *keys: str) -> int | None:
    for key in keys:
        edge = node.get(key)
        if isinstance(edge, dict) and "count" in edge:
            return _int(edge["count"])
        if key in node and not isinstance(edge, dict):
            return _int(edge)
    return None


def _caption(node: dict[str, Any]) -> str | None:
    edges = (node.get("edge_media_to_caption") or {}).get("edges") or []
    if edges and isinstance(edges[0], dict):
        text = (edges[0].get("node") or {}).get("text")
        return text if isinstance(text, str) else None
    caption = node.get("caption")
    return caption if isinstance(caption, str) else None


def location_from_node(node: dict[str, Any]) -> LocationRecord | None:
    """The post's location as the node holds it (id, name, slug, lat, lng), or None."""
    raw = node.get("location")
    if not isinstance(raw, dict):
        return None
    location_id = _int(raw.get("id") or raw.get("pk"))
    if location_id is None:
        return None
    return LocationRecord(
        location_id=location_id,
        name=raw.get("name"),
        slug=raw.get("slug"),
        lat=_float(raw.get("lat")),
        lng=_float(raw.get("lng")),
    )


def media_items(node: dict[str, Any]) -> list[tuple[int, bool, str | None]]:
    """(position, is_video, picture url) of every picture of the post: sidecar items or one."""
    edges = (node.get("edge_sidecar_to_children") or {}).get("edges") or []
    if node.get("__typename") == "GraphSidecar" and edges:
        return [
            (
                i,
                bool((edge.get("node") or {}).get("is_video")),
                (edge.get("node") or {}).get("display_url"),
            )
            for i, edge in enumerate(edges)
        ]
    return [(0, bool(node.get("is_video")), node.get("display_url") or node.get("display_src"))]


def comments_from_list(items: Any) -> list[CommentRecord]:
    """Comments (and their answers) from an instaloader ``_comments.json`` list."""
    found: list[CommentRecord] = []
    if not isinstance(items, list):
        return found
    for item in items:
        if not isinstance(item, dict):
            continue
        comment_id = _int(item.get("id"))
        if comment_id is not None:
            owner = item.get("owner")
            found.append(
                CommentRecord(
                    comment_id=comment_id,
                    owner=owner.get("username") if isinstance(owner, dict) else None,
                    text=item.get("text"),
                    created_at=_time(item.get("created_at")),
                    likes=_int(item.get("likes_count")),
                )
            )
        found.extend(comments_from_list(item.get("answers")))
    return found


def post_from_node(
    node: dict[str, Any],
    seen_at: datetime,
    *,
    source_hashtags: tuple[str, ...] = (),
    media: tuple[MediaRecord, ...] = (),
    comments: tuple[CommentRecord, ...] = (),
) -> PostRecord:
    """A PostRecord from an instaloader Post node (legacy GraphQL or normalised v1 shape)."""
    owner = node.get("owner") if isinstance(node.get("owner"), dict) else {}
    assert isinstance(owner, dict)
    return PostRecord(
        shortcode=str(node.get("shortcode") or node.get("code") or ""),
        owner=str(owner.get("username") or ""),
        taken_at=_time(node.get("date", node.get("taken_at_timestamp"))) or NO_TIME,
        seen_at=seen_at,
        post_id=_int(node.get("id")),
        owner_id=_int(owner.get("id")),
        caption=_caption(node),
        likes=_count(node, "edge_media_preview_like", "edge_liked_by"),
        comments=_count(node, "edge_media_to_comment", "edge_media_to_parent_comment", "comments"),
        media_type=_MEDIA_TYPES.get(str(node.get("__typename")), "image"),
        location=location_from_node(node),
        source_hashtags=source_hashtags,
        media=media,
        comment_list=comments,
    )


def profile_from_node(node: dict[str, Any], fetched_at: datetime) -> ProfileRecord | None:
    """A ProfileRecord from an instaloader Profile node, or None without a user name."""
    username = node.get("username")
    if not isinstance(username, str) or not username:
        return None
    return ProfileRecord(
        username=username,
        fetched_at=fetched_at,
        user_id=_int(node.get("id")),
        full_name=node.get("full_name"),
        followers=_count(node, "edge_followed_by"),
        following=_count(node, "edge_follow"),
        is_verified=node.get("is_verified"),
        is_business=node.get("is_business_account"),
    )


def _media_record(
    position: int, is_video: bool, url: str | None, stored: StoredPicture
) -> MediaRecord:
    return MediaRecord(
        position=position,
        url=url,
        path=stored.path,
        is_video=is_video,
        sha256=stored.sha256,
        bytes=stored.bytes,
        width=stored.width,
        height=stored.height,
        status=stored.status,
        error=stored.error,
    )


def _store_pictures(node: dict[str, Any], base: str, store: MediaStore) -> tuple[MediaRecord, ...]:
    items = media_items(node)
    records = []
    for position, is_video, url in items:
        picture_base = (
            base
            if len(items) == 1 and node.get("__typename") != "GraphSidecar"
            else f"{base}_{position + 1}"
        )
        found = find_picture(picture_base)
        stored = (
            store.put_file(found)
            if found is not None
            else StoredPicture("missing", error=f"no picture beside the post: {picture_base}.jpg")
        )
        records.append(_media_record(position, is_video, url, stored))
    return tuple(records)


@lru_cache(maxsize=4096)
def _hashtags_of(folder: str, root: str) -> tuple[str, ...]:
    """Hashtags named by the folders (``#tag``) between the archive root and a file."""
    folders = [Path(root).name, *Path(os.path.relpath(folder, root)).parts]
    tags: list[str] = []
    for folder in folders:
        if folder.startswith("#"):
            try:
                tags.append(normalise_hashtag(folder))
            except InvalidNameError:
                continue
    return tuple(dict.fromkeys(tags))


@lru_cache(maxsize=4)
def _store(media_root: str) -> MediaStore:
    """One store per process, so it remembers the folders it made."""
    return MediaStore(media_root)


def read_file(path: str, *, root: str, media_root: str) -> FileOutcome:
    """Read one envelope file (in a worker process): the post with its stored pictures."""
    try:
        mtime = os.stat(path).st_mtime
        text = _read_text(path)
    except (OSError, EOFError, lzma.LZMAError, UnicodeDecodeError) as exc:
        return FileOutcome(path, 0.0, problem=f"unreadable or truncated file: {exc}")
    if not text.lstrip().startswith("{"):
        return (
            FileOutcome(path, mtime, ignored=True)
            if text.strip()
            else FileOutcome(path, mtime, problem="empty file")
        )
    try:
        envelope = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        return FileOutcome(path, mtime, problem=f"malformed or truncated JSON: {exc}")
    try:
        return _outcome(path, mtime, envelope, root=root, media_root=media_root)
    except Exception as exc:  # one foreign or hostile file never stops an import
        return FileOutcome(path, mtime, problem=f"unexpected JSON structure: {exc!r}")


def _outcome(
    path: str, mtime: float, envelope: dict[str, Any], *, root: str, media_root: str
) -> FileOutcome:
    """What a decoded envelope holds; raises on shapes instaloader never writes."""
    meta = envelope.get("instaloader")
    node = envelope.get("node")
    if not isinstance(meta, dict) or not isinstance(node, dict):
        return FileOutcome(path, mtime, ignored=True)
    seen_at = datetime.fromtimestamp(mtime, UTC)
    node_type = meta.get("node_type")
    if node_type == "Profile":
        return FileOutcome(path, mtime, profile=profile_from_node(node, seen_at))
    if node_type != "Post":
        return FileOutcome(path, mtime, ignored=True)
    base = _base_of(path)
    comments: list[CommentRecord] = []
    comments_problem = None
    if os.path.exists(base + COMMENTS_SUFFIX):
        try:
            comments = comments_from_list(json.loads(_read_text(base + COMMENTS_SUFFIX)))
        except (
            OSError, EOFError, lzma.LZMAError, UnicodeDecodeError, ValueError, RecursionError
        ) as exc:  # fmt: skip
            comments_problem = f"malformed comments file: {exc}"
    post = post_from_node(
        node,
        seen_at,
        source_hashtags=_hashtags_of(os.path.dirname(path), root),
        media=_store_pictures(node, base, _store(media_root)),
        comments=tuple(comments),
    )
    return FileOutcome(path, mtime, post=post, comments_problem=comments_problem)


def _read_all(
    files: Sequence[str], root: Path, store: MediaStore, workers: int, progress: Progress | None
) -> Iterator[FileOutcome]:
    reader = partial(read_file, root=str(root), media_root=str(store.root))
    in_process = workers <= 1 or len(files) < 64 or multiprocessing.current_process().daemon
    if in_process:
        outcomes: Iterator[FileOutcome] = map(reader, files)
        yield from _counted(outcomes, progress)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        chunk = max(8, min(256, len(files) // (workers * 8)))
        yield from _counted(pool.map(reader, files, chunksize=chunk), progress)


def _counted(outcomes: Iterator[FileOutcome], progress: Progress | None) -> Iterator[FileOutcome]:
    for outcome in outcomes:
        if progress is not None:
            progress("files", 1)
        yield outcome


def _with_owner_names(
    posts: Iterable[PostRecord], profiles: Iterable[ProfileRecord]
) -> list[PostRecord]:
    """Name owners known only by id (hashtag nodes) from profiles or other posts of the dump."""
    names = {p.user_id: p.username for p in profiles if p.user_id is not None}
    posts = list(posts)
    names.update((p.owner_id, p.owner) for p in posts if p.owner and p.owner_id is not None)
    return [
        replace(p, owner=names[p.owner_id])
        if not p.owner and p.owner_id is not None and p.owner_id in names
        else p
        for p in posts
    ]


def _picture_counts(connection: Connection, shortcodes: list[str]) -> dict[str, int]:
    """Pictures by status of the posts imported (rejected posts have none)."""
    rows = connection.execute(
        text(
            "SELECT status, count(*) FROM media WHERE shortcode = ANY(:shortcodes) GROUP BY status"
        ),
        {"shortcodes": shortcodes},
    )
    return {status: int(count) for status, count in rows}


def _merge_sightings(known: PostRecord | None, post: PostRecord) -> PostRecord:
    """One post from two files: the newest sighting, with the hashtags of both folders."""
    if known is None:
        return post
    newest = post if post.seen_at >= known.seen_at else known
    hashtags = tuple(dict.fromkeys((*known.source_hashtags, *post.source_hashtags)))
    return replace(newest, source_hashtags=hashtags)


def _batches(items: Sequence[PostRecord], size: int) -> Iterator[Sequence[PostRecord]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


NO_SHORTCODE = "post without a shortcode"


def import_archive(
    engine: Engine, settings: Settings, path: Path, *, progress: Progress | None = None
) -> CollectResult:
    """Import an instaloader ``--metadata-json`` folder; rerunning it changes nothing.

    ``progress`` (optional) is told of files read, posts written and pictures stored.
    """
    root = Path(path).expanduser().resolve()
    if not root.is_dir():
        raise ConfigurationError(
            f"archive folder {path} does not exist: give the folder instaloader wrote into"
        )
    files = discover(root)
    store = MediaStore(settings.media_root)
    latest: dict[str, PostRecord] = {}
    profiles: dict[str, ProfileRecord] = {}
    problems: list[tuple[str, str]] = []
    ignored = 0
    rejected_files: list[tuple[str, str]] = []  # posts rejected here, by their file
    for outcome in _read_all(files, root, store, settings.collect_workers, progress):
        if outcome.problem is not None:
            problems.append((outcome.path, outcome.problem))
        if outcome.comments_problem is not None:
            problems.append((_base_of(outcome.path) + COMMENTS_SUFFIX, outcome.comments_problem))
        ignored += outcome.ignored
        if outcome.profile is not None:
            known = profiles.get(outcome.profile.username)
            if known is None or outcome.profile.fetched_at >= known.fetched_at:
                profiles[outcome.profile.username] = outcome.profile
        post = outcome.post
        if post is None:
            continue
        if not post.shortcode:
            rejected_files.append((outcome.path, NO_SHORTCODE))
            continue
        latest[post.shortcode] = _merge_sightings(latest.get(post.shortcode), post)
    for where, why in [*problems, *rejected_files]:
        logger.warning("skipped %s: %s", where, why)

    posts = _with_owner_names(latest.values(), profiles.values())
    written = UpsertResult()
    for batch in _batches(posts, settings.upsert_batch_size):
        with engine.begin() as connection:
            written += upsert_posts(connection, batch)
        if progress is not None:
            progress("posts", len(batch))
            progress("pictures", sum(len(p.media) for p in batch))
    with engine.begin() as connection:
        for where, why in [*problems, *rejected_files]:
            record_rejection(connection, STAGE, os.path.relpath(where, root), why)
        stored_profiles = upsert_profiles(connection, profiles.values())
        write_state(
            connection,
            "archive",
            str(root),
            status=f"ok: {len(latest)} posts, {len(problems)} files skipped",
            watermark=max((p.seen_at for p in latest.values()), default=None),
        )
        pictures = _picture_counts(connection, list(latest))
    result = CollectResult(
        files=len(files),
        skipped_files=len(problems),
        ignored_files=ignored,
        posts=len(latest),
        inserted=written.inserted,
        updated=written.updated,
        rejected=written.rejected + len(rejected_files),
        pictures=sum(pictures.values()),
        pictures_ok=pictures.get("ok", 0),
        pictures_missing=pictures.get("missing", 0),
        pictures_corrupt=pictures.get("corrupt", 0),
        profiles=stored_profiles,
        comments=sum(len(p.comment_list) for p in latest.values()),
    )
    logger.info("archive %s imported: %s", root, result.as_dict())
    return result
