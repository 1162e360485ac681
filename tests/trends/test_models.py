"""Sentiment test, attribute fits and events, forecasts and city influence on hand-made data."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import t as t_dist

from trendminer.trends import attributes
from trendminer.trends.attributes import (
    find_events,
    fit_attribute,
    fit_garment_share,
    garment_dispersion,
)
from trendminer.trends.forecast import evaluate_forecast, forecast_shares
from trendminer.trends.influence import city_influence
from trendminer.trends.models import WeeklySeries, garment_events
from trendminer.trends.sentiment import score_sentiment


def test_a_negative_share_jump_is_a_peak_and_does_not_lift_later_baselines() -> None:
    rng = np.random.default_rng(2)
    labelled = np.full(80, 100.0)
    negative = rng.binomial(100, 0.1, 80).astype(float)
    negative[40:42] = 32
    result = score_sentiment(negative, labelled, history=28, min_history=7)
    assert list(np.flatnonzero(result.is_peak)) == [40, 41]
    assert abs(result.baseline[45] - 0.1) < 0.03
    assert not result.judged[:7].any()


def test_too_little_volume_is_never_a_peak() -> None:
    labelled = np.full(40, 5.0)
    negative = np.zeros(40)
    negative[30] = 5
    assert not score_sentiment(negative, labelled, min_volume=20).is_peak.any()


def _shares(weeks: np.ndarray, share: np.ndarray, n: int = 400, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).binomial(n, np.clip(share, 0, 1)).astype(float)


def test_a_rising_attribute_gets_a_positive_significant_slope() -> None:
    weeks = np.arange(1000, 1030, dtype=float)
    posts = _shares(weeks, 0.10 + 0.004 * (weeks - 1000))
    fit = fit_attribute(weeks, posts, np.full(30, 400.0))
    assert fit.model == "linear"
    assert 0.002 < fit.slope < 0.006
    assert fit.slope_p_value is not None
    assert fit.slope_p_value < 0.001


def test_a_yearly_cycle_is_fitted_where_two_years_support_it() -> None:
    weeks = np.arange(1000, 1104, dtype=float)
    share = 0.2 + 0.08 * np.cos(2 * np.pi * (weeks - 20) / 52.1775)
    fit = fit_attribute(weeks, _shares(weeks, share), np.full(104, 400.0))
    assert fit.model == "seasonal+linear"
    assert fit.amplitude is not None
    assert abs(fit.amplitude - 0.08) < 0.02
    short = fit_attribute(weeks[:30], _shares(weeks[:30], share[:30]), np.full(30, 400.0))
    assert short.model == "linear"


def test_planted_weeks_make_one_event_and_do_not_bend_the_fit() -> None:
    weeks = np.arange(1000, 1040, dtype=float)
    share = np.full(40, 0.15)
    share[20:23] = 0.30
    posts = _shares(weeks, share)
    fit = fit_attribute(weeks, posts, np.full(40, 400.0))
    events = find_events(fit, posts / 400.0, np.full(40, 400.0))
    assert [(e.start, e.end) for e in events] == [(20, 22)]
    assert abs(events[0].expected_share - 0.15) < 0.02
    assert events[0].observed_share > 0.25
    assert events[0].saliency > 10


def test_a_two_week_event_is_judged_on_both_weeks_at_once() -> None:
    weeks = np.arange(1000, 1030, dtype=float)
    total = np.full(30, 100.0)
    posts = np.full(30, 20.0)
    posts[12:14] = 33  # +13 points two weeks running: neither week alone passes alpha
    alone = fit_attribute(weeks, posts, total, windows=1)
    pooled = fit_attribute(weeks, posts, total)
    assert not alone.outliers.any()
    assert list(np.flatnonzero(pooled.outliers)) == [12, 13]
    assert pooled.p_values[12] == pooled.p_values[13] < 1e-4
    assert [(e.start, e.end) for e in find_events(pooled, posts / total, total)] == [(12, 13)]


def test_one_noisy_week_among_thousands_of_tests_is_no_event() -> None:
    weeks = np.arange(1000, 1030, dtype=float)
    total = np.full(30, 100.0)
    posts = np.full(30, 20.0)
    posts[12] = 33  # p ~ 0.001: about 12 such weeks in a build's 12,000 tests by chance
    assert not fit_attribute(weeks, posts, total).outliers.any()


def _garment_weeks(
    chance: np.ndarray, posts: int = 300, garments: int = 5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Each week's mean share of a post's garments showing the attribute, and its standard
    error, from ``posts`` posts of ``garments`` garments each shown with ``chance``."""
    shown = np.random.default_rng(seed).binomial(garments, chance[:, None], (chance.size, posts))
    fractions = shown / garments
    return fractions.mean(axis=1), fractions.std(axis=1, ddof=1) / np.sqrt(posts)


