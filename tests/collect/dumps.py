"""Writers of small instaloader ``--metadata-json`` dumps, through instaloader's own code.

Nodes are shaped like those Instagram's hashtag GraphQL pages return (``edge_hashtag_to_media``);
envelopes are written by ``instaloader.save_structure_to_file``, so the files are byte for byte
what instaloader writes.
"""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from instaloader import InstaloaderContext, Post, Profile, save_structure_to_file
from PIL import Image

BASE = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


def jpeg(seed: int, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small, valid JPEG whose content depends on ``seed``."""
    image = Image.new("RGB", size, ((seed * 53) % 256, (seed * 97) % 256, (seed * 31) % 256))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def graph_node(
    index: int,
    *,
    typename: str = "GraphImage",
    owner: str | None = "alice",
    owner_id: int | None = None,
    location: dict[str, Any] | None = None,
    sidecar_videos: tuple[bool, ...] = (False, False),
    likes: int = 10,
    taken_at: datetime | None = None,
) -> dict[str, Any]:
    """A post node shaped like a hashtag page's ``edge_hashtag_to_media`` node."""
    moment = taken_at or BASE + timedelta(hours=index)
    node: dict[str, Any] = {
        "__typename": typename,
        "id": str(3_100_000_000_000_000_000 + index),
        "shortcode": f"Cq{index:09d}",
        "comments_disabled": False,
        "edge_media_to_caption": {
            "edges": [{"node": {"text": f"look {index} #Outfit #streetstyle"}}]
        },
        "edge_media_to_comment": {"count": 2},
        "taken_at_timestamp": int(moment.timestamp()),
        "dimensions": {"height": 48, "width": 64},
        "display_url": f"https://scontent.cdninstagram.com/v/t51/{index}_n.jpg?stp=1",
        "edge_liked_by": {"count": likes},
        "edge_media_preview_like": {"count": likes},
        "owner": {"id": str(owner_id or 9000 + index % 5)},
        "is_video": typename == "GraphVideo",
        "accessibility_caption": "Photo of a person",
    }
    if owner is not None:
        node["owner"]["username"] = owner
    if location is not None:
        node["location"] = location
    if typename == "GraphVideo":
        node["video_url"] = f"https://scontent.cdninstagram.com/v/t50/{index}.mp4"
        node["video_view_count"] = 50
    if typename == "GraphSidecar":
        node["edge_sidecar_to_children"] = {
            "edges": [
                {
                    "node": {
                        "__typename": "GraphVideo" if is_video else "GraphImage",
                        "id": str(3_200_000_000_000_000_000 + index * 10 + i),
                        "shortcode": f"Cs{index:07d}{i}",
                        "display_url": f"https://scontent.cdninstagram.com/v/t51/{index}_{i}.jpg",
                        "is_video": is_video,
                        **({"video_url": f"https://x.test/{index}_{i}.mp4"} if is_video else {}),
                    }
                }
                for i, is_video in enumerate(sidecar_videos)
            ]
        }
    return node


def write_post(
    folder: Path,
    node: dict[str, Any],
    *,
    compress: bool = True,
    pictures: dict[str, bytes] | None = None,
    comments: list[dict[str, Any]] | None = None,
    mtime: datetime | None = None,
) -> Path:
    """Write a post as instaloader does: ``BASE.json[.xz]`` plus ``BASE<suffix>`` files."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.fromtimestamp(node.get("taken_at_timestamp", 0), UTC)
    base = folder / f"{stamp:%Y-%m-%d_%H-%M-%S}_UTC"
    context = InstaloaderContext(sleep=False, quiet=True)
    path = Path(f"{base}.json.xz" if compress else f"{base}.json")
    save_structure_to_file(Post(context, node), str(path))
    for suffix, data in (pictures or {}).items():
        Path(f"{base}{suffix}").write_bytes(data)
    if comments is not None:
        Path(f"{base}_comments.json").write_text(json.dumps(comments, indent=4))
    if mtime is not None:
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


def write_profile(folder: Path, username: str, user_id: int, followers: int = 100) -> Path:
    """A profile envelope as instaloader writes beside a profile's posts."""
    folder.mkdir(parents=True, exist_ok=True)
    node = {
        "id": str(user_id),
        "username": username,
        "full_name": username.title(),
        "edge_followed_by": {"count": followers},
        "edge_follow": {"count": 12},
        "is_verified": followers > 1000,
        "is_business_account": False,
        "is_private": False,
        "biography": "fashion",
    }
    path = folder / f"{username}_{user_id}.json.xz"
    save_structure_to_file(Profile(InstaloaderContext(sleep=False, quiet=True), node), str(path))
    return path


def comment(
    comment_id: int, text: str, answers: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A comment as instaloader's ``update_comments`` writes it."""
    return {
        "id": comment_id,
        "created_at": int((BASE + timedelta(days=1)).timestamp()),
        "text": text,
        "owner": {"id": "77", "username": "fan", "is_verified": False},
        "likes_count": 3,
        "answers": answers or [],
    }
