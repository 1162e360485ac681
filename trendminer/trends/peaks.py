"""A causal peak detector for any regularly sampled series (5-minute, hourly, daily ...).

Each point is judged only from the points before it (at most ``history`` of them), so adding
later points never changes an earlier judgement. The baseline at a point is

    level + slope · t + seasonal[phase]

where ``seasonal`` holds the period effect (e.g. the weekday effect of a daily series with
period 7): the median of the history at each phase minus the history's median, taken over
whole cycles; ``slope`` is the Theil-Sen slope of the de-seasonalised cycle medians (or of the
points themselves when there is no period) and ``level`` the median intercept. The score is
``(value - baseline) / scale`` with ``scale`` the robust standard deviation (1.4826 · MAD) of
the history's residuals (corrected for the ``c`` cycles the seasonal medians were fitted on),
floored at ``sqrt(baseline)`` for counts and at 1% of the history's median absolute value
otherwise, and widened by ``sqrt(1 + (pi/2) / c)`` for the baseline's own
uncertainty. For counts, a point above its baseline scores at most the normal score of its
exact Poisson tail ``P(X >= value | baseline)``, so small counts are not over-read. A point
scoring at least ``threshold`` above its baseline is a peak point;
consecutive peak points make one peak. For many series judged at once (the daily trend
tables), ``min_baseline`` floors a count baseline, ``window_scores`` also scores the runs of
a few points ending at each point, still from the points before each, and ``score_shares``
judges the parts of a series (a city's posts of all posts) on their share of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import gammainc
from scipy.stats import norm

FloatArray = npt.NDArray[np.float64]

MAD_TO_SD = 1.4826
MEDIAN_VARIANCE = np.pi / 2  # variance of a median of c normal points: (pi/2) sigma^2 / c


@dataclass(frozen=True, slots=True)
class SeriesScores:
    """Per point: the baseline, the residual scale and the score (NaN: history too short);
    from ``window_scores`` also ``width``, the points of the run ending there that scored."""

    baseline: FloatArray
    score: FloatArray
    scale: FloatArray
    width: npt.NDArray[np.int64] | None = None

    def widths(self) -> npt.NDArray[np.int64]:
        """``width``, or ones where the scores are of single points."""
        return self.width if self.width is not None else np.ones(self.score.shape, np.int64)


@dataclass(frozen=True, slots=True)
class Peak:
    """One run of consecutive peak points (indices into the series)."""

    start: int
    end: int
    peak: int
    value: float
    baseline: float
    score: float


def default_history(period: int) -> int:
    """Points a judgement looks back: eight cycles, at least 28 points."""
    return max(8 * period, 28)


def default_min_history(period: int) -> int:
    """Points needed before the first judgement: two cycles, at least 7 points."""
    return max(2 * period, 7)


def _theil_sen(t: FloatArray, y: FloatArray) -> FloatArray:
    """Theil-Sen slope of each row of ``y`` (rows x points) against ``t`` (points)."""
    if y.shape[1] < 2:
        return np.zeros(y.shape[0])
    i, j = np.triu_indices(y.shape[1], k=1)
    return np.asarray(np.median((y[:, j] - y[:, i]) / (t[j] - t[i]), axis=1))


def _baselines(
    history: FloatArray, first_index: int, index: int, period: int, phase_offset: int
) -> tuple[FloatArray, FloatArray, int]:
    """Baseline, residual scale and cycles used, at ``index``, for rows of equal ``history``.

    ``history`` is rows x points and covers the points ``first_index`` .. ``index - 1``.
    """
    length = history.shape[1]
    t = np.arange(first_index, index, dtype=np.float64)
    cycles = length // period
    if cycles < 2:
        period, cycles = 1, length
    tail = length - cycles * period
    seasonal = np.zeros((history.shape[0], period))
    if period > 1:
        whole = history[:, tail:].reshape(-1, cycles, period)
        by_column = np.median(whole, axis=1) - np.median(whole, axis=(1, 2))[:, None]
        first_phase = (index - cycles * period + phase_offset) % period
        seasonal[:, (first_phase + np.arange(period)) % period] = by_column
    phases = (np.arange(first_index, index) + phase_offset) % period
    deseasoned = history - seasonal[:, phases]
    if period > 1:
        blocks = np.median(deseasoned[:, tail:].reshape(-1, cycles, period), axis=2)
        slope = _theil_sen(t[tail:].reshape(cycles, period).mean(axis=1), blocks)
    else:
        slope = _theil_sen(t, deseasoned)
    level = np.median(deseasoned - slope[:, None] * t, axis=1)
    residuals = deseasoned - (level[:, None] + slope[:, None] * t)
    centre = np.median(residuals, axis=1)
    scale = MAD_TO_SD * np.median(np.abs(residuals - centre[:, None]), axis=1)
    baseline = level + slope * index + seasonal[:, (index + phase_offset) % period]
    return baseline, scale, cycles


def _poisson_z(value: FloatArray, mean: FloatArray) -> FloatArray:
    """The normal score of P(X >= value) for X ~ Poisson(mean) (continuous in ``value``)."""
    tail = gammainc(np.maximum(value, 1e-9), np.maximum(mean, 0.5))
    return np.asarray(norm.isf(np.maximum(tail, 1e-300)), dtype=np.float64)


def _count_score(value: FloatArray, base: FloatArray, scale: FloatArray) -> FloatArray:
    """``(value - base) / scale``; above the baseline no more than the exact Poisson tail, so a
    count must also be surprising under Poisson noise."""
    z = (value - base) / scale
    return np.where(value > base, np.minimum(z, _poisson_z(value, base)), z)


def score_matrix(
    values: npt.ArrayLike,
    *,
    starts: npt.ArrayLike | None = None,
    period: int = 1,
    phase_offset: int = 0,
    first: int = 0,
    history: int | None = None,
    min_history: int | None = None,
    counts: bool = False,
    min_baseline: float = 0.0,
) -> SeriesScores:
    """``score_series`` for many aligned series at once (rows x points).

    ``starts[r]`` is the index where row ``r`` begins (earlier points are not part of it).
    ``min_baseline`` floors a count baseline, so that a series that was (nearly) empty needs a
    real burst, not one or two posts, to peak.
    """
    x = np.atleast_2d(np.asarray(values, dtype=np.float64))
    rows, points = x.shape
    begin = np.zeros(rows, dtype=np.int64) if starts is None else np.asarray(starts, np.int64)
    if period < 1:
        raise ValueError(f"period must be at least 1, got {period}")
    look_back = history or default_history(period)
    needed = min_history or default_min_history(period)
    baseline = np.full(x.shape, np.nan)
    score = np.full(x.shape, np.nan)
    spread = np.full(x.shape, np.nan)
    for index in range(first, points):
        first_index = np.maximum(begin, index - look_back)
        lengths = index - first_index
        for length in np.unique(lengths[lengths >= needed]):
            chosen = np.flatnonzero(lengths == length)
            low = index - int(length)
            past = x[chosen, low:index]
            base, scale, cycles = _baselines(past, low, index, period, phase_offset)
            scale = scale * np.sqrt(cycles / (cycles - 1))
            if counts:
                base = np.maximum(base, min_baseline)
                scale = np.maximum(scale, np.sqrt(np.maximum(base, 1.0)))
            else:
                floor = 0.01 * np.median(np.abs(past), axis=1)
                scale = np.maximum(np.maximum(scale, floor), 1e-12)
            scale = scale * np.sqrt(1 + MEDIAN_VARIANCE / cycles)
            value = x[chosen, index]
            z = _count_score(value, base, scale) if counts else (value - base) / scale
            baseline[chosen, index] = base
            score[chosen, index] = z
            spread[chosen, index] = scale
    return SeriesScores(baseline=baseline, score=score, scale=spread)


def _phase_shares(
    part: FloatArray,
    whole: FloatArray,
    kept: npt.NDArray[np.bool_],
    phases: npt.NDArray[np.int64],
    period: int,
    dispersion: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Per row and phase: the share of ``whole`` that ``part`` takes, and its variance.

    Each phase's own share is shrunk toward the row's pooled share by empirical Bayes: as far
    as the spread of the phases' shares is only what their counts' noise explains, a phase
    takes the pooled share; a row whose week really differs keeps its own profile.
    """
    part, whole = part * kept, whole * kept
    pooled = part.sum(axis=1) / np.maximum(whole.sum(axis=1), 1e-9)
    level = dispersion * np.maximum(pooled, 0.0)  # a detrended part can sum below zero
    pooled_variance = level / np.maximum(whole.sum(axis=1), 1e-9)
    if period == 1:
        return pooled[:, None], pooled_variance[:, None]
    one_hot = phases[:, None] == np.arange(period)
    part_by_phase, whole_by_phase = part @ one_hot, whole @ one_hot
    own = part_by_phase / np.maximum(whole_by_phase, 1e-9)
    noise = level[:, None] / np.maximum(whole_by_phase, 1e-9)
    spread = np.maximum(((own - pooled[:, None]) ** 2 - noise).mean(axis=1), 0.0)[:, None]
    weight = np.divide(spread, spread + noise, out=np.zeros_like(noise), where=spread > 0)
    shares = pooled[:, None] + weight * (own - pooled[:, None])
    variance = weight**2 * noise + (1 - weight) ** 2 * pooled_variance[:, None]
    return shares, variance


