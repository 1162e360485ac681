"""The CSV side of ``trendminer peaks``: read a series, pick its period, write its peaks.

Points are taken in time order as they are (gaps are not filled). Times are written back
exactly as they were read, with no time zone added. Series of non-negative whole numbers are
treated as counts (their noise floor is Poisson, see ``trendminer.trends.peaks``).
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from trendminer.errors import TrendMinerError
from trendminer.trends.peaks import detect_period, find_peaks

PEAK_COLUMNS = ("start", "end", "peak_time", "value", "baseline", "score")
DAY = pd.Timedelta(days=1)
WEEK = pd.Timedelta(days=7)


class PeakInputError(TrendMinerError):
    """The series given to ``trendminer peaks`` cannot be read."""


@dataclass(frozen=True, slots=True)
class TimeSeries:
    """Points in time order: the times as written, parsed, and the values."""

    raw_times: list[str]
    times: pd.DatetimeIndex
    values: np.ndarray


PeakTable = list[tuple[str, str, str, float, float, float]]


_OFFSET = r"\d:\d{2}(?::\d{2}(?:\.\d*)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"  # a time, then its offset


def read_series(path: Path, time_column: str, value_column: str) -> TimeSeries:
    """Read two columns of a CSV file (raises PeakInputError with what to fix)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise PeakInputError(f"cannot read {path}: {exc}") from exc
    for column in (time_column, value_column):
        if column not in frame.columns:
            raise PeakInputError(
                f"{path} has no column {column!r}; its columns are {', '.join(frame.columns)}."
            )
    raw = frame[time_column]
    # times that all carry their UTC offset are placed by their instant, so a local series
    # across a DST change (+01:00 then +02:00) reads; naive times are taken as they are
    with_offset = bool(len(raw)) and bool(raw.str.strip().str.contains(_OFFSET).all())
    try:
        times = pd.DatetimeIndex(pd.to_datetime(raw, format="mixed", utc=with_offset))
    except (ValueError, TypeError) as exc:
        raise PeakInputError(
            f"column {time_column!r} holds a value that is not a time: {exc}"
        ) from exc
    values = pd.to_numeric(frame[value_column], errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).any():
        row = int(np.flatnonzero(np.isnan(values))[0]) + 2
        raise PeakInputError(
            f"column {value_column!r} is not a number on line {row} of {path}; "
            "fill or remove that row."
        )
    order = np.argsort(times.asi8, kind="stable")
    return TimeSeries(
        raw_times=[frame[time_column].iloc[i] for i in order],
        times=times[order],
        values=values[order],
    )


def _points(duration: pd.Timedelta, step: pd.Timedelta) -> int | None:
    ratio = duration / step
    rounded = round(ratio)
    return int(rounded) if rounded >= 2 and abs(ratio - rounded) < 0.01 * rounded else None


def resolve_period(series: TimeSeries, period: str) -> int:
    """``auto``, a number of points, or a duration (``1d``, ``24h``) → points per cycle."""
    diffs = np.diff(series.times.asi8)
    step = pd.Timedelta(int(np.median(diffs))) if diffs.size else pd.Timedelta(0)
    if period == "auto":
        if step <= pd.Timedelta(0):
            return 1
        candidates = tuple(p for p in (_points(DAY, step), _points(WEEK, step)) if p)
        return detect_period(series.values, candidates)
    if period.isdigit():
        return max(int(period), 1)
    try:
        duration = pd.Timedelta(period)
    except ValueError as exc:
        raise PeakInputError(
            f"--period {period!r} is neither 'auto', a number of points nor a duration like 1d."
        ) from exc
    if step <= pd.Timedelta(0):
        raise PeakInputError("the series has no time step; give --period as a number of points.")
    points = _points(duration, step)
    if points is None:
        raise PeakInputError(
            f"--period {period} is not a whole number (2 or more) of the series' step {step}."
        )
    return points


def find_csv_peaks(series: TimeSeries, *, period: str, threshold: float) -> PeakTable:
    """The peaks of a read series, with times as they came in."""
    points = resolve_period(series, period)
    values = series.values
    counts = bool(values.size) and bool((values >= 0).all() and (values == np.round(values)).all())
    found = find_peaks(values, period=points, threshold=threshold, counts=counts)
    raw = series.raw_times
    return [(raw[p.start], raw[p.end], raw[p.peak], p.value, p.baseline, p.score) for p in found]


def write_peaks(table: PeakTable, output: Path | None) -> None:
    """Write the peaks as CSV (header always) to ``output`` or standard output."""
    handle = sys.stdout if output is None else output.open("w", newline="", encoding="utf-8")
    try:
        writer = csv.writer(handle)
        writer.writerow(PEAK_COLUMNS)
        for start, end, peak, value, baseline, score in table:
            writer.writerow([start, end, peak, f"{value:g}", f"{baseline:.6g}", f"{score:.4f}"])
    finally:
        if output is not None:
            handle.close()
