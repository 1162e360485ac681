"""GeoStyle-style attribute trends: a fit per city x attribute weekly share series, and events.

The share ``k/n`` of week ``t`` is fitted by weighted least squares (weights ``n``) with

    share(t) = intercept + slope · t + a · sin(2πw/52.18) + b · cos(2πw/52.18)

where ``t`` counts weeks from the series' first week and ``w`` is the absolute week (so the
phase is the week of the year). The yearly sinusoid is kept only where the data supports it:
the series spans at least 52 weeks and the sinusoid's F-test gives p < 0.05; otherwise the fit
is linear. Weeks that break the fit are left out and the fit is redone, twice, so events do
not bend the fit they are judged against. A run of 1 .. ``windows`` consecutive weeks breaks
the fit when its pooled posts pass a one-sided binomial test against the fit's pooled
expectation (``P(X >= k | n, share) < alpha``) and each of its weeks lies at least
``min_lift`` above the fit: a two-week event is judged on both weeks' posts at once, which
doubles its evidence. Consecutive such weeks form one event; its saliency is the sum of
``-log10 p`` over its weeks (each week's smallest p of the runs that hold it).

``alpha`` is small because one build tests every city x attribute x week (about 12,000 tests
on a Sample world of 17 weeks). On the true garments of five Sample worlds (``--scale 12``,
seeds 7-11, 10 planted events), one-week tests at 0.001 gave 27 events of which 6 were
planted; runs of up to two weeks at 1e-4 give 8, of which 6 (the same recall, 6 of 10):
``benchmarks/attribute_events_truth.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import bdtrc
from scipy.stats import f as f_dist
from scipy.stats import t as t_dist

FloatArray = npt.NDArray[np.float64]

YEAR_WEEKS = 52.1775
MIN_SEASONAL_SPAN = 52
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
    dof = max(len(y) - design.shape[1], 1)
    try:
        covariance = np.linalg.inv(a.T @ a) * rss / dof
        errors = np.sqrt(np.maximum(np.diag(covariance), 0.0)).astype(np.float64)
    except np.linalg.LinAlgError:
        errors = np.full(design.shape[1], np.nan)
    return coef, rss, errors


def _choose(
    weeks: FloatArray, share: FloatArray, weight: FloatArray, origin: float
) -> tuple[bool, FloatArray]:
    """Whether the sinusoid is supported, and the coefficients of the chosen model."""
    linear, rss_linear, _ = _wls(_design(weeks, False, origin), share, weight)
    if weeks[-1] - weeks[0] + 1 < MIN_SEASONAL_SPAN or len(weeks) < 8:
        return False, linear
    seasonal, rss_seasonal, _ = _wls(_design(weeks, True, origin), share, weight)
    dof = len(weeks) - 4
    if rss_seasonal <= 0 or dof <= 0:
        return True, seasonal
    f_stat = ((rss_linear - rss_seasonal) / 2) / (rss_seasonal / dof)
    supported = bool(f_dist.sf(f_stat, 2, dof) < 0.05)
    return supported, seasonal if supported else linear


def _upper_tail(k: FloatArray, n: FloatArray, p: FloatArray) -> FloatArray:
    """P(X >= k) for X ~ Binomial(n, p), elementwise (1 where k <= 0)."""
    return np.where(k <= 0, 1.0, bdtrc(np.maximum(k - 1, 0), n.astype(np.int64), p))


def fit_attribute(
    weeks: npt.ArrayLike,
    posts: npt.ArrayLike,
    total: npt.ArrayLike,
    *,
    alpha: float = 1e-4,
    min_lift: float = 0.02,
    windows: int = 2,
) -> AttributeFit:
    """Fit one series: ``weeks`` (absolute week numbers, ascending), ``posts`` k, ``total`` n;
    runs of up to ``windows`` weeks are tested for events."""
    w = np.asarray(weeks, dtype=np.float64)
    k = np.asarray(posts, dtype=np.float64)
    n = np.asarray(total, dtype=np.float64)
    share = k / n
    keep = np.ones(w.size, dtype=bool)
    for _ in range(REFITS + 1):
        seasonal, coef = _choose(w[keep], share[keep], n[keep], w[0])
        expected = np.clip(_design(w, seasonal, w[0]) @ coef, 0.0, 1.0)
        outliers, p_values = _breaks(k, n, expected, alpha, min_lift, windows)
        if np.array_equal(~outliers, keep) or (~outliers).sum() < 4:
            break
        keep = ~outliers
    _, _, errors = _wls(_design(w[keep], seasonal, w[0]), share[keep], n[keep])
    dof = max(int(keep.sum()) - len(coef), 1)
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
    fit: AttributeFit, posts: npt.ArrayLike, total: npt.ArrayLike
) -> list[AttributeEvent]:
    """Group consecutive outlier weeks of a fit into events."""
    k = np.asarray(posts, dtype=np.float64)
    n = np.asarray(total, dtype=np.float64)
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
                observed_share=float(k[span].sum() / weeks_n),
                expected_share=float((fit.expected[span] * n[span]).sum() / weeks_n),
                min_p_value=float(fit.p_values[span].min()),
                saliency=float(-np.log10(fit.p_values[span]).sum()),
            )
        )
        index = end + 1
    return events