def test_a_garment_share_event_is_found_from_the_posts_own_spread() -> None:
    weeks = np.arange(1000, 1030, dtype=float)
    chance = np.full(30, 0.10)
    chance[20:22] = 0.14  # +4 garment points for two weeks
    share, error = _garment_weeks(chance)
    fit = fit_garment_share(weeks, share, error, np.full(30, 300.0))
    events = find_events(fit, share, np.full(30, 300.0))
    assert [(e.start, e.end) for e in events] == [(20, 21)]
    assert abs(events[0].expected_share - 0.10) < 0.01
    plain, plain_error = _garment_weeks(np.full(30, 0.10), seed=1)
    assert not fit_garment_share(weeks, plain, plain_error, np.full(30, 300.0)).outliers.any()


def test_a_garment_share_lift_within_the_posts_spread_is_no_event() -> None:
    weeks = np.arange(1000, 1030, dtype=float)
    share = np.full(30, 0.10)
    share[20:22] = 0.13
    tight = fit_garment_share(weeks, share, np.full(30, 0.004), np.full(30, 300.0))
    loose = fit_garment_share(weeks, share, np.full(30, 0.02), np.full(30, 300.0))
    assert list(np.flatnonzero(tight.outliers)) == [20, 21]
    assert not loose.outliers.any()


def test_the_garment_share_baseline_bends_with_the_season_over_a_quarter() -> None:
    weeks = np.arange(1310, 1327, dtype=float)  # 17 weeks through a seasonal trough
    share = 0.10 + 0.08 * np.cos(2 * np.pi * (weeks - 1290) / 52.1775)
    posts = np.full(17, 600.0)
    error = np.sqrt(share * (1 - share) / 5 / posts)  # five independent garments a post
    fit = fit_garment_share(weeks, share, error, posts, alpha=3e-5)
    assert fit.model == "seasonal+linear"
    assert not fit.outliers.any()
    # A line through the same effective garments calls the trough's ends events.
    line = fit_attribute(weeks, share * posts * 5, posts * 5, alpha=3e-5, min_lift=0.01)
    assert line.model == "linear"
    assert line.outliers.any()


def _garment_series(share: np.ndarray, error: np.ndarray, posts: np.ndarray) -> WeeklySeries:
    weeks = np.arange(1000, 1000 + share.size, dtype=float)
    return WeeklySeries(
        ("Nairobi", "class", "dress"), weeks, share * posts, posts, share, error, posts
    )


def test_a_handful_of_posts_makes_no_garment_event_however_odd() -> None:
    posts = np.full(17, 3.0)
    share = np.full(17, 0.04)
    error = np.full(17, 0.03)
    posts[12], share[12], error[12] = 1.0, 1.0, 0.0  # one post, its one box a dress
    series = _garment_series(share, error, posts)
    assert not garment_events(series, 3e-5, {("class", "dress"): 0.2})[1]
    busy = _garment_series(share, error, posts * 20)
    busy.garment_share[12] = 0.3  # twenty posts a third in dresses: an event
    weeks, events = garment_events(busy, 3e-5, {("class", "dress"): 0.2})
    assert [(e.start, e.end) for e in events] == [(12, 12)]
    assert np.array_equal(weeks, busy.weeks)


def test_the_garment_dispersion_pools_the_posts_spread() -> None:
    share, error = _garment_weeks(np.full(30, 0.1), posts=400, garments=5, seed=3)
    assert 4.5 < 1 / garment_dispersion(share, error, np.full(30, 400.0)) < 5.5
    assert garment_dispersion(np.zeros(3), np.zeros(3), np.full(3, 9.0)) == 1.0


def test_the_forecast_beats_the_baselines_on_a_trend_with_an_event() -> None:
    weeks = np.arange(1000, 1040, dtype=float)
    share = 0.1 + 0.003 * (weeks - 1000)
    share[34] += 0.15  # an event just before the held-back weeks fools last-value
    posts = _shares(weeks, share, seed=4)
    total = np.full(40, 400.0)
    errors = evaluate_forecast(weeks, posts, total, 4)
    assert errors.model < min(errors.mean, errors.last_value)
    assert errors.model <= errors.linear
    ahead = forecast_shares(weeks, posts, total, np.array([1040.0, 1041.0]))
    assert (ahead.lower < ahead.share).all()
    assert (ahead.share < ahead.upper).all()
    assert abs(ahead.share[0] - (0.1 + 0.003 * 40)) < 0.03


