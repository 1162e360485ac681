"""Instagram text prepared for sentiment and for language identification.

For sentiment (:func:`sentiment_text`), in this order:

1. URLs (``http://…``, ``https://…``, ``www.…``) are removed: links carry no sentiment.
2. Mentions (``@name``) are removed: user names are noise ("@happygirl" is not happy).
3. Hashtags become words: the ``#`` goes, ``_`` and camel case split words
   (``#sad`` → ``sad``, ``#NotHappy`` → ``Not Happy``, ``#so_sad`` → ``so sad``), so VADER
   reads them as it reads the caption. All-lower-case tags stay one word (``#notgood``).
4. Emoji and emoticons are kept: VADER's lexicon scores them (😍, 😢, ``:)``).
5. Runs of white space become one space; the ends are trimmed.

For language identification (:func:`language_text`), URLs, mentions and hashtags are all removed
(English tags fill captions in every language) and so is everything but letters, marks and
apostrophes. A text left with no letter falls back to its hashtag words; with none there either
it has no language (``None``).
"""

from __future__ import annotations

import re

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@[\w.]+")
_HASHTAG = re.compile(r"(?<![\w#&])#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w\s']|[\d_]")


def _hashtag_words(match: re.Match[str]) -> str:
    return " " + _CAMEL.sub(" ", match.group(1).replace("_", " ")) + " "


def _squeeze(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def sentiment_text(text: str) -> str:
    """The text VADER scores: no URLs or mentions, hashtags as words, emoji kept."""
    text = _MENTION.sub(" ", _URL.sub(" ", text))
    return _squeeze(_HASHTAG.sub(_hashtag_words, text))


def language_text(text: str) -> str | None:
    """The words that tell the text's language, or ``None`` where there are none."""
    text = _MENTION.sub(" ", _URL.sub(" ", text))
    prose = _squeeze(_NOT_WORD.sub(" ", _HASHTAG.sub(" ", text)))
    if any(char.isalpha() for char in prose):
        return prose
    tags = " ".join(_hashtag_words(match) for match in _HASHTAG.finditer(text))
    tags = _squeeze(_NOT_WORD.sub(" ", tags))
    return tags if any(char.isalpha() for char in tags) else None
