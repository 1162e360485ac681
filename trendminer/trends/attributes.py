"""GeoStyle-style attribute trends: a fit per city x attribute weekly share series, and events.

A weekly share series (the post share ``k/n``, or the garment share: the mean over the week's
posts of the share of a post's garments that show the attribute) is fitted by weighted least
squares (weights: the week's posts) with

    share(t) = intercept + slope · t + a · sin(2πw/52.18) + b · cos(2πw/52.18)

where ``t`` counts weeks from the series' first week and ``w`` is the absolute week (so the
phase is the week of the year). The yearly sinusoid is kept only where the data supports it:
the series spans at least 52 weeks and the sinusoid's F-test gives p < 0.05; otherwise the fit
is linear. Weeks that break the fit are left out and the fit is redone, twice, so events do
not bend the fit they are judged against. A run of 1 .. ``windows`` consecutive weeks breaks
the fit when its pooled count passes a one-sided binomial test against the fit's pooled
expectation (``P(X >= k | n, share) < alpha``) and each of its weeks lies at least
``min_lift`` above the fit: a two-week event is judged on both weeks at once, which doubles
its evidence. Consecutive such weeks form one event; its saliency is the sum of ``-log10 p``
over its weeks (each week's smallest p of the runs that hold it).

The post share is tested on its posts. The garment share (``fit_garment_share``, the unit of
the build's events) is tested on effective garments: a week's posts times the independent
garments a post is worth, ``share (1 - share) / variance`` of the posts' garment shares (the
build pools it per attribute over every city: about 5 on the Sample world; less where a post
repeats one outfit over its pictures). A post of five garments shows an attribute at all far
more often than each garment does, so the post share saturates where the garment share still
moves. The garment share's fit may take the sinusoid from 13 weeks on (the F-test still
decides): a line through a spring of falling boots reaches zero by summer, and every summer
week with boots then "breaks" it. Forecasts keep the 52 weeks: a sinusoid fitted on a quarter
year extrapolates badly (on a detector-backed Sample world it lost to the mean and linear
baselines).

``alpha`` is small because one build tests every city x attribute x week (about 12,000 tests
on a Sample world of 17 weeks). On the true garments of eight Sample worlds (``--scale 12``,
seeds 7-14, 16 planted events) the post-share rule at 1e-4 gave 11 events (precision 0.73,
recall 0.50); the garment-share rule at 3e-5 gives 12 (precision 0.92, recall 0.69):
``benchmarks/attribute_events_truth.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import betainc
from scipy.stats import f as f_dist
from scipy.stats import t as t_dist

FloatArray = npt.NDArray[np.float64]

YEAR_WEEKS = 52.1775
MIN_SEASONAL_SPAN = 52
EVENT_SEASONAL_SPAN = 13  # the event baseline may bend with the season over a quarter
REFITS = 2
P_FLOOR = 1e-300


@dataclass(frozen=True, slots=True)
class AttributeFit:
    """The fit of one weekly share series; ``expected`` is the fitted share of each week."""

    model: str
    origin_week: float
    coefficients: FloatArray
    intercept: float
    slope: float
    slope_p_value: float | None
    amplitude: float | None
    peak_week_of_year: float | None
    expected: FloatArray
    outliers: npt.NDArray[np.bool_]
    p_values: FloatArray

    def predict(self, weeks: npt.ArrayLike, *, trend: bool = True) -> FloatArray:
        """Fitted shares of absolute ``weeks``; ``trend=False`` holds the first week's level."""
        w = np.asarray(weeks, dtype=np.float64)
        design = _design(w, self.model == "seasonal+linear", self.origin_week)
        if not trend:
            design[:, 1] = 0.0
        return np.clip(design @ self.coefficients, 0.0, 1.0)


@dataclass(frozen=True, slots=True)
class AttributeEvent:
    """Consecutive weeks above the fit (indices into the series)."""

    start: int
    end: int
    peak: int
    observed_share: float
    expected_share: float
    min_p_value: float
    saliency: float


def _design(weeks: FloatArray, seasonal: bool, origin: float) -> FloatArray:
    t = weeks - origin
    columns = [np.ones_like(t), t]
    if seasonal:
        angle = 2 * np.pi * weeks / YEAR_WEEKS
        columns += [np.sin(angle), np.cos(angle)]
    return np.column_stack(columns)