def test_a_city_that_copies_another_two_weeks_later_follows_it() -> None:
    rng = np.random.default_rng(5)
    leader = 0.2 + np.cumsum(rng.normal(0, 0.02, 60))
    follower = np.empty(60)
    follower[2:] = leader[:-2] + rng.normal(0, 0.003, 58)
    follower[:2] = 0.2
    found = {(i.leader, i.follower): i for i in city_influence(np.vstack([leader, follower]))}
    assert found[(0, 1)].lag_weeks == 2
    assert found[(0, 1)].correlation > 0.8
    assert found[(0, 1)].granger_p is not None
    assert found[(0, 1)].granger_p < 0.001
    assert found[(1, 0)].correlation < 0.5


def test_the_slope_p_value_is_of_the_weeks_the_slope_was_fitted_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no refit left, the outlier week found by the last fit is not refitted: the slope
    and its p-value are both those of the fit over every week."""
    monkeypatch.setattr(attributes, "REFITS", 0)
    weeks = np.arange(20.0) + 1000
    total = np.full(20, 200.0)
    posts = 20 + 0.8 * np.arange(20) + np.tile([3.0, -2.0, 0.0, -1.0], 5)
    posts[10] += 60
    fit = fit_attribute(weeks, posts, total)
    assert fit.outliers[10]
    coef, _, errors = attributes._wls(
        attributes._design(weeks, False, weeks[0]), posts / total, total
    )
    assert fit.slope == pytest.approx(coef[1])
    assert fit.slope_p_value == pytest.approx(2 * t_dist.sf(abs(coef[1]) / errors[1], 18))


def test_a_constant_share_has_no_slope_test() -> None:
    """An exact fit leaves only rounding in the residuals: no p-value out of it."""
    fit = fit_attribute(np.arange(20.0), np.full(20, 10.0), np.full(20, 50.0))
    assert fit.slope == pytest.approx(0.0, abs=1e-12)
    assert fit.slope_p_value is None


def test_a_day_a_run_of_days_makes_a_peak_is_judged_even_where_its_own_history_is_thin() -> None:
    """Day 15's own 14 days hold 9 labelled posts (too few for a baseline), but the run of days
    14-15 has day 14's baseline (day 0's 100 posts): the peak is a judged day, not 'too early'."""
    labelled, negative = np.zeros(18), np.zeros(18)
    labelled[0], negative[0] = 100, 10
    labelled[14:16], negative[14:16] = 9, 9
    result = score_sentiment(negative, labelled, history=14, min_history=7, windows=2)
    assert result.is_peak[15]
    assert result.judged[15]
    assert result.width[15] == 2


def test_a_follower_with_missing_weeks_is_tested_at_its_calendar_lag() -> None:
    rng = np.random.default_rng(3)
    leader = rng.normal(0, 1, 60).cumsum()
    follower = np.full(60, np.nan)
    follower[2:] = leader[:-2]
    follower += rng.normal(0, 0.3, 60)
    follower[7::10] = np.nan  # a week without posts now and then
    found = {(i.leader, i.follower): i for i in city_influence(np.vstack([leader, follower]))}
    assert found[(0, 1)].lag_weeks == 2
    assert found[(0, 1)].granger_p is not None
    assert found[(0, 1)].granger_p < 1e-6


def test_a_negative_rise_over_a_few_days_is_found_by_its_run_of_days() -> None:
    rng = np.random.default_rng(5)
    labelled = np.full(70, 30.0)
    negative = rng.binomial(30, 0.15, 70).astype(float)
    negative[60:63] = [10, 10, 11]  # about 33% a day against 15%: weak alone, strong together
    alone = score_sentiment(negative, labelled, history=28, min_history=7)
    assert not alone.is_peak[60:63].any()
    runs = score_sentiment(negative, labelled, history=28, min_history=7, windows=3)
    assert runs.is_peak[62]
    assert not runs.is_peak[:60].any()
    prefix = score_sentiment(negative[:62], labelled[:62], history=28, min_history=7, windows=3)
    np.testing.assert_array_equal(runs.is_peak[:62], prefix.is_peak)
