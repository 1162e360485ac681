"""Negative-sentiment peaks: days whose negative share rises significantly above its baseline.

For each day, the baseline share is pooled from the days before it (at most ``history``):
first over all of them, then again without the days that are themselves significantly high
against that first estimate, so earlier peaks do not lift the baseline. The day is a peak when
it has at least ``min_volume`` labelled items, a one-sided test below ``alpha``, and a share
at least ``min_lift`` above the baseline. The test is the binomial ``P(X >= negative |
labelled, baseline)``, made no smaller than its normal form with the variance widened by the
history's dispersion (Pearson chi-square per day, at least 1): comments follow their post's
tone, so items come in clusters and a bare binomial test would over-read them. Like the
activity peaks, a day is judged only from the days before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import binom, norm

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SentimentScores:
    """Per day: the baseline share, the p-value, and whether it is a peak (or judged at all)."""

    baseline: FloatArray
    p_value: FloatArray
    is_peak: npt.NDArray[np.bool_]
    judged: npt.NDArray[np.bool_]
    low: npt.NDArray[np.bool_]


def _pooled_baseline(
    negative: FloatArray, labelled: FloatArray, alpha: float
) -> tuple[float, float]:
    """Baseline share and dispersion (>= 1) of the history, its high days left out."""
    total = labelled.sum()
    rate = negative.sum() / total
    keep = ~(binom.sf(negative - 1, labelled, rate) < alpha)
    if keep.any() and labelled[keep].sum() > 0:
        rate = negative[keep].sum() / labelled[keep].sum()
    rate = float(min(max(rate, 0.5 / total), 1.0 - 0.5 / total))
    used = keep & (labelled > 0)
    dispersion = 1.0
    if used.sum() > 1:
        expected = labelled[used] * rate
        pearson = (negative[used] - expected) ** 2 / (expected * (1 - rate))
        dispersion = max(1.0, float(pearson.sum() / (used.sum() - 1)))
    return rate, dispersion


def score_sentiment(
    negative: npt.ArrayLike,
    labelled: npt.ArrayLike,
    *,
    start: int = 0,
    first: int = 0,
    history: int = 56,
    min_history: int = 7,
    min_volume: int = 20,
    alpha: float = 0.001,
    min_lift: float = 0.05,
) -> SentimentScores:
    """Judge days ``first`` .. end of one daily series that begins at index ``start``."""
    k = np.asarray(negative, dtype=np.float64)
    n = np.asarray(labelled, dtype=np.float64)
    size = k.size
    baseline = np.full(size, np.nan)
    p_value = np.full(size, np.nan)
    is_peak = np.zeros(size, dtype=bool)
    judged = np.zeros(size, dtype=bool)
    low = np.zeros(size, dtype=bool)
    for day in range(max(first, start + min_history), size):
        lo = max(start, day - history)
        past_n = n[lo:day]
        if past_n.sum() < min_volume:
            continue
        rate, dispersion = _pooled_baseline(k[lo:day], past_n, alpha)
        judged[day] = True
        baseline[day] = rate
        if n[day] == 0:
            continue
        spread = np.sqrt(dispersion * n[day] * rate * (1 - rate))
        p_value[day] = max(
            float(binom.sf(k[day] - 1, n[day], rate)),
            float(norm.sf((k[day] - n[day] * rate) / spread)),
        )
        share = k[day] / n[day]
        is_peak[day] = bool(
            n[day] >= min_volume and p_value[day] < alpha and share >= rate + min_lift
        )
        low[day] = bool(n[day] >= min_volume and binom.cdf(k[day], n[day], rate) < alpha)
    return SentimentScores(baseline, p_value, is_peak, judged, low)