def _wls(
    design: FloatArray, share: FloatArray, weight: FloatArray
) -> tuple[FloatArray, float, FloatArray]:
    """Coefficients, weighted residual sum of squares and coefficient standard errors."""
    root = np.sqrt(weight)
    a, y = design * root[:, None], share * root
    coef = np.asarray(np.linalg.lstsq(a, y, rcond=None)[0], dtype=np.float64)
    rss = float(np.sum((y - a @ coef) ** 2))
    if rss <= 1e-20 * float(np.sum(y**2)):  # an exact fit: what is left is rounding, not noise
        rss = 0.0
    dof = max(len(y) - design.shape[1], 1)
    try:
        covariance = np.linalg.inv(a.T @ a) * rss / dof
        errors = np.sqrt(np.maximum(np.diag(covariance), 0.0)).astype(np.float64)
    except np.linalg.LinAlgError:
        errors = np.full(design.shape[1], np.nan)
    return coef, rss, errors


def _choose(
    weeks: FloatArray, share: FloatArray, weight: FloatArray, origin: float, min_span: int
) -> tuple[bool, FloatArray]:
    """Whether the sinusoid is supported, and the coefficients of the chosen model."""
    linear, rss_linear, _ = _wls(_design(weeks, False, origin), share, weight)
    if weeks[-1] - weeks[0] + 1 < min_span or len(weeks) < 8:
        return False, linear
    seasonal, rss_seasonal, _ = _wls(_design(weeks, True, origin), share, weight)
    dof = len(weeks) - 4
    if rss_seasonal <= 0 or dof <= 0:
        return True, seasonal
    f_stat = ((rss_linear - rss_seasonal) / 2) / (rss_seasonal / dof)
    supported = bool(f_dist.sf(f_stat, 2, dof) < 0.05)
    return supported, seasonal if supported else linear


def _upper_tail(k: FloatArray, n: FloatArray, p: FloatArray) -> FloatArray:
    """P(X >= k) for X ~ Binomial(n, p), elementwise (1 where k <= 0); continuous in k and n
    (the regularised incomplete beta function), so effective counts need not be whole."""
    safe_k = np.maximum(k, 1e-12)
    return np.where(k <= 0, 1.0, betainc(safe_k, np.maximum(n - safe_k + 1, 1e-12), p))


def fit_attribute(
    weeks: npt.ArrayLike,
    posts: npt.ArrayLike,
    total: npt.ArrayLike,
    *,
    alpha: float = 1e-4,
    min_lift: float = 0.02,
    windows: int = 2,
    min_seasonal_span: int = MIN_SEASONAL_SPAN,
) -> AttributeFit:
    """Fit one series: ``weeks`` (absolute week numbers, ascending), ``posts`` k, ``total`` n
    (whole or effective counts); runs of up to ``windows`` weeks are tested for events. The
    sinusoid is tried on series spanning ``min_seasonal_span`` weeks or more."""
    w = np.asarray(weeks, dtype=np.float64)
    k = np.asarray(posts, dtype=np.float64)
    n = np.asarray(total, dtype=np.float64)
    share = k / n
    keep = np.ones(w.size, dtype=bool)
    for _ in range(REFITS + 1):
        fitted = keep  # the weeks ``coef`` is fitted on (the slope's error must be theirs)
        seasonal, coef = _choose(w[fitted], share[fitted], n[fitted], w[0], min_seasonal_span)
        expected = np.clip(_design(w, seasonal, w[0]) @ coef, 0.0, 1.0)
        outliers, p_values = _breaks(k, n, expected, alpha, min_lift, windows)
        if np.array_equal(~outliers, keep) or (~outliers).sum() < 4:
            break
        keep = ~outliers
    _, _, errors = _wls(_design(w[fitted], seasonal, w[0]), share[fitted], n[fitted])
    dof = max(int(fitted.sum()) - len(coef), 1)
    slope_p = (
        float(2 * t_dist.sf(abs(coef[1]) / errors[1], dof))
        if np.isfinite(errors[1]) and errors[1] > 0
        else None
    )
    amplitude = peak = None
    if seasonal:
        amplitude = float(np.hypot(coef[2], coef[3]))
        peak = float((np.arctan2(coef[2], coef[3]) / (2 * np.pi) * YEAR_WEEKS) % YEAR_WEEKS)
    return AttributeFit(
        model="seasonal+linear" if seasonal else "linear",
        origin_week=float(w[0]),
        coefficients=coef,
        intercept=float(coef[0]),
        slope=float(coef[1]),
        slope_p_value=slope_p,
        amplitude=amplitude,
        peak_week_of_year=peak,
        expected=expected,
        outliers=outliers,
        p_values=p_values,
    )


