"""Which cities lead which: lagged correlation and a Granger test on weekly attribute shares.

Per attribute and ordered pair of cities (leader, follower), the week-to-week changes of their
shares are correlated with the leader shifted by 1 .. ``max_lag`` weeks; the lag with the
highest correlation is kept, and at that lag a Granger F-test asks whether the leader's past
changes improve an autoregression of the follower's changes. Weeks missing in either city are
left out of that pair: the lags are taken on the calendar (a lag of 2 is two weeks back, across
a gap), and a week whose change or lagged changes are missing is left out of the regressions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import f as f_dist

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Influence:
    """How ``leader`` (a row index) leads ``follower``."""

    leader: int
    follower: int
    lag_weeks: int
    correlation: float
    granger_f: float | None
    granger_p: float | None
    weeks: int


def _lagged(matrix: FloatArray, lag: int) -> FloatArray:
    """Columns of ``lag`` .. end followed by their ``lag`` predecessors (past first)."""
    columns = [matrix[:, lag - step : matrix.shape[1] - step] for step in range(1, lag + 1)]
    return np.stack(columns, axis=-1)


def granger(leader: FloatArray, follower: FloatArray, lag: int) -> tuple[float, float] | None:
    """F statistic and p-value of "leader's past helps predict follower" (consecutive weeks;
    NaN = missing: a week is used when its value and every lagged value are present)."""
    y = follower[lag:]
    own = _lagged(follower[None, :], lag)[0]
    other = _lagged(leader[None, :], lag)[0]
    present = ~(np.isnan(y) | np.isnan(own).any(axis=1) | np.isnan(other).any(axis=1))
    y, own, other = y[present], own[present], other[present]
    restricted = np.column_stack([np.ones(y.size), own])
    full = np.column_stack([restricted, other])
    dof = y.size - full.shape[1]
    if dof <= 0:
        return None
    rss_r = float(np.sum((y - restricted @ np.linalg.lstsq(restricted, y, rcond=None)[0]) ** 2))
    rss_f = float(np.sum((y - full @ np.linalg.lstsq(full, y, rcond=None)[0]) ** 2))
    if rss_f <= 0:
        return None
    statistic = ((rss_r - rss_f) / lag) / (rss_f / dof)
    return statistic, float(f_dist.sf(statistic, lag, dof))


def city_influence(shares: FloatArray, *, max_lag: int = 8, min_weeks: int = 16) -> list[Influence]:
    """Every ordered pair of rows of ``shares`` (cities x consecutive weeks, NaN = missing)."""
    changes = np.diff(shares, axis=1)
    result: list[Influence] = []
    cities = changes.shape[0]
    for leader in range(cities):
        for follower in range(cities):
            if leader == follower:
                continue
            best: tuple[float, int] | None = None
            for lag in range(1, max_lag + 1):
                x, y = changes[leader, :-lag], changes[follower, lag:]
                both = ~(np.isnan(x) | np.isnan(y))
                if both.sum() < min_weeks:
                    continue
                xs, ys = x[both], y[both]
                if xs.std() == 0 or ys.std() == 0:
                    continue
                correlation = float(np.corrcoef(xs, ys)[0, 1])
                if best is None or correlation > best[0]:
                    best = (correlation, lag)
            if best is None:
                continue
            correlation, lag = best
            test = granger(changes[leader], changes[follower], lag)
            result.append(
                Influence(
                    leader=leader,
                    follower=follower,
                    lag_weeks=lag,
                    correlation=correlation,
                    granger_f=None if test is None else test[0],
                    granger_p=None if test is None else test[1],
                    weeks=int((~np.isnan(changes[[leader, follower]]).any(axis=0)).sum()),
                )
            )
    return result
