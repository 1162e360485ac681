"""Normalisation and validation of Instagram user names and hashtags."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from trendminer.errors import InvalidNameError

_USERNAME = re.compile(r"^[a-z0-9._]{1,30}$")
_HASHTAG = re.compile(r"^\w{1,100}$")


def normalise_username(raw: str) -> str:
    """``'  @Some.User '`` → ``'some.user'``; raises InvalidNameError when not a valid name."""
    name = unicodedata.normalize("NFKC", str(raw)).strip().lstrip("@").strip().lower()
    if not _USERNAME.fullmatch(name) or ".." in name:
        raise InvalidNameError(
            f"{raw!r} is not an Instagram user name: use 1-30 letters, digits, '.' or '_'."
        )
    return name


@lru_cache(maxsize=65536)  # hashtags repeat across millions of captions
def normalise_hashtag(raw: str) -> str:
    """``' #StreetStyle'`` → ``'streetstyle'``; raises InvalidNameError when not a hashtag."""
    tag = unicodedata.normalize("NFKC", str(raw)).strip().lstrip("#").strip().casefold()
    if not _HASHTAG.fullmatch(tag):
        raise InvalidNameError(
            f"{raw!r} is not a hashtag: use 1-100 letters, digits or '_' (no spaces)."
        )
    return tag
