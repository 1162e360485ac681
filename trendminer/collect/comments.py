"""A post's comments through instaloader (``Post.get_comments``), capped per post.

Comments and their answers are read in Instagram's order until ``cap`` are taken; each keeps
its id, owner, text, time (UTC) and likes. A post whose comments are off, or that is gone or
changed since it was listed, has none.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from instaloader import Post
from instaloader.exceptions import PostChangedException, QueryReturnedNotFoundException

from trendminer.records import CommentRecord

logger = logging.getLogger(__name__)


def _record(comment: Any) -> CommentRecord:
    """A CommentRecord from an instaloader PostComment or PostCommentAnswer."""
    created: datetime = comment.created_at_utc  # naive UTC in instaloader
    return CommentRecord(
        comment_id=int(comment.id),
        owner=comment.owner.username,
        text=comment.text,
        created_at=created.replace(tzinfo=UTC),
        likes=comment.likes_count,
    )


def _flattened(post: Post) -> Iterator[CommentRecord]:
    for comment in post.get_comments():
        yield _record(comment)
        for answer in comment.answers:
            yield _record(answer)


def post_comments(post: Post, cap: int) -> tuple[CommentRecord, ...]:
    """At most ``cap`` comments (answers included) of ``post``; none when ``cap`` is 0."""
    if cap <= 0 or post._node.get("comments_disabled"):
        return ()
    try:
        return tuple(islice(_flattened(post), cap))
    except (PostChangedException, QueryReturnedNotFoundException) as exc:
        logger.info("post %s: no comments read (%s)", post.shortcode, exc)
        return ()
