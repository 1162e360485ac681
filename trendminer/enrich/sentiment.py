"""Caption and comment sentiment: language first, then VADER on the texts it can read.

Every text gets its language (:mod:`trendminer.enrich.language`). Texts in one of the scored
languages (English by default: VADER's lexicon is English) get VADER's compound, pos, neu and
neg scores and a label by the configured cut (compound ≥ positive threshold → ``positive``,
≤ negative threshold → ``negative``, else ``neutral``). A text without any word (emoji,
punctuation) is ``und`` and is scored too: VADER reads emoji in any language (a few by the
meaning they have on Instagram: :data:`EMOJI_MEANINGS`). A text with words
too short to tell their language (``und`` as well: "no", "feo") is scored only where VADER's
lexicon knows one of them ("no", "ok"), not as a neutral zero ("feo" is Spanish for ugly).
Every other text keeps its language with its sentiment NULL, never zero, so coverage can be
counted.

:class:`ParallelScorer` spreads batches over worker processes (forked, so they share the loaded
models) and returns the results as COPY text, so the workers do the serialising too.
"""

from __future__ import annotations

import multiprocessing
import os
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from types import TracebackType
from typing import NamedTuple

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from trendminer.db.copy import to_copy_text
from trendminer.enrich.language import UNDETERMINED, LanguageDetector
from trendminer.enrich.text import prepare
from trendminer.settings import Settings

CHUNK_SIZE = 1000
# What these emoji mean on Instagram, where VADER's own descriptions mislead it: 🔥 "fire" is
# praise, not danger; "broken heart" reads positive to it; "thumbs down", "pouting face" and
# "face vomiting" are not in its lexicon at all.
EMOJI_MEANINGS = {
    "🔥": "amazing", "💯": "perfect", "💔": "heartbroken", "👎": "bad", "😡": "angry",
    "😤": "angry", "🤮": "disgusting",
}  # fmt: skip
SENTIMENT_COLUMNS = ("key", "language", "compound", "pos", "neu", "neg", "label")


class Sentiment(NamedTuple):
    """One text's language and VADER scores (``None`` where it was not scored)."""

    language: str | None
    compound: float | None = None
    pos: float | None = None
    neu: float | None = None
    neg: float | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class SentimentConfig:
    """What scoring needs from the settings (hashable, so models are loaded once per process)."""

    candidates: tuple[str, ...]
    log_prior: tuple[tuple[str, float], ...]
    scored_languages: frozenset[str]
    negative_threshold: float
    positive_threshold: float

    @classmethod
    def from_settings(cls, settings: Settings) -> SentimentConfig:
        return cls(
            candidates=tuple(settings.language_candidates),
            log_prior=tuple(sorted(settings.language_log_prior.items())),
            scored_languages=frozenset(settings.sentiment_languages),
            negative_threshold=settings.sentiment_negative_threshold,
            positive_threshold=settings.sentiment_positive_threshold,
        )

    def label(self, compound: float) -> str:
        """``negative``, ``neutral`` or ``positive`` by the configured cut."""
        if compound >= self.positive_threshold:
            return "positive"
        if compound <= self.negative_threshold:
            return "negative"
        return "neutral"


class Scorer:
    """Language and sentiment of texts, in this process."""

    def __init__(self, config: SentimentConfig) -> None:
        self.config = config
        self.detector = LanguageDetector(config.candidates, dict(config.log_prior))
        self.vader = SentimentIntensityAnalyzer()
        self.vader.emojis.update(EMOJI_MEANINGS)

    def score(self, texts: Sequence[str | None]) -> list[Sentiment]:
        """One :class:`Sentiment` per text; an empty or missing text has no language."""
        prepared = [prepare(text) if text and not text.isspace() else None for text in texts]
        detected = iter(
            self.detector.detect([p[1] for p in prepared if p is not None and p[1] is not None])
        )
        results = []
        for item in prepared:
            if item is None:
                results.append(Sentiment(None))
                continue
            for_sentiment, words = item
            language = next(detected) if words is not None else UNDETERMINED
            if language not in self.config.scored_languages and language != UNDETERMINED:
                results.append(Sentiment(language))
                continue
            if not _readable(for_sentiment):
                # Nothing to read ("@friend", a link, a zero-width space): not a neutral text
                # but no text, so no scores (NULL) rather than a neutral zero.
                results.append(Sentiment(None))
                continue
            scores = self.vader.polarity_scores(for_sentiment)
            compound = scores["compound"]
            if words is not None and language == UNDETERMINED and scores["neu"] == 1.0:
                results.append(Sentiment(language))  # words of no known language, none VADER's
                continue
            results.append(
                Sentiment(
                    language,
                    compound,
                    scores["pos"],
                    scores["neu"],
                    scores["neg"],
                    self.config.label(compound),
                )
            )
        return results


def _readable(text: str) -> bool:
    """Whether ``text`` holds anything but separators and control or format characters."""
    return any(unicodedata.category(char)[0] not in "ZC" for char in text)


@lru_cache(maxsize=2)
def scorer_for(config: SentimentConfig) -> Scorer:
    """This process's scorer for ``config`` (models load once; forked workers inherit it)."""
    return Scorer(config)


def _copy_chunk(
    config: SentimentConfig, keys: Sequence[object], texts: Sequence[str | None]
) -> str:
    scores = scorer_for(config).score(texts)
    return to_copy_text((key, *score) for key, score in zip(keys, scores, strict=True))


class ParallelScorer:
    """Scores batches over ``workers`` processes; use as a context manager.

    One worker (or a batch smaller than two chunks) scores in this process.
    """

    def __init__(self, config: SentimentConfig, workers: int = 0) -> None:
        self.config = config
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ParallelScorer:
        scorer_for(self.config)  # load before forking: the workers share the models
        if self.workers > 1:
            context = multiprocessing.get_context(
                "fork" if "fork" in multiprocessing.get_all_start_methods() else None
            )
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def submit(self, keys: Sequence[object], texts: Sequence[str | None]) -> Callable[[], str]:
        """Start scoring ``texts`` (keyed by ``keys``); the returned call waits for the COPY rows.

        The workers score while the caller writes the previous batch: scoring and database
        writes overlap. With no pool (or a small batch) the scoring happens here, at once.
        """
        if self._pool is None or len(texts) < 2 * CHUNK_SIZE:
            payload = _copy_chunk(self.config, keys, texts)
            return lambda: payload
        futures = [
            self._pool.submit(
                _copy_chunk, self.config, keys[i : i + CHUNK_SIZE], texts[i : i + CHUNK_SIZE]
            )
            for i in range(0, len(texts), CHUNK_SIZE)
        ]
        return lambda: "".join(future.result() for future in futures)
