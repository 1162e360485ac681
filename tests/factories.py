"""Small builders of records for tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trendminer.records import CommentRecord, LocationRecord, MediaRecord, PostRecord

BASE_TIME = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def make_post(index: int = 0, **overrides: object) -> PostRecord:
    """A valid post; ``index`` varies shortcode, owner and time."""
    fields: dict[str, object] = {
        "shortcode": f"SC{index:06d}",
        "owner": f"user{index % 7}",
        "taken_at": BASE_TIME + timedelta(minutes=index),
        "seen_at": BASE_TIME + timedelta(days=1),
        "post_id": 1000 + index,
        "caption": f"look {index} #Outfit #streetstyle",
        "likes": 10 + index,
        "comments": index % 3,
        "media_type": "image",
        "location": LocationRecord(index % 5 + 1, f"Place {index % 5}", None, 48.85, 2.35),
        "source_hashtags": ("outfit",),
        "media": (MediaRecord(position=0, url=f"https://example.test/{index}.jpg"),),
        "comment_list": (
            CommentRecord(
                comment_id=90000 + index,
                owner="fan",
                text="love it",
                created_at=BASE_TIME + timedelta(hours=1),
            ),
        ),
    }
    fields.update(overrides)
    return PostRecord(**fields)  # type: ignore[arg-type]
