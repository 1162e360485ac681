"""Writes planned posts and profiles as ``instaloader --metadata-json --comments`` writes them.

Posts: ``#<hashtag>/{date_utc}_UTC.json`` (or ``.json.xz``), the envelope
``{"node": <GraphQL node>, "instaloader": {"version", "node_type": "Post"}}`` that
``instaloader.save_structure_to_file`` writes, plus ``{stem}_comments.json`` when the post has
comments. Profiles (tracked influencers, as ``instaloader --no-posts NAME`` saves them):
``<username>/<username>_<id>.json`` with ``node_type`` ``"Profile"``.
"""

from __future__ import annotations

import json
import lzma
from pathlib import Path
from typing import Any

import instaloader

from trendminer.sources.sample.world import Comment, PlannedPost, User

_CDN = "https://scontent.cdninstagram.com/v/t51.2885-15"


def _owner(user: User) -> dict[str, Any]:
    return {"id": str(user.user_id), "username": user.username}


def post_node(post: PlannedPost) -> dict[str, Any]:
    """The GraphQL node that instaloader's ``Post`` wraps."""
    first = post.pictures[0]
    node: dict[str, Any] = {
        "__typename": post.typename,
        "id": str(post.media_id),
        "shortcode": post.shortcode,
        "owner": _owner(post.owner),
        "taken_at_timestamp": int(post.taken_at.timestamp()),
        "edge_media_to_caption": {"edges": [{"node": {"text": post.caption}}]},
        "edge_media_preview_like": {"count": post.likes},
        "edge_liked_by": {"count": post.likes},
        "edge_media_to_comment": {"count": len(post.comments)},
        "comments_disabled": False,
        "display_url": f"{_CDN}/{post.media_id}_0_n.jpg",
        "thumbnail_src": f"{_CDN}/{post.media_id}_0_s.jpg",
        "dimensions": {"width": first.width, "height": first.height},
        "is_video": post.typename == "GraphVideo",
        "accessibility_caption": None,
        "location": None,
    }
    if post.typename == "GraphVideo":
        node["video_url"] = f"{_CDN}/{post.media_id}_0_n.mp4"
        node["video_view_count"] = post.likes * 9
    if post.typename == "GraphSidecar":
        node["edge_sidecar_to_children"] = {
            "edges": [
                {
                    "node": {
                        "__typename": "GraphImage",
                        "id": str(post.media_id + position + 1),
                        "display_url": f"{_CDN}/{post.media_id}_{position}_n.jpg",
                        "dimensions": {"width": picture.width, "height": picture.height},
                        "is_video": False,
                    }
                }
                for position, picture in enumerate(post.pictures)
            ]
        }
    if post.place is not None:
        location: dict[str, Any] = {
            "id": str(post.place.location_id),
            "has_public_page": True,
            "name": post.place.name,
            "slug": post.place.slug,
        }
        if post.place.lat is not None:
            location["lat"] = post.place.lat
            location["lng"] = post.place.lng
        node["location"] = location
    return node


def _comment(comment: Comment) -> dict[str, Any]:
    """One entry of ``{stem}_comments.json`` as instaloader's ``update_comments`` writes it."""
    return {
        "id": comment.comment_id,
        "created_at": int(comment.created_at.timestamp()),
        "text": comment.text,
        "owner": {**_owner(comment.owner), "is_verified": False, "profile_pic_url": ""},
        "likes_count": comment.likes,
        "answers": [],
    }


def profile_node(user: User) -> dict[str, Any]:
    """The profile node that instaloader's ``Profile`` wraps."""
    return {
        "id": str(user.user_id),
        "username": user.username,
        "full_name": user.full_name,
        "biography": f"Fashion and street style from {user.home_city}",
        "edge_followed_by": {"count": user.followers},
        "edge_follow": {"count": user.following},
        "is_verified": user.influencer and user.followers > 100_000,
        "is_business_account": user.influencer,
        "business_category_name": "Creators & Celebrities" if user.influencer else None,
        "is_private": False,
        "external_url": None,
        "profile_pic_url": f"https://scontent.cdninstagram.com/v/t51.2885-19/{user.user_id}.jpg",
        "edge_owner_to_timeline_media": {"count": 0},
    }


def _envelope(node: dict[str, Any], node_type: str) -> dict[str, Any]:
    return {
        "node": node,
        "instaloader": {"version": instaloader.__version__, "node_type": node_type},
    }


def _save(envelope: dict[str, Any], path: Path) -> None:
    """Saves as ``instaloader.save_structure_to_file`` does (xz: compact; json: pretty, sorted)."""
    if path.name.endswith(".xz"):
        with lzma.open(path, "wt", check=lzma.CHECK_NONE) as fp:
            json.dump(envelope, fp, separators=(",", ":"))
    else:
        with path.open("wt", encoding="utf-8") as fp:
            json.dump(envelope, fp, indent=4, sort_keys=True)


def write_post(root: Path, post: PlannedPost) -> Path:
    """Writes the post's metadata (and comments); returns the metadata file's path."""
    folder = root / post.folder
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{post.stem}.json{'.xz' if post.compressed else ''}"
    _save(_envelope(post_node(post), "Post"), path)
    if post.comments:
        comments = [_comment(c) for c in post.comments]
        (folder / f"{post.stem}_comments.json").write_text(json.dumps(comments, indent=4))
    return path


def write_profile(root: Path, user: User) -> Path:
    """Writes ``<username>/<username>_<id>.json`` as instaloader saves a profile."""
    folder = root / user.username
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{user.username}_{user.user_id}.json"
    _save(_envelope(profile_node(user), "Profile"), path)
    return path
