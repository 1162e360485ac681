"""Instagram text prepared for sentiment and for language identification.

:func:`prepare` gives both from one pass. For sentiment, in this order:

1. URLs (``http://…``, ``https://…``, ``www.…``) are removed: links carry no sentiment.
2. Mentions (``@name``) are removed: user names are noise ("@happygirl" is not happy).
3. Hashtags become words: the ``#`` goes, ``_`` and camel case split words
   (``#sad`` → ``sad``, ``#NotHappy`` → ``Not Happy``, ``#so_sad`` → ``so sad``), so VADER
   reads them as it reads the caption. All-lower-case tags stay one word (``#notgood``).
4. Emoji and emoticons are kept: VADER's lexicon scores them (😍, 😢, ``:)``).
5. Runs of white space become one space; the ends are trimmed.

Before all of them the text is NFKC-normalised (the "fancy font" letters of captions, the
mathematical script and full-width ones, are letters again) and emoji variation selectors,
skin tones and zero-width spaces go
(VADER knows ❤ but not ❤ + U+FE0F). A split tag that starts with "No" starts with "not"
(``#NoFilter`` → ``not Filter``): VADER scores "no" itself as negative.

For language identification, URLs, mentions and hashtags are all removed (English tags fill
captions in every language). A text left without a letter falls back to its hashtag words; with
none there either it has no language (``None``).
"""

from __future__ import annotations

import re
import unicodedata

_NOISE = re.compile(r"(?:https?://|www\.)\S+|(?<![\w@])@[\w.]+", re.IGNORECASE)
_HASHTAG = re.compile(r"#(?<![\w#&]#)(\w+)")  # '#' first: the engine skips ahead to it
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_LETTER = re.compile(r"[^\W\d_]")


_NO = re.compile(r"^no\b", re.IGNORECASE)
_INVISIBLE = re.compile("[\ufe0e\ufe0f\u200b\U0001f3fb-\U0001f3ff]")


def _hashtag_words(match: re.Match[str]) -> str:
    tag = match.group(1)
    if "_" not in tag and (tag.islower() or tag.isupper()):  # nothing to split
        return " " + tag + " "
    return " " + _NO.sub("not", _CAMEL.sub(" ", tag.replace("_", " ")).strip()) + " "


def _without_noise(text: str) -> str:
    """``text`` without URLs and mentions (the regex runs only where one may be)."""
    if "@" in text or "://" in text or "www." in text.lower():
        return _NOISE.sub(" ", text)
    return text


def prepare(text: str) -> tuple[str, str | None]:
    """(the text VADER scores, the text that tells the language or ``None``)."""
    if not text.isascii():
        text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    bare = _without_noise(text)
    if "#" not in bare:
        return " ".join(bare.split()), bare if _LETTER.search(bare) else None
    for_sentiment = " ".join(_HASHTAG.sub(_hashtag_words, bare).split())
    prose = _HASHTAG.sub(" ", bare)
    if _LETTER.search(prose):
        return for_sentiment, prose
    tags = " ".join(_hashtag_words(match) for match in _HASHTAG.finditer(bare))
    return for_sentiment, tags if _LETTER.search(tags) else None
