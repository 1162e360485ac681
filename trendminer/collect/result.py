"""What a collect run did: counts of files, posts, pictures, profiles and comments."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class CollectResult:
    """Counts of one collect run (archive import or Instagram scrape).

    ``posts`` counts distinct shortcodes read (a post seen in several files or pages once);
    ``inserted`` + ``updated`` = ``posts`` written; ``rejected`` posts lacked a shortcode, an
    owner or a valid time; ``skipped_files`` were malformed or truncated; ``ignored_files`` were
    JSON but not instaloader envelopes of posts or profiles.
    """

    files: int = 0
    skipped_files: int = 0
    ignored_files: int = 0
    posts: int = 0
    inserted: int = 0
    updated: int = 0
    rejected: int = 0
    pictures: int = 0
    pictures_ok: int = 0
    pictures_missing: int = 0
    pictures_corrupt: int = 0
    profiles: int = 0
    comments: int = 0

    def __add__(self, other: CollectResult) -> CollectResult:
        return CollectResult(**{k: v + getattr(other, k) for k, v in asdict(self).items()})

    def as_dict(self) -> dict[str, int | float]:
        """The counts by name."""
        return dict(asdict(self))