@dataclass(frozen=True, slots=True)
class ShareTrend:
    """Per row: a share's slope per point about the point ``centre``, and the slope's variance."""

    slope: FloatArray
    variance: FloatArray
    centre: FloatArray

    @classmethod
    def flat(cls, rows: int) -> ShareTrend:
        """No trend: a level share."""
        return cls(np.zeros(rows), np.zeros(rows), np.zeros(rows))

    def at(self, points: FloatArray) -> FloatArray:
        """The trend's change of share at ``points`` (rows x points)."""
        return self.slope[:, None] * (points[None, :] - self.centre[:, None])

    def variance_at(self, point: int) -> FloatArray:
        """The variance the slope's uncertainty adds to the share at ``point`` (per row)."""
        return self.variance * (point - self.centre) ** 2


def _share_trend(
    part: FloatArray,
    level: FloatArray,
    whole: FloatArray,
    kept: npt.NDArray[np.bool_],
    days: FloatArray,
    dispersion: FloatArray,
) -> ShareTrend:
    """The slope of a part's share of ``whole`` over its history, shrunk to what data supports.

    ``level`` is the part expected from its level shares; the slope is the weighted
    least-squares regression of ``part - level`` on time, each day weighted by its ``whole``
    (a day's share has variance ``phi * share / whole``). It is shrunk by the positive-part
    James-Stein factor ``max(0, 1 - variance / slope^2)``: a slope within its noise is dropped,
    so a steady part keeps a level share, and a part that takes off is followed.
    """
    weight = whole * kept
    total = np.maximum(weight.sum(axis=1), 1e-9)
    centre = (weight * days).sum(axis=1) / total
    offset = days[None, :] - centre[:, None]
    leverage = np.maximum((weight * offset**2).sum(axis=1), 1e-9)
    slope = (kept * offset * (part - level)).sum(axis=1) / leverage
    share = (part * kept).sum(axis=1) / total
    variance = dispersion * share / leverage
    factor = np.where(slope != 0, np.maximum(1 - variance / np.maximum(slope**2, 1e-300), 0), 0)
    return ShareTrend(factor * slope, factor**2 * variance, centre)


