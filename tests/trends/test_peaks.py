"""The stand-alone peak detector on small hand-made series."""

from __future__ import annotations

from typing import Any

import numpy as np

from trendminer.trends.peaks import (
    SeriesScores,
    _phase_shares,
    detect_period,
    find_peaks,
    peak_runs,
    score_matrix,
    score_series,
    score_shares,
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
    assert best.widths()[80] == 3  # the run 78 .. 80 scored it
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
    assert best.widths()[80] == 1
    assert np.nanmax(best.score[81:83]) < 4.5


WEEKDAY = np.array([0.9, 0.9, 0.95, 1.0, 1.05, 1.15, 1.05])


def whole_and_parts(
    shares: np.ndarray, *, days: int = 100, seed: int = 5, profile: np.ndarray = WEEKDAY
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A busy weekly series of all posts and Poisson parts of it (rows) at the given shares."""
    rng = np.random.default_rng(seed)
    week = np.tile(WEEKDAY, days // 7 + 1)[:days]
    whole = rng.poisson(500 * week * (1 + 0.002 * np.arange(days))).astype(float)
    part_week = np.tile(profile, days // 7 + 1)[:days]
    means = shares[:, None] * 500 * part_week[None, :] * (1 + 0.002 * np.arange(days))
    return whole, rng.poisson(means).astype(float), means


def share_scores(
    whole: np.ndarray, parts: np.ndarray, trim: float = 3.5
) -> tuple[SeriesScores, SeriesScores]:
    """The parts scored as shares of the whole, and each on its own history (as before)."""
    common: dict[str, Any] = {"period": 7, "history": 56, "min_history": 28, "min_baseline": 3.0}
    reference = score_series(whole, period=7, history=56, min_history=28, counts=True)
    starts = np.zeros(parts.shape[0], dtype=np.int64)
    shared = score_shares(parts, whole, reference, starts=starts, trim=trim, **common)
    own = score_matrix(parts, counts=True, **common)
    return shared, own


def test_parts_take_the_wholes_week_so_their_baseline_is_sure_five_weeks_in() -> None:
    """At 30 posts a day, a city's five weeks of weekday medians miss its true mean by about 8 %,
    its share of all posts times their baseline by about 3 %, so a two-day 1.9x burst (Paris's
    fashion days) is found in its sixth week."""
    whole, parts, means = whole_and_parts(np.full(60, 0.06))
    shared, own = share_scores(whole, parts)
    error = [np.median(np.abs(s.baseline[:, 28:36] / means[:, 28:36] - 1)) for s in (shared, own)]
    assert error[0] < 0.045
    assert error[0] < error[1] / 2
    parts[:, 36:38] += np.random.default_rng(8).poisson(0.9 * means[:, 36:38])
    shared, _ = share_scores(whole, parts)
    best = window_scores(parts, shared, windows=3, threshold=4.5, counts=True)
    assert (np.nanmax(best.score[:, 36:38], axis=1) >= 4.5).mean() >= 0.8


def test_parts_of_many_sizes_raise_no_false_peak() -> None:
    shares = np.random.default_rng(2).uniform(0.002, 0.05, size=150)
    whole, parts, _ = whole_and_parts(shares)
    shared, _ = share_scores(whole, parts)
    best = window_scores(parts, shared, windows=3, threshold=4.5, counts=True)
    assert np.nanmax(best.score) < 4.5  # 150 series x 72 days judged
    assert np.isnan(best.score[:, :28]).all()  # four weeks of history before the first judgement


def test_a_part_whose_week_differs_keeps_its_own_profile() -> None:
    """A city that goes out on Fridays and Saturdays, not Sundays: its own profile, not the
    whole's, makes its baseline, so its Fridays are not peaks."""
    friday_city = np.array([0.8, 0.8, 0.8, 0.9, 1.9, 1.9, 0.5])
    whole, parts, means = whole_and_parts(np.full(30, 0.03), profile=friday_city)
    shared, _ = share_scores(whole, parts)
    fridays = np.arange(60, 100)[np.arange(60, 100) % 7 == 4]
    ratio = shared.baseline[:, fridays] / means[:, fridays]
    assert abs(np.median(ratio) - 1) < 0.1
    best = window_scores(parts, shared, windows=3, threshold=4.5, counts=True)
    assert np.nanmax(best.score) < 4.5


def test_a_parts_own_past_burst_does_not_raise_its_share() -> None:
    """Two days at 4x would lift a plain ratio of sums by about 10 % for eight weeks; they are
    left out of the share, so the baseline after them stays where it was."""
    whole, parts, _ = whole_and_parts(np.full(1, 0.04))
    calm, _ = share_scores(whole, parts)
    parts[0, 40:42] *= 4
    after, _ = share_scores(whole, parts)
    untrimmed, _ = share_scores(whole, parts, trim=np.inf)
    assert after.score[0, 40] > 4.5
    lift = [np.mean(s.baseline[0, 50:70] / calm.baseline[0, 50:70]) - 1 for s in (after, untrimmed)]
    assert abs(lift[0]) < 0.02
    assert lift[1] > 0.05


def test_a_part_that_takes_off_is_followed_not_flagged() -> None:
    """A hashtag whose share of all posts triples over four months: a level share would lag
    its growth (median score 2.4, dozens of false peak days); the share's trend follows it."""
    rng = np.random.default_rng(1)
    days = 120
    week = np.tile(WEEKDAY, days // 7 + 1)[:days]
    whole = rng.poisson(2000 * week).astype(float)
    share = 0.02 * 3 ** (np.arange(days) / days)
    parts = rng.poisson(np.tile(share * 2000 * week, (40, 1))).astype(float)
    shared, _ = share_scores(whole, parts)
    best = window_scores(parts, shared, windows=3, threshold=4.5, counts=True)
    assert np.nanmax(best.score) < 4.5
    assert abs(np.nanmedian(best.score)) < 0.5


def test_a_detrended_part_that_sums_below_zero_keeps_its_variances_non_negative() -> None:
    """A festival's hashtag, busy for days and then silent, has a falling trend; taken off, its
    part can sum below zero. The shares' variances must stay >= 0: a negative one made a NaN
    scale, and so an unjudged day, in a Sample world."""
    detrended = np.array(
        [[-3.0, -1.0, 0.5, -2.0, -1.5, 0.0, -0.5, -2.5, -1.0, 0.0, -1.0, -0.5, -2.0, -1.0]]
    )
    whole = np.full((1, 14), 500.0)
    kept = np.ones((1, 14), dtype=bool)
    phases = np.arange(14) % 7
    for period in (1, 7):
        shares, variance = _phase_shares(
            detrended, whole, kept, phases % period, period, np.ones(1)
        )
        assert (shares < 0).any()
        assert (variance >= 0).all()
