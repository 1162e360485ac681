"""Offline language identification, batched: py3langid's model, walked over many texts at once.

py3langid (a maintained fork of langid.py) classifies one text at a time with a Python loop over
its bytes, which costs more than VADER itself. :class:`LanguageDetector` runs the same byte DFA
over a whole batch with NumPy (one vector step per byte position, all texts in step) and scores
the feature counts with one sparse matrix product, giving py3langid's labels at a fraction of
the cost. Texts are prepared as py3langid prepares them (all-caps lowered, NFC, UTF-8) and only
their first :data:`MAX_BYTES` bytes are read: plenty to tell a caption's language.

``log_prior`` adds a natural-log bonus to a language's prior: the training corpus is not
Instagram, where most fashion texts are English. The bonus decides only short, ambiguous texts
("love", "so cute"); a few words of another language outweigh it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np
import py3langid.langid as langid
from scipy import sparse

MAX_BYTES = 512
UNDETERMINED = "und"


class LanguageDetector:
    """Tell the language (ISO 639-1 code) of many texts at once, among ``candidates``."""

    def __init__(
        self, candidates: Sequence[str] | None = None, log_prior: Mapping[str, float] | None = None
    ) -> None:
        identifier = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE)
        if candidates:
            identifier.set_languages(sorted(set(candidates)))
        self._nextmove = np.frombuffer(identifier.tk_nextmove, dtype=np.uint32).astype(np.int64)
        self._rowbase = np.asarray(identifier.tk_row, dtype=np.int64) << 8
        self._output = np.asarray(identifier.tk_output, dtype=np.int64)
        self._table = np.asarray(identifier.nb_ptc, dtype=np.float32)
        self._classes = np.asarray(identifier.nb_classes, dtype=object)
        self._prior = np.asarray(identifier.nb_pc, dtype=np.float32) + np.asarray(
            [(log_prior or {}).get(label, 0.0) for label in self._classes], dtype=np.float32
        )
        self._aliases = list(identifier._alias_pairs)

    @property
    def languages(self) -> list[str]:
        """The labels this detector can give."""
        return list(dict.fromkeys(self._classes.tolist()))

    def detect(self, texts: Sequence[str]) -> list[str]:
        """One language code per text; :data:`UNDETERMINED` where a text gives no feature."""
        if not texts:
            return []
        encoded = [_encode(text) for text in texts]
        counts = self._feature_counts(encoded)
        scores = np.asarray(counts @ self._table) + self._prior
        for first, duplicate in self._aliases:
            np.maximum(scores[:, first], scores[:, duplicate], out=scores[:, first])
            scores[:, duplicate] = -np.inf
        labels = self._classes[scores.argmax(axis=1)]
        labels[np.asarray(counts.getnnz(axis=1)) == 0] = UNDETERMINED
        return labels.tolist()

    def _feature_counts(self, encoded: list[bytes]) -> sparse.csr_matrix:
        """log1p(count) of every DFA feature each text reaches: a (texts, features) matrix."""
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        order = np.argsort(-lengths, kind="stable")
        flat = np.frombuffer(b"".join(encoded[i] for i in order), dtype=np.uint8).astype(np.int64)
        sorted_lengths = lengths[order]
        starts = np.concatenate(([0], np.cumsum(sorted_lengths)[:-1]))
        descending = -sorted_lengths  # ascending, for searchsorted
        state = np.zeros(len(encoded), dtype=np.int64)
        hit_rows: list[np.ndarray] = []
        hit_features: list[np.ndarray] = []
        for position in range(int(sorted_lengths[0])):
            # texts are sorted longest first, so the ones still running are a prefix
            active = int(np.searchsorted(descending, -position, side="left"))
            live = state[:active]
            live = self._nextmove[self._rowbase[live] + flat[starts[:active] + position]]
            state[:active] = live
            features = self._output[live]
            found = np.flatnonzero(features >= 0)
            if found.size:
                hit_rows.append(order[found])
                hit_features.append(features[found])
        rows = np.concatenate(hit_rows) if hit_rows else np.zeros(0, dtype=np.int64)
        cols = np.concatenate(hit_features) if hit_features else np.zeros(0, dtype=np.int64)
        matrix = sparse.csr_matrix(
            (np.ones(rows.size, dtype=np.float32), (rows, cols)),
            shape=(len(encoded), self._table.shape[0]),
        )
        matrix.sum_duplicates()
        np.log1p(matrix.data, out=matrix.data)
        return matrix


def _encode(text: str) -> bytes:
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")[:MAX_BYTES]
