"""Normalisation and validation of Instagram user names and hashtags."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from trendminer.errors import InvalidNameError

# No '.' first or last, none twice in a row (Instagram's rules).
_USERNAME = re.compile(r"[a-z0-9_](?:[a-z0-9._]{0,28}[a-z0-9_])?")
MAX_HASHTAG = 100
"""A hashtag's most characters as typed (case folding may lengthen it: ß → ss)."""
JOINERS = "\u200c\u200d"
"""Zero-width non-joiner and joiner, which a word holds between letters (Persian, Indic)."""
_WORD_HASHTAG = re.compile(r"\w+")  # the common case, without building the marks' class


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
    # A word character first; marks after any; a joiner only between word characters.
    word = f"\\w[\\w{combining_marks()}]*"
    return re.compile(f"{word}(?:[{JOINERS}]{word})*")


def normalise_username(raw: str) -> str:
    """``'  @Some.User '`` → ``'some.user'``; raises InvalidNameError when not a valid name."""
    name = unicodedata.normalize("NFKC", str(raw)).strip().lstrip("@").strip().lower()
    if not _USERNAME.fullmatch(name) or ".." in name:
        raise InvalidNameError(
            f"{raw!r} is not an Instagram user name: use 1-30 letters, digits, '.' or '_' "
            "(no '.' first, last or twice in a row)."
        )
    return name


@lru_cache(maxsize=65536)  # hashtags repeat across millions of captions
def normalise_hashtag(raw: str) -> str:
    """``' #StreetStyle'`` → ``'streetstyle'``; raises InvalidNameError when not a hashtag.

    At most ``MAX_HASHTAG`` characters before case folding, which may lengthen it (ß → ss).
    """
    typed = unicodedata.normalize("NFKC", str(raw)).strip().lstrip("#").strip()
    # Casefolding can decompose (İ → i + U+0307).
    tag = unicodedata.normalize("NFC", typed.casefold())
    if len(typed) > MAX_HASHTAG or not (_WORD_HASHTAG.fullmatch(tag) or _hashtag().fullmatch(tag)):
        raise InvalidNameError(
            f"{raw!r} is not a hashtag: use 1-{MAX_HASHTAG} letters, digits or '_', starting "
            "with a letter, digit or '_' (no spaces)."
        )
    return tag