def score_shares(
    values: npt.ArrayLike,
    reference_values: npt.ArrayLike,
    reference: SeriesScores,
    *,
    starts: npt.ArrayLike,
    period: int = 1,
    phase_offset: int = 0,
    first: int = 0,
    history: int | None = None,
    min_history: int | None = None,
    min_baseline: float = 0.0,
    trim: float = 3.5,
) -> SeriesScores:
    """Scores of count series that are parts of a reference series (a city's posts of all).

    A part's baseline is its share of the reference times the reference's own baseline (from
    ``score_matrix``): the weekday profile and the trend come from the reference, where the
    counts are many, so a small series five weeks old has nearly as sure a baseline as a large
    one. The share is the ratio of the sums over the part's history (its days beyond ``trim``
    standard deviations left out, so its own past peaks do not raise it), per phase where the
    part's profile differs (``_phase_shares``), plus its trend where it has one
    (``_share_trend``). The scale is ``sqrt(phi * baseline)``, with ``phi`` the dispersion (the
    robust variance of the history's Pearson residuals, at least 1), plus the baseline's own
    variance; a point above its baseline scores at most its Poisson tail.
    """
    x = np.atleast_2d(np.asarray(values, dtype=np.float64))
    whole = np.asarray(reference_values, dtype=np.float64)
    begin = np.asarray(starts, dtype=np.int64)
    look_back = history or default_history(period)
    needed = min_history or default_min_history(period)
    baseline = np.full(x.shape, np.nan)
    score = np.full(x.shape, np.nan)
    spread = np.full(x.shape, np.nan)
    for index in range(first, x.shape[1]):
        whole_baseline = float(reference.baseline[index])
        if np.isnan(whole_baseline):
            continue
        lows = np.maximum(begin, index - look_back)
        for low in np.unique(lows[index - lows >= needed]):
            chosen = np.flatnonzero(lows == low)
            part, past = (
                x[chosen, low:index],
                np.broadcast_to(whole[low:index], (chosen.size, index - low)),
            )
            phases = (np.arange(low, index) + phase_offset) % period
            days = np.arange(low, index, dtype=np.float64)
            kept = np.ones(part.shape, dtype=bool)
            dispersion = np.ones(chosen.size)
            trend = ShareTrend.flat(chosen.size)
            for _ in range(3):  # shares, trend, residuals, dispersion and outlying days, refined
                detrended = part - trend.at(days) * past
                shares, variance = _phase_shares(detrended, past, kept, phases, period, dispersion)
                level = shares[:, phases] * past
                trend = _share_trend(part, level, past, kept, days, dispersion)
                expected = np.maximum((shares[:, phases] + trend.at(days)) * past, 1.0)
                pearson = (part - expected) / np.sqrt(expected)
                centre = np.median(pearson, axis=1)
                robust = MAD_TO_SD * np.median(np.abs(pearson - centre[:, None]), axis=1)
                dispersion = np.maximum(robust**2, 1.0)
                kept = np.abs(pearson) <= trim * np.sqrt(dispersion)[:, None]
            phase = (index + phase_offset) % period
            share = np.maximum(shares[:, phase] + trend.at(np.array([index]))[:, 0], 0.0)
            share_variance = variance[:, phase] + trend.variance_at(index)
            base = np.maximum(share * whole_baseline, min_baseline)
            scale = np.sqrt(dispersion * np.maximum(base, 1.0) + share_variance * whole_baseline**2)
            z = _count_score(x[chosen, index], base, scale)
            baseline[chosen, index], score[chosen, index], spread[chosen, index] = base, z, scale
    return SeriesScores(baseline=baseline, score=score, scale=spread)


