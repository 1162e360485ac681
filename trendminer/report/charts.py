"""The report's charts: PNG files drawn with matplotlib (Agg), in the Okabe-Ito palette.

Every chart has a title, axis labels with units, and dated x axes; peaks are marked with a
distinct marker shape as well as a colour, so the charts read without colour vision too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only; never a display

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from trendminer.report.data import AttributeTrend, DayPoint

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
BASELINE_COLOUR = "#666666"
PEAK_COLOUR = "#D55E00"
DPI = 110


def _x(days: Iterable[date]) -> Any:
    """Dates as matplotlib's day numbers (the date locator and formatter read them back)."""
    return mdates.date2num(list(days))


def _scaled(values: Iterable[float | None], scale: float) -> list[float]:
    """Values times ``scale``; a missing value is NaN (a gap in the line)."""
    return [float("nan") if v is None else v * scale for v in values]


def _dated_axis(axes: Axes) -> None:
    locator = mdates.AutoDateLocator(minticks=4, maxticks=8)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes.grid(axis="y", color="#dddddd", linewidth=0.8)
    axes.spines[["top", "right"]].set_visible(False)


def _legend(axes: Axes) -> None:
    """One row of legend between the title and the plot, clear of the data."""
    axes.legend(frameon=False, fontsize=8, ncol=4, loc="lower left", bbox_to_anchor=(0, 1.0))


def _save(figure: plt.Figure, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return path


def day_series_chart(
    points: Sequence[DayPoint], path: Path, *, title: str, ylabel: str, percent: bool = False
) -> Path:
    """A daily series with its baseline (dashed) and its peak days (triangles)."""
    scale = 100.0 if percent else 1.0
    days = _x(p.day for p in points)
    figure, axes = plt.subplots(figsize=(8, 3.2))
    axes.plot(
        days,
        _scaled((p.value for p in points), scale),
        color=OKABE_ITO[0],
        linewidth=2,
        label="observed",
    )
    axes.plot(
        days,
        _scaled((p.baseline for p in points), scale),
        color=BASELINE_COLOUR,
        linestyle="--",
        linewidth=1.2,
        label="seasonal baseline",
    )
    peaks = [p for p in points if p.is_peak and p.value is not None]
    if peaks:
        axes.scatter(
            _x(p.day for p in peaks),
            [(p.value or 0.0) * scale for p in peaks],
            marker="^",
            s=90,
            color=PEAK_COLOUR,
            zorder=3,
            label="peak",
        )
    axes.set_title(title, loc="left", fontsize=12, pad=24)
    axes.set_ylabel(ylabel)
    axes.set_xlabel("local date")
    axes.set_ylim(bottom=0)
    _dated_axis(axes)
    _legend(axes)
    return _save(figure, path)


def _shares(axes: Axes, weeks: Any, values: list[float], colour: str, **style: Any) -> None:
    axes.plot(weeks, [v * 100 for v in values], color=colour, **style)


def attribute_chart(trends: Sequence[AttributeTrend], path: Path) -> Path:
    """Weekly shares of the strongest attribute trends, with 95% intervals and forecasts."""
    figure, axes = plt.subplots(figsize=(8, 3.6))
    for colour, trend in zip(OKABE_ITO, trends, strict=False):
        where = "all cities" if trend.city == "*" else trend.city
        weeks = _x(w.week for w in trend.history)
        _shares(
            axes,
            weeks,
            [w.share for w in trend.history],
            colour,
            marker="o",
            markersize=3,
            linewidth=1.8,
            label=f"{trend.attribute} ({trend.kind}), {where}",
        )
        axes.fill_between(
            weeks,
            [w.lower * 100 for w in trend.history],
            [w.upper * 100 for w in trend.history],
            color=colour,
            alpha=0.15,
        )
        if trend.forecast:
            ahead = _x(w.week for w in trend.forecast)
            _shares(
                axes, ahead, [w.share for w in trend.forecast], colour, linestyle=":", linewidth=1.8
            )
            axes.fill_between(
                ahead,
                [w.lower * 100 for w in trend.forecast],
                [w.upper * 100 for w in trend.forecast],
                color=colour,
                alpha=0.08,
            )
    axes.set_title(
        "Attribute trends: weekly share of posts (dotted: forecast)",
        loc="left",
        fontsize=12,
        pad=24,
    )
    axes.set_ylabel("share of posts (%)")
    axes.set_xlabel("week (Monday, local)")
    axes.set_ylim(bottom=0)
    _dated_axis(axes)
    _legend(axes)
    return _save(figure, path)
