"""Judge the daily series: activity peaks and negative-sentiment peaks for a window of days.

An activity day is scored on its posts, provided its activity index rose too (otherwise the
smaller of the two scores): one post with very many likes does not make a peak, more posts with
their likes do, and the heavy-tailed likes do not drown a rise in posts. The series are the
margins of the daily tables: all posts (``'*'``, ``'*'``), each hashtag (``hashtag``, ``'*'``)
and each city (``'*'``, ``city``); all posts is judged on its own history, the others as its
parts (``score_shares``: their share of it times its baseline). A series begins on its first
day in the table; a day is judged from at most ``history_span`` days before it, read from the
tables, so a window built alone gives the rows a full rebuild gives. Because every series is
judged every day, the rules are stricter than for one series (see ``sql/README.md``:
threshold, baseline floor, runs of days); the sentiment test counts posts, each with its
comments as one unit (they agree).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from trendminer.db.copy import copy_rows, to_copy_text
from trendminer.settings import Settings
from trendminer.trends.peaks import SeriesScores, score_matrix, score_shares, window_scores
from trendminer.trends.sentiment import score_sentiment

WEEK = 7
INDEX_TOLERANCE = 1.0
"""Robust standard deviations the activity index may lie below its baseline on a posts peak."""

Series = tuple[str, str]
ALL: Series = ("*", "*")

_FIRST_DAYS = """
SELECT hashtag, city, min(day) FROM {table}
WHERE (hashtag = '*' OR city = '*') AND day <= :end
GROUP BY hashtag, city ORDER BY hashtag, city
"""

_PREVIOUS_DAY = """
SELECT hashtag, city, run_start FROM {table} WHERE day = :day AND is_peak
"""

ACTIVITY_COLUMNS = (
    "hashtag", "city", "day", "activity", "baseline", "score", "size", "label", "is_peak",
    "run_start", "window_start",
)  # fmt: skip
SENTIMENT_COLUMNS = (
    "hashtag", "city", "day", "labelled", "negative", "negative_share", "baseline_share",
    "p_value", "label", "is_peak", "run_start", "window_start",
)  # fmt: skip


def history_span(settings: Settings) -> int:
    """Days before a judged day that its judgement reads: the baseline's history, plus the
    earlier days of its longest run, activity or sentiment (each judged from its own history)."""
    longest = max(settings.peak_window_days, settings.sentiment_peak_window_days)
    return settings.peak_history_days + longest - 1


@dataclass(frozen=True, slots=True)
class DailyFrame:
    """Aligned daily series: rows = series, columns = days from ``first_day``."""

    series: list[Series]
    first_day: date
    starts: np.ndarray
    values: dict[str, np.ndarray]


def _load(
    connection: Connection,
    table: str,
    columns: dict[str, str],
    start: date,
    end: date,
    history: int,
) -> DailyFrame:
    first_day = start - timedelta(days=history)
    firsts = connection.execute(text(_FIRST_DAYS.format(table=table)), {"end": end}).all()
    series = [(row[0], row[1]) for row in firsts]
    index = {key: i for i, key in enumerate(series)}
    width = (end - first_day).days + 1
    values = {name: np.zeros((len(series), width)) for name in columns}
    starts = np.array([max(0, (row[2] - first_day).days) for row in firsts], dtype=np.int64)
    selected = ", ".join(columns.values())
    rows = connection.execute(
        text(
            f"SELECT hashtag, city, day, {selected} FROM {table} "
            "WHERE (hashtag = '*' OR city = '*') AND day BETWEEN :lo AND :end"
        ),
        {"lo": first_day, "end": end},
    )
    for row in rows:
        position = index.get((row[0], row[1]))
        if position is None:
            continue
        day = (row[2] - first_day).days
        for offset, name in enumerate(columns):
            values[name][position, day] = float(row[3 + offset])
    return DailyFrame(series, first_day, starts, values)


def _run_starts(
    connection: Connection, table: str, frame: DailyFrame, peaks: np.ndarray, first: int
) -> list[list[date | None]]:
    """For each peak day, the first day of its run of consecutive peak days."""
    before = {
        (row[0], row[1]): row[2]
        for row in connection.execute(
            text(_PREVIOUS_DAY.format(table=table)),
            {"day": frame.first_day + timedelta(days=first - 1)},
        )
    }
    result: list[list[date | None]] = []
    for row, key in enumerate(frame.series):
        current: date | None = before.get(key)
        days: list[date | None] = []
        for column in range(first, peaks.shape[1]):
            if peaks[row, column]:
                current = current or frame.first_day + timedelta(days=column)
            else:
                current = None
            days.append(current)
        result.append(days)
    return result


def _window_start(day: date, width: int, judged: bool) -> date | None:
    """The first day of the run of days whose sum gave a judged day its score."""
    return day - timedelta(days=width - 1) if judged else None


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _replace(
    connection: Connection,
    table: str,
    columns: Sequence[str],
    start: date,
    end: date,
    rows: Iterable[Sequence[object]],
) -> None:
    connection.execute(
        text(f"DELETE FROM {table} WHERE day BETWEEN :start AND :end"),
        {"start": start, "end": end},
    )
    copy_rows(connection, table, columns, to_copy_text(rows))


def _score_counts(
    values: np.ndarray, frame: DailyFrame, settings: Settings, first: int
) -> SeriesScores:
    """Every series' scores: all posts on its own history, the others as its parts (their
    share of all posts times its baseline, so they take its weekday profile and trend)."""
    history = settings.peak_history_days
    common: dict[str, Any] = {
        "period": WEEK,
        "phase_offset": frame.first_day.toordinal(),
        "first": first,
        "history": history,
        "min_history": settings.peak_min_history_days,
        "min_baseline": settings.peak_min_baseline,
    }
    if ALL not in frame.series:
        return score_matrix(values, starts=frame.starts, counts=True, **common)
    whole = frame.series.index(ALL)
    own = score_matrix(
        values[whole],
        starts=frame.starts[whole : whole + 1],
        counts=True,
        **common,
    )
    reference = SeriesScores(baseline=own.baseline[0], score=own.score[0], scale=own.scale[0])
    scores = score_shares(values, values[whole], reference, starts=frame.starts, **common)
    scores.baseline[whole], scores.score[whole], scores.scale[whole] = (
        reference.baseline, reference.score, reference.scale,
    )  # fmt: skip
    return scores


def judge_activity(connection: Connection, settings: Settings, start: date, end: date) -> int:
    """Write ``trend_activity_days`` for the window; returns the number of peak days."""
    history, windows = settings.peak_history_days, settings.peak_window_days
    first = history_span(settings)
    frame = _load(
        connection,
        "trend_daily_activity",
        {"activity": "activity_index", "posts": "posts"},
        start,
        end,
        first,
    )
    activity = frame.values["activity"]
    threshold = settings.daily_peak_z_threshold
    # the days before the window are history only: they are what its runs of days reach back to
    by_index = _score_counts(activity, frame, settings, first=history)
    by_posts = _score_counts(frame.values["posts"], frame, settings, first=history)
    by_index = window_scores(activity, by_index, windows=windows, threshold=threshold, counts=True)
    by_posts = window_scores(
        frame.values["posts"], by_posts, windows=windows, threshold=threshold, counts=True
    )
    # a peak needs more posts, not only one post with many likes: the posts' score counts,
    # provided the activity index is not clearly down (likes are heavy-tailed, so the index's
    # own score is noisy: a burst of posts can leave it within a standard deviation of its
    # baseline when the usual influencer's thousands of likes happen to fall elsewhere)
    index_down = (by_index.score <= -INDEX_TOLERANCE) & ~(by_index.score >= by_posts.score)
    combined = np.where(index_down, by_index.score, by_posts.score)
    width = np.where(index_down, by_index.widths(), by_posts.widths())
    scores = SeriesScores(baseline=by_index.baseline, score=combined, scale=by_index.scale)
    judged = ~np.isnan(scores.score)
    judged[:, :first] = False
    peaks = judged & (np.nan_to_num(scores.score) >= threshold)
    run_starts = _run_starts(connection, "trend_activity_days", frame, peaks, first)
    rows = []
    for row, (hashtag, city) in enumerate(frame.series):
        for column in range(max(first, int(frame.starts[row])), activity.shape[1]):
            score = float(scores.score[row, column])
            baseline = float(scores.baseline[row, column])
            if not judged[row, column]:
                label = "too-early"
            else:
                label = "non-average" if abs(score) >= threshold else "average"
            size = activity[row, column] / baseline if baseline > 0 else math.nan
            day = frame.first_day + timedelta(days=column)
            rows.append(
                (
                    hashtag, city, day, float(activity[row, column]), _finite(baseline),
                    _finite(score), _finite(size), label, bool(peaks[row, column]),
                    run_starts[row][column - first],
                    _window_start(day, int(width[row, column]), bool(judged[row, column])),
                )
            )  # fmt: skip
    _replace(connection, "trend_activity_days", ACTIVITY_COLUMNS, start, end, rows)
    return int(peaks.sum())


def judge_sentiment(connection: Connection, settings: Settings, start: date, end: date) -> int:
    """Write ``trend_sentiment_days`` for the window; returns the number of peak days."""
    history, first = settings.peak_history_days, history_span(settings)
    frame = _load(
        connection,
        "trend_daily_sentiment",
        {"labelled": "posts_labelled", "negative": "posts_negative"},
        start,
        end,
        first,
    )
    labelled, negative = frame.values["labelled"], frame.values["negative"]
    peaks = np.zeros(labelled.shape, dtype=bool)
    results = []
    for row in range(len(frame.series)):
        result = score_sentiment(
            negative[row],
            labelled[row],
            start=int(frame.starts[row]),
            first=first,
            history=history,
            min_history=settings.peak_min_history_days,
            min_volume=settings.sentiment_peak_min_volume,
            alpha=settings.sentiment_peak_alpha,
            min_lift=settings.sentiment_peak_min_lift,
            windows=settings.sentiment_peak_window_days,
        )
        peaks[row] = result.is_peak
        results.append(result)
    run_starts = _run_starts(connection, "trend_sentiment_days", frame, peaks, first)
    rows = []
    for row, (hashtag, city) in enumerate(frame.series):
        result = results[row]
        for column in range(max(first, int(frame.starts[row])), labelled.shape[1]):
            n, k = labelled[row, column], negative[row, column]
            if not result.judged[column]:
                label = "too-early"
            elif result.is_peak[column] or result.low[column]:
                label = "non-average"
            else:
                label = "average"
            rows.append(
                (
                    hashtag, city, frame.first_day + timedelta(days=column), int(n), int(k),
                    k / n if n else None, _finite(result.baseline[column]),
                    _finite(result.p_value[column]), label, bool(result.is_peak[column]),
                    run_starts[row][column - first],
                    _window_start(
                        frame.first_day + timedelta(days=column),
                        int(result.width[column]),
                        not math.isnan(result.p_value[column]),
                    ),
                )
            )  # fmt: skip
    _replace(connection, "trend_sentiment_days", SENTIMENT_COLUMNS, start, end, rows)
    return int(peaks.sum())