def window_scores(
    values: npt.ArrayLike,
    scores: SeriesScores,
    *,
    windows: int,
    threshold: float,
    counts: bool = False,
) -> SeriesScores:
    """The best score of the runs of 1 .. ``windows`` points ending at each point.

    A run sums its values against the sum of its points' baselines, with the scales added in
    quadrature (and, for counts, no more than the exact Poisson tail of the sums allows), so a
    rise spread over a few points is found even where no single point breaks its baseline. A
    run counts only when each of its points is above its baseline and none before its last
    scores ``threshold`` alone (a published single-point peak is not carried into later days).
    Every point of a run is judged from the points before it, so the rule stays causal.
    """
    x = np.atleast_2d(np.asarray(values, dtype=np.float64))
    single, baseline, scale = (
        np.atleast_2d(a) for a in (scores.score, scores.baseline, scores.scale)
    )
    best = single.copy()
    width = np.ones(x.shape, dtype=np.int64)
    total, base, variance = x.copy(), baseline.copy(), scale**2
    allowed = np.nan_to_num(single, nan=-np.inf) > 0
    for lag in range(1, windows):
        shifted = np.full(x.shape, np.nan)
        shifted[:, lag:] = single[:, :-lag]
        allowed &= (np.nan_to_num(shifted, nan=-np.inf) > 0) & (shifted < threshold)
        total[:, lag:] += x[:, :-lag]
        base[:, lag:] += baseline[:, :-lag]
        variance[:, lag:] += scale[:, :-lag] ** 2
        base[:, :lag] = np.nan
        z = (total - base) / np.sqrt(variance)
        if counts:
            z = np.minimum(z, _poisson_z(total, np.nan_to_num(base)))
        better = allowed & (np.nan_to_num(z, nan=-np.inf) > np.nan_to_num(best, nan=-np.inf))
        best = np.where(better, z, best)
        width = np.where(better, lag + 1, width)
    shape = scores.score.shape
    return SeriesScores(
        baseline=scores.baseline,
        score=best.reshape(shape),
        scale=scores.scale,
        width=width.reshape(shape),
    )