def garment_dispersion(
    share: npt.ArrayLike, standard_error: npt.ArrayLike, posts: npt.ArrayLike
) -> float:
    """How far a post's garment share spreads against one garment's, pooled over the weeks
    given (one series, or many concatenated): ``1 / dispersion`` is the independent garments
    a post is worth. 1.0 when the weeks hold no spread to measure."""
    m = np.asarray(share, dtype=np.float64)
    n = np.asarray(posts, dtype=np.float64)
    dof = np.maximum(n - 1, 0)
    binomial = float((dof * m * (1 - m)).sum())
    spread = float((dof * np.asarray(standard_error, dtype=np.float64) ** 2 * n).sum())
    return spread / binomial if binomial > 0 and spread > 0 else 1.0


def fit_garment_share(
    weeks: npt.ArrayLike,
    share: npt.ArrayLike,
    standard_error: npt.ArrayLike,
    posts: npt.ArrayLike,
    *,
    alpha: float = 1e-4,
    min_lift: float = 0.01,
    windows: int = 2,
    dispersion: float | None = None,
) -> AttributeFit:
    """Fit a garment-share series: each week's mean over ``posts`` posts of the share of a
    post's garments that show the attribute, with its ``standard_error``. It is fitted and
    tested as effective garments, ``posts / dispersion`` a week (``garment_dispersion``; pass
    one pooled over many series where a series has few posts: a handful of posts cannot
    measure their own spread)."""
    m = np.asarray(share, dtype=np.float64)
    n = np.asarray(posts, dtype=np.float64)
    if dispersion is None:
        dispersion = garment_dispersion(m, standard_error, n)
    trials = n / dispersion
    return fit_attribute(
        weeks,
        m * trials,
        trials,
        alpha=alpha,
        min_lift=min_lift,
        windows=windows,
        min_seasonal_span=EVENT_SEASONAL_SPAN,
    )


def _breaks(
    k: FloatArray, n: FloatArray, expected: FloatArray, alpha: float, min_lift: float, windows: int
) -> tuple[npt.NDArray[np.bool_], FloatArray]:
    """Weeks in a run of 1 .. ``windows`` weeks that breaks the fit (every week of it at least
    ``min_lift`` above), and each week's p-value (the smallest of the runs that hold it)."""
    bounded = np.clip(expected, 0.5 / n, 1.0 - 0.5 / n)
    p_values = np.maximum(_upper_tail(k, n, bounded), P_FLOOR)
    above = k / n >= expected + min_lift
    outliers = (p_values < alpha) & above
    sums = [np.concatenate([[0.0], np.cumsum(x)]) for x in (k, n, bounded * n, above)]
    for width in range(2, min(windows, k.size) + 1):
        run_k, run_n, run_expected, run_above = (x[width:] - x[:-width] for x in sums)
        run_p = np.maximum(_upper_tail(run_k, run_n, run_expected / run_n), P_FLOOR)
        # Every week of the run must lie above the fit: a strong week does not carry a plain one.
        for first in np.flatnonzero((run_p < alpha) & (run_above == width)):
            span = slice(first, first + width)
            outliers[span] = True
            p_values[span] = np.minimum(p_values[span], run_p[first])
    return outliers, p_values


def find_events(
    fit: AttributeFit, share: npt.ArrayLike, weight: npt.ArrayLike
) -> list[AttributeEvent]:
    """Group consecutive outlier weeks of a fit into events; ``share`` is the fitted series
    and ``weight`` its weekly posts (an event's shares are weighted by them)."""
    m = np.asarray(share, dtype=np.float64)
    n = np.asarray(weight, dtype=np.float64)
    events: list[AttributeEvent] = []
    index = 0
    flags = fit.outliers
    while index < flags.size:
        if not flags[index]:
            index += 1
            continue
        end = index
        while end + 1 < flags.size and flags[end + 1]:
            end += 1
        span = slice(index, end + 1)
        weeks_n = n[span].sum()
        events.append(
            AttributeEvent(
                start=index,
                end=end,
                peak=index + int(np.argmin(fit.p_values[span])),
                observed_share=float((m[span] * n[span]).sum() / weeks_n),
                expected_share=float((fit.expected[span] * n[span]).sum() / weeks_n),
                min_p_value=float(fit.p_values[span].min()),
                saliency=float(-np.log10(fit.p_values[span]).sum()),
            )
        )
        index = end + 1
    return events
