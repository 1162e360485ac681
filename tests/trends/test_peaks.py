"""The stand-alone peak detector on small hand-made series."""

from __future__ import annotations

import numpy as np

from trendminer.trends.peaks import (
    detect_period,
    find_peaks,
    peak_runs,
    score_matrix,
    score_series,
    window_scores,
)


def weekly_series(days: int = 120, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    index = np.arange(days)
    mean = 40 + 25 * (index % 7 >= 5) + 0.05 * index
    return rng.poisson(mean).astype(float)


def test_weekend_bumps_are_not_peaks_but_a_planted_day_is() -> None:
    values = weekly_series()
    assert find_peaks(values, period=7, counts=True) == []
    values[90] = values[90] * 1.8
    peaks = find_peaks(values, period=7, counts=True)
    assert [(p.start, p.end, p.peak) for p in peaks] == [(90, 90, 90)]
    assert peaks[0].value > peaks[0].baseline * 1.5
    assert peaks[0].score >= 3


def test_without_the_period_the_weekend_looks_like_peaks() -> None:
    values = weekly_series()
    assert len(find_peaks(values, period=1, counts=True)) > 3


def test_each_point_is_judged_only_from_the_points_before_it() -> None:
    values = weekly_series()
    values[70:73] += 60
    full = score_series(values, period=7, counts=True)
    prefix = score_series(values[:75], period=7, counts=True)
    np.testing.assert_array_equal(full.score[:75], prefix.score)
    np.testing.assert_array_equal(full.baseline[:75], prefix.baseline)


def test_a_later_start_with_absolute_phases_gives_the_same_judgements() -> None:
    values = weekly_series()
    whole = score_series(values, period=7, history=56, first=80)
    cut = score_series(values[20:], period=7, phase_offset=20, history=56, first=60)
    np.testing.assert_allclose(whole.score[80:], cut.score[60:])


def test_consecutive_peak_points_make_one_peak() -> None:
    score = np.array([np.nan, 0, 4, 5, 3.5, 1, 3, np.nan])
    assert peak_runs(score, 3.0) == [(2, 4, 3), (6, 6, 6)]


def test_a_trend_is_followed_not_flagged() -> None:
    values = np.linspace(10, 200, 150) + np.random.default_rng(0).normal(0, 2, 150)
    scores = score_series(values, period=1)
    assert np.nanmean(scores.score >= 3) < 0.02  # noise only; a missed trend flags them all
    assert abs(np.nanmedian(scores.score)) < 0.5


def test_the_period_is_found() -> None:
    assert detect_period(weekly_series(), (7,)) == 7
    assert detect_period(np.random.default_rng(1).normal(10, 1, 100), (7,)) == 1


def test_a_floored_baseline_needs_a_burst_not_one_or_two_posts() -> None:
    values = np.zeros(60)
    values[50] = 2
    values[55] = 16
    scores = score_matrix(values, period=7, counts=True, min_baseline=3.0)
    assert scores.baseline[0, 50] == 3.0
    assert scores.score[0, 50] < 1
    assert scores.score[0, 55] > 4.5
    unfloored = score_matrix(values, period=7, counts=True)
    assert unfloored.score[0, 50] > scores.score[0, 50]


def test_small_noisy_series_many_times_over_raise_no_daily_peak() -> None:
    rng = np.random.default_rng(11)
    weekday = np.array([0.9, 0.9, 0.95, 1.0, 1.05, 1.15, 1.05])
    means = rng.uniform(0.2, 12, size=(150, 1)) * np.tile(weekday, 18)[None, :120]
    values = rng.poisson(means).astype(float)
    scores = score_matrix(
        values, period=7, history=56, min_history=28, counts=True, min_baseline=3.0
    )
    best = window_scores(values, scores, windows=3, threshold=4.5, counts=True)
    assert np.nanmax(best.score) < 4.5  # 150 series x 100 days judged: no false alarm
    assert np.nansum(scores.score >= 3.0) > 0  # a single series' threshold would raise some


def test_a_rise_spread_over_days_is_found_by_its_window_and_judged_causally() -> None:
    values = weekly_series(days=100)
    values[78:81] += 20  # about 3 standard deviations a day: no single day breaks 4.5
    single = score_series(values, period=7, counts=True)
    assert np.nanmax(single.score[78:81]) < 4.5
    best = window_scores(values, single, windows=3, threshold=4.5, counts=True)
    assert best.score[80] >= 4.5
    assert np.nanmax(best.score[:78]) < 4.5
    prefix = window_scores(
        values[:80],
        score_series(values[:80], period=7, counts=True),
        windows=3,
        threshold=4.5,
        counts=True,
    )
    np.testing.assert_array_equal(best.score[:80], prefix.score)


def test_a_published_single_day_peak_is_not_carried_into_the_next_days() -> None:
    values = weekly_series(days=100)
    values[80] += 150
    single = score_series(values, period=7, counts=True)
    best = window_scores(values, single, windows=3, threshold=4.5, counts=True)
    assert best.score[80] >= 4.5
    assert np.nanmax(best.score[81:83]) < 4.5