def score_series(
    values: npt.ArrayLike,
    *,
    period: int = 1,
    phase_offset: int = 0,
    first: int = 0,
    history: int | None = None,
    min_history: int | None = None,
    counts: bool = False,
) -> SeriesScores:
    """Baseline and score of every point from ``first`` on, each from the points before it.

    ``phase_offset`` makes phases absolute (``(index + phase_offset) % period``), so a series
    cut at a different start gives the same judgements (for daily data with weekday effects,
    pass the first day's ordinal). Points before ``first`` are history only (NaN outputs).
    """
    scores = score_matrix(
        values,
        period=period,
        phase_offset=phase_offset,
        first=first,
        history=history,
        min_history=min_history,
        counts=counts,
    )
    return SeriesScores(baseline=scores.baseline[0], score=scores.score[0], scale=scores.scale[0])


def peak_runs(score: FloatArray, threshold: float) -> list[tuple[int, int, int]]:
    """Runs of consecutive points scoring at least ``threshold``: (start, end, best) indices."""
    above = np.nan_to_num(score, nan=-np.inf) >= threshold
    runs: list[tuple[int, int, int]] = []
    index = 0
    while index < above.size:
        if not above[index]:
            index += 1
            continue
        end = index
        while end + 1 < above.size and above[end + 1]:
            end += 1
        best = index + int(np.argmax(score[index : end + 1]))
        runs.append((index, end, best))
        index = end + 1
    return runs


def find_peaks(
    values: npt.ArrayLike,
    *,
    period: int = 1,
    threshold: float = 3.0,
    history: int | None = None,
    min_history: int | None = None,
    counts: bool = False,
) -> list[Peak]:
    """The peaks of a series (see the module docstring for the rule)."""
    x = np.asarray(values, dtype=np.float64)
    scores = score_series(x, period=period, history=history, min_history=min_history, counts=counts)
    return [
        Peak(
            start=start,
            end=end,
            peak=best,
            value=float(x[best]),
            baseline=float(scores.baseline[best]),
            score=float(scores.score[best]),
        )
        for start, end, best in peak_runs(scores.score, threshold)
    ]


def detect_period(values: npt.ArrayLike, candidates: tuple[int, ...]) -> int:
    """The candidate period (in points) with the strongest autocorrelation, else 1.

    A candidate needs three whole cycles and an autocorrelation of at least 0.3 on the series
    with its slow trend (a centred rolling mean over the longest candidate) removed.
    """
    x = np.asarray(values, dtype=np.float64)
    best, best_acf = 1, 0.3
    usable = [p for p in candidates if p >= 2 and x.size >= 3 * p]
    if not usable:
        return 1
    window = max(usable)
    kernel = np.ones(window) / window
    detrended = (
        x
        - np.convolve(np.pad(x, window // 2, mode="edge"), kernel, mode="same")[
            window // 2 : window // 2 + x.size
        ]
    )
    centred = detrended - detrended.mean()
    variance = float(np.dot(centred, centred))
    if variance == 0.0:
        return 1
    for period in usable:
        acf = float(np.dot(centred[:-period], centred[period:])) / variance
        if acf > best_acf:
            best, best_acf = period, acf
    return best
