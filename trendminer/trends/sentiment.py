"""Negative-sentiment peaks: days whose negative share rises significantly above its baseline.

For each day, the baseline share is pooled from the days before it (at most ``history``):
first over all of them, then again without the days that are themselves significantly high
against that first estimate, so earlier peaks do not lift the baseline. A day is a peak when
one of the runs of 1 .. ``windows`` days ending on it (against the baseline of the run's first
day) has at least ``min_volume`` labelled items, a one-sided test below ``alpha``, and a share
at least ``min_lift`` above the baseline. The test is the binomial ``P(X >= negative |
labelled, baseline)``, made no smaller than its normal form with the variance widened by the
history's dispersion (Pearson chi-square per day, at least 1), since items can come in clusters
(one author's burst). The trend tables count posts, each with its comments as one unit (the
caption's label, else its comments' mean tone): comments mostly share their post's tone, so a
post and its comments are one piece of evidence, not many. Like the
activity peaks, a day is judged only from the days before it; ``alpha`` is small because many
series x days x windows are tested.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import binom, norm

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SentimentScores:
    """Per day: the baseline share, the p-value, whether it is a peak (or judged at all), and
    ``width``, the days of the run ending on it that gave its p-value (or made it a peak)."""

    baseline: FloatArray
    p_value: FloatArray
    is_peak: npt.NDArray[np.bool_]
    judged: npt.NDArray[np.bool_]
    low: npt.NDArray[np.bool_]
    width: npt.NDArray[np.int64]


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
    min_volume: int = 10,
    alpha: float = 1e-5,
    min_lift: float = 0.05,
    windows: int = 1,
) -> SentimentScores:
    """Judge days ``first`` .. end of one daily series that begins at index ``start``."""
    k = np.asarray(negative, dtype=np.float64)
    n = np.asarray(labelled, dtype=np.float64)
    size = k.size
    rates = np.full(size, np.nan)
    dispersions = np.full(size, np.nan)
    for day in range(max(first - windows + 1, start + min_history, 0), size):
        lo = max(start, day - history)
        if n[lo:day].sum() < min_volume:
            continue
        rates[day], dispersions[day] = _pooled_baseline(k[lo:day], n[lo:day], alpha)
    days = np.arange(size)
    single = np.zeros(size, dtype=bool)
    judged = ~np.isnan(rates) & (days >= first)
    p_value = np.full(size, np.nan)
    is_peak = np.zeros(size, dtype=bool)
    width, peak_width = np.ones(size, dtype=np.int64), np.zeros(size, dtype=np.int64)
    peak_p = np.full(size, np.inf)
    total_k, total_n = np.zeros(size), np.zeros(size)
    allowed = np.ones(size, dtype=bool)  # no earlier day of the run is a peak on its own
    for width_here in range(1, windows + 1):
        lag = width_here - 1
        total_k[lag:] += k[: size - lag]
        total_n[lag:] += n[: size - lag]
        rate = np.full(size, np.nan)
        dispersion = np.full(size, np.nan)
        rate[lag:] = rates[: size - lag]
        dispersion[lag:] = dispersions[: size - lag]
        if lag:
            earlier = np.zeros(size, dtype=bool)
            earlier[lag:] = single[: size - lag]
            allowed &= ~earlier
        # days before ``first`` are judged alone too: a run reaching back to them needs them
        since = first if lag else first - windows + 1
        valid = np.flatnonzero(allowed & (days >= since) & ~np.isnan(rate) & (total_n > 0))
        if not valid.size:
            continue
        kk, nn, rr = total_k[valid], total_n[valid], rate[valid]
        spread = np.sqrt(dispersion[valid] * nn * rr * (1 - rr))
        p = np.maximum(binom.sf(kk - 1, nn, rr), norm.sf((kk - nn * rr) / spread))
        smaller = ~(p >= p_value[valid])  # NaN: the first run judged there
        width[valid] = np.where(smaller, width_here, width[valid])
        p_value[valid] = np.fmin(p_value[valid], p)
        peak = (nn >= min_volume) & (p < alpha) & (kk / nn >= rr + min_lift)
        is_peak[valid] |= peak
        surer = peak & (p < peak_p[valid])
        peak_width[valid] = np.where(surer, width_here, peak_width[valid])
        peak_p[valid] = np.where(surer, p, peak_p[valid])
        if not lag:
            single = is_peak.copy()
    is_peak[: max(first, 0)] = False
    p_value[: max(first, 0)] = np.nan
    # a run can judge a day whose own history is too thin (its baseline is the run's first day's)
    judged |= ~np.isnan(p_value)
    low = judged & (n >= min_volume) & (binom.cdf(k, n, np.nan_to_num(rates)) < alpha)
    width = np.where(is_peak, peak_width, width)
    return SentimentScores(rates, p_value, is_peak, judged, low, width)
