"""Forecasts of the coming weeks' share per city x attribute, and their error on held-back weeks.

The model is the attribute fit (``trendminer.trends.attributes``: event weeks left out, the
yearly sinusoid where supported) with the trend kept only when its slope is significant
(p < 0.05), else the level of the non-event weeks; a 95% interval from the binomial spread at
the series' mean weekly volume. Its mean absolute error on the last ``horizon`` weeks, fitted
without them, is set against three baselines fitted on the same weeks: the mean share, the
last week's share, and an ordinary least-squares line through the shares.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from trendminer.trends.attributes import AttributeFit, fit_attribute

FloatArray = npt.NDArray[np.float64]

SIGNIFICANT = 0.05
Z95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class Forecast:
    """Predicted shares (and 95% bounds) of the weeks asked for."""

    share: FloatArray
    lower: FloatArray
    upper: FloatArray


@dataclass(frozen=True, slots=True)
class ForecastErrors:
    """Mean absolute errors (share points as fractions) on the held-back weeks."""

    held_out_weeks: int
    model: float
    mean: float
    last_value: float
    linear: float


def forecast_shares(
    weeks: npt.ArrayLike,
    posts: npt.ArrayLike,
    total: npt.ArrayLike,
    future: npt.ArrayLike,
    *,
    alpha: float = 0.001,
    fit: AttributeFit | None = None,
) -> Forecast:
    """Shares of the ``future`` absolute weeks from the observed series (and its fit, if made)."""
    w = np.asarray(weeks, dtype=np.float64)
    k = np.asarray(posts, dtype=np.float64)
    n = np.asarray(total, dtype=np.float64)
    ahead = np.asarray(future, dtype=np.float64)
    fit = fit or fit_attribute(w, k, n, alpha=alpha)
    if fit.slope_p_value is not None and fit.slope_p_value < SIGNIFICANT:
        share = fit.predict(ahead)
    else:
        keep = ~fit.outliers
        level = float(k[keep].sum() / n[keep].sum())
        seasonal = fit.predict(ahead, trend=False) - fit.intercept
        share = level + seasonal - float((fit.predict(w[keep], trend=False) - fit.intercept).mean())
    share = np.clip(share, 0.0, 1.0)
    volume = max(float(n.mean()), 1.0)
    spread = Z95 * np.sqrt(share * (1 - share) / volume)
    return Forecast(share, np.clip(share - spread, 0, 1), np.clip(share + spread, 0, 1))


def evaluate_forecast(
    weeks: npt.ArrayLike,
    posts: npt.ArrayLike,
    total: npt.ArrayLike,
    horizon: int,
    *,
    alpha: float = 0.001,
) -> ForecastErrors:
    """Errors of the model and the baselines on the last ``horizon`` weeks."""
    w = np.asarray(weeks, dtype=np.float64)
    k = np.asarray(posts, dtype=np.float64)
    n = np.asarray(total, dtype=np.float64)
    cut = w.size - horizon
    train_w, train_k, train_n = w[:cut], k[:cut], n[:cut]
    actual = k[cut:] / n[cut:]
    predicted = forecast_shares(train_w, train_k, train_n, w[cut:], alpha=alpha).share
    train_share = train_k / train_n
    slope, intercept = np.polyfit(train_w - train_w[0], train_share, 1)
    linear = intercept + slope * (w[cut:] - train_w[0])
    return ForecastErrors(
        held_out_weeks=horizon,
        model=float(np.abs(predicted - actual).mean()),
        mean=float(np.abs(train_k.sum() / train_n.sum() - actual).mean()),
        last_value=float(np.abs(train_share[-1] - actual).mean()),
        linear=float(np.abs(np.clip(linear, 0, 1) - actual).mean()),
    )
