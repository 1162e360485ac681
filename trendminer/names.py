"""Normalisation and validation of Instagram user names and hashtags."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from trendminer.errors import InvalidNameError

_USERNAME = re.compile(r"^[a-z0-9._]{1,30}$")
_WORD_HASHTAG = re.compile(r"\w{1,100}")  # the common case, without building the marks' class


@cache
def combining_marks() -> str:
    """The ranges (for a regex class) of the combining marks, which a hashtag holds too (the
    vowel signs of Devanagari or Thai, an accent typed apart) and ``\\w`` leaves out."""
    ranges: list[str] = []
    start = None
    for point in range(0x10000 + 1):  # the marks of living scripts are in the BMP
        mark = point < 0x10000 and unicodedata.category(chr(point))[0] == "M"
        if mark and start is None:
            start = point
        elif not mark and start is not None:
            ranges.append(f"\\u{start:04x}-\\u{point - 1:04x}")
            start = None
    return "".join(ranges)


@cache
def _hashtag() -> re.Pattern[str]:
    return re.compile(f"[\\w{combining_marks()}]{{1,100}}")


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
    tag = unicodedata.normalize("NFC", tag)  # casefolding can decompose (İ → i + U+0307)
    if not (_WORD_HASHTAG.fullmatch(tag) or _hashtag().fullmatch(tag)):
        raise InvalidNameError(
            f"{raw!r} is not a hashtag: use 1-100 letters, digits or '_' (no spaces)."
        )
    return tag
