"""The model tables: attribute fits and events, forecasts, city influence.

They are fitted on every complete local week of ``trend_attribute_weekly`` (a week whose Sunday
is on or before the last built day) and replaced whole, so a full rebuild and day-by-day
builds end with the same rows. A build that touches no complete week leaves them as they are.
Fits, trends and forecasts are of the post share; events are judged on the garment share
(``attributes.fit_garment_share``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from trendminer.db.copy import copy_rows, to_copy_text
from trendminer.settings import Settings
from trendminer.trends.attributes import (
    AttributeEvent,
    find_events,
    fit_attribute,
    fit_garment_share,
    garment_dispersion,
)
from trendminer.trends.forecast import evaluate_forecast, forecast_shares
from trendminer.trends.influence import city_influence
from trendminer.trends.sql import run_sql

logger = logging.getLogger(__name__)

MIN_WEEKS = 8
MIN_POSTS = 5
MIN_EVENT_LIFT = 0.02
MIN_GARMENT_LIFT = 0.01
MIN_EVENT_POSTS = 20  # posts with garments over an event's weeks: a handful proves nothing
TREND_OUTLIER_ALPHA = 1e-4  # weeks of the post share left out of its trend fit
MAX_LAG_WEEKS = 8
INFLUENCE_KINDS = ("class", "colour")
MAX_EXPLAINED_EVENTS = 200
EPOCH = date(2000, 1, 3)  # a Monday: absolute week numbers count from it

SeriesKey = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class ModelCounts:
    """Rows the model tables got (all zero when nothing needed refitting)."""

    refitted: bool = False
    fits: int = 0
    events: int = 0
    forecasts: int = 0
    forecast_series: int = 0
    model_mae: float = 0.0
    mean_mae: float = 0.0
    last_value_mae: float = 0.0
    linear_mae: float = 0.0
    influence_pairs: int = 0


def last_complete_week(connection: Connection) -> date | None:
    """Monday of the last week whose Sunday has been built, or None."""
    last_day = connection.execute(text("SELECT max(day) FROM trend_build_days")).scalar()
    if last_day is None:
        return None
    monday = last_day - timedelta(days=last_day.weekday())
    return monday if last_day.weekday() == 6 else monday - timedelta(days=7)


def _week_number(day: date) -> int:
    return (day - EPOCH).days // 7


def _week_date(number: float) -> date:
    return EPOCH + timedelta(days=7 * int(number))


@dataclass(frozen=True, slots=True)
class WeeklySeries:
    """One city x attribute series over the weeks its city has processed posts: the post
    share's ``posts`` of ``total``, and the garment share (mean, standard error, posts);
    ``garment_share`` is None where rows predate the garment share."""

    key: SeriesKey
    weeks: np.ndarray
    posts: np.ndarray
    total: np.ndarray
    garment_share: np.ndarray | None
    garment_se: np.ndarray
    boxed: np.ndarray


def _series(connection: Connection, through: date, version: str) -> Iterator[WeeklySeries]:
    """Each city x attribute series of the model ``version``, zero-filled over the weeks its
    city has processed posts (``trend_attribute_week_totals``: weeks without a garment too)."""
    _warn_other_versions(connection, through, version)
    bounds = {"through": through, "version": version}
    rows = connection.execute(
        text(
            "SELECT city, attribute_kind, attribute, week, posts, garment_share, "
            "garment_share_se "
            "FROM trend_attribute_weekly WHERE week <= :through AND model_version = :version "
            "ORDER BY city, attribute_kind, attribute, week"
        ),
        bounds,
    ).all()
    city_weeks: dict[str, dict[int, tuple[int, int]]] = {}
    for city, week, posts, boxed in connection.execute(
        text(
            "SELECT city, week, posts, boxed_posts FROM trend_attribute_week_totals "
            "WHERE week <= :through AND model_version = :version"
        ),
        bounds,
    ):
        city_weeks.setdefault(city, {})[_week_number(week)] = (posts, boxed)
    calendars = {
        city: (np.array(sorted(weeks), dtype=float), np.array([weeks[w] for w in sorted(weeks)]))
        for city, weeks in city_weeks.items()
    }
    stale = 0
    start = 0
    while start < len(rows):
        key = (rows[start][0], rows[start][1], rows[start][2])
        end = start
        while end < len(rows) and (rows[end][0], rows[end][1], rows[end][2]) == key:
            end += 1
        weeks, volumes = calendars[key[0]]
        chunk = rows[start:end]
        at = np.searchsorted(weeks, [_week_number(row.week) for row in chunk])
        posts, share, error = np.zeros(weeks.size), np.zeros(weeks.size), np.zeros(weeks.size)
        posts[at] = [row.posts for row in chunk]
        complete = all(row.garment_share is not None for row in chunk)
        if complete:
            share[at] = [row.garment_share for row in chunk]
            error[at] = [row.garment_share_se for row in chunk]
        else:
            stale += 1
        yield WeeklySeries(
            key,
            weeks,
            posts,
            volumes[:, 0].astype(float),
            share if complete else None,
            error,
            volumes[:, 1].astype(float),
        )
        start = end
    if stale:
        logger.warning(
            "%d attribute series have weeks built before the garment share; they get no "
            "events until `trendminer trends build` rebuilds those weeks",
            stale,
        )


def _warn_other_versions(connection: Connection, through: date, version: str) -> None:
    """Weeks built from another model's detections are left out of the fits: say which."""
    other = connection.execute(
        text(
            "SELECT min(week), max(week), count(DISTINCT week) FROM trend_attribute_weekly "
            "WHERE week <= :through AND model_version <> :version"
        ),
        {"through": through, "version": version},
    ).one()
    if other[2]:
        logger.warning(
            "%d weeks (%s .. %s) were built from another detector version than %s and are left "
            "out of the attribute models; `trendminer trends build --start %s --end %s` "
            "rebuilds them from %s",
            other[2], other[0], other[1], version, other[0], other[1] + timedelta(days=6),
            version,
        )  # fmt: skip


def build_models(
    connection: Connection, settings: Settings, start: date, version: str
) -> ModelCounts:
    """Refit the model tables from the weeks of the model ``version`` when the window touched
    a complete week."""
    through = last_complete_week(connection)
    if through is None or start > through + timedelta(days=6):
        return ModelCounts()
    fits: list[tuple[object, ...]] = []
    events: list[tuple[SeriesKey, np.ndarray, AttributeEvent]] = []
    forecasts: list[tuple[object, ...]] = []
    errors: list[tuple[object, ...]] = []
    shares: dict[tuple[str, str], dict[str, pd.Series]] = {}
    horizon = settings.forecast_weeks
    next_weeks = np.arange(1, horizon + 1) + _week_number(through)
    every = list(_series(connection, through, version))
    dispersions = pooled_dispersions(every)
    for series in every:
        key, weeks, posts, total = series.key, series.weeks, series.posts, series.total
        if key[1] in INFLUENCE_KINDS and key[0] not in ("*", "(unknown)"):
            shares.setdefault((key[1], key[2]), {})[key[0]] = pd.Series(posts / total, weeks)
        if weeks.size < MIN_WEEKS or posts.sum() < MIN_POSTS:
            continue
        fit = fit_attribute(weeks, posts, total, alpha=TREND_OUTLIER_ALPHA, min_lift=MIN_EVENT_LIFT)
        fits.append(
            (*key, fit.model, int(weeks.size), _week_date(weeks[0]), _week_date(weeks[-1]),
             float(posts.sum() / total.sum()), fit.intercept, fit.slope, fit.slope_p_value,
             fit.amplitude, fit.peak_week_of_year)
        )  # fmt: skip
        garment_weeks, found = garment_events(series, settings.attribute_event_alpha, dispersions)
        events.extend((key, garment_weeks, event) for event in found)
        ahead = forecast_shares(weeks, posts, total, next_weeks, alpha=TREND_OUTLIER_ALPHA, fit=fit)
        forecasts.extend(
            (*key, _week_date(float(week)), share, low, high)
            for week, share, low, high in zip(
                next_weeks, ahead.share, ahead.lower, ahead.upper, strict=True
            )
        )
        if weeks.size >= MIN_WEEKS + horizon:
            error = evaluate_forecast(weeks, posts, total, horizon, alpha=TREND_OUTLIER_ALPHA)
            errors.append(
                (*key, error.held_out_weeks, error.model, error.mean, error.last_value,
                 error.linear)
            )  # fmt: skip
    influence = _influence_rows(shares)
    _write(connection, fits, _event_rows(events), forecasts, errors, influence)
    run_sql(connection, "attribute_event_keywords", {"max_events": MAX_EXPLAINED_EVENTS})
    mae = np.array([row[4:8] for row in errors], dtype=float).reshape(-1, 4)
    means = mae.mean(axis=0) if len(errors) else np.zeros(4)
    return ModelCounts(
        refitted=True,
        fits=len(fits),
        events=len(events),
        forecasts=len(forecasts),
        forecast_series=len(errors),
        model_mae=float(means[0]),
        mean_mae=float(means[1]),
        last_value_mae=float(means[2]),
        linear_mae=float(means[3]),
        influence_pairs=len(influence),
    )


def pooled_dispersions(every: list[WeeklySeries]) -> dict[tuple[str, str], float]:
    """Per attribute, the garment dispersion pooled over every city: an attribute's own (a
    colour is often worn head to toe), measured on far more posts than one city has."""
    weeks: dict[tuple[str, str], list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    for series in every:
        if series.garment_share is not None:
            weeks.setdefault(series.key[1:], []).append(
                (series.garment_share, series.garment_se, series.boxed)
            )
    return {
        attribute: garment_dispersion(
            *(np.concatenate(column) for column in zip(*group, strict=True))
        )
        for attribute, group in weeks.items()
    }


def garment_events(
    series: WeeklySeries, alpha: float, dispersions: dict[tuple[str, str], float]
) -> tuple[np.ndarray, list[AttributeEvent]]:
    """The events of a series, judged on its garment share over the weeks with garments (a
    week without one has no garment share), with posts enough to matter; and those weeks,
    which the events' indices count."""
    boxed_weeks = series.boxed >= 1
    weeks = series.weeks[boxed_weeks]
    if series.garment_share is None or weeks.size < MIN_WEEKS:
        return weeks, []
    boxed = series.boxed[boxed_weeks]
    share = series.garment_share[boxed_weeks]
    fit = fit_garment_share(
        weeks,
        share,
        series.garment_se[boxed_weeks],
        boxed,
        alpha=alpha,
        min_lift=MIN_GARMENT_LIFT,
        dispersion=dispersions[series.key[1:]],
    )
    return weeks, [
        event
        for event in find_events(fit, share, boxed)
        if boxed[event.start : event.end + 1].sum() >= MIN_EVENT_POSTS
    ]


def _event_rows(
    events: list[tuple[SeriesKey, np.ndarray, AttributeEvent]],
) -> list[tuple[object, ...]]:
    ordered = sorted(events, key=lambda item: (-item[2].saliency, item[0], item[2].start))
    return [
        (*key, _week_date(weeks[e.start]), _week_date(weeks[e.end]), e.end - e.start + 1,
         _week_date(weeks[e.peak]), e.observed_share, e.expected_share, e.min_p_value,
         e.saliency, rank)
        for rank, (key, weeks, e) in enumerate(ordered, start=1)
    ]  # fmt: skip


def _influence_rows(
    shares: dict[tuple[str, str], dict[str, pd.Series]],
) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for (kind, attribute), by_city in sorted(shares.items()):
        if len(by_city) < 2:
            continue
        cities = sorted(by_city)
        frame = pd.DataFrame({city: by_city[city] for city in cities})
        frame = frame.reindex(np.arange(frame.index.min(), frame.index.max() + 1))
        matrix = frame.to_numpy(dtype=float).T
        for found in city_influence(matrix, max_lag=MAX_LAG_WEEKS):
            rows.append(
                (kind, attribute, cities[found.leader], cities[found.follower], found.lag_weeks,
                 found.correlation, found.granger_f, found.granger_p, found.weeks)
            )  # fmt: skip
    return rows


def _write(connection: Connection, *tables: list[tuple[object, ...]]) -> None:
    names = (
        ("trend_attribute_fits", (
            "city", "attribute_kind", "attribute", "model", "weeks", "first_week", "last_week",
            "mean_share", "intercept", "slope", "slope_p_value", "amplitude",
            "peak_week_of_year")),
        ("trend_attribute_events", (
            "city", "attribute_kind", "attribute", "start_week", "end_week", "weeks",
            "peak_week", "observed_share", "expected_share", "min_p_value", "saliency", "rank")),
        ("trend_forecasts", (
            "city", "attribute_kind", "attribute", "week", "share", "lower", "upper")),
        ("trend_forecast_errors", (
            "city", "attribute_kind", "attribute", "held_out_weeks", "model_mae", "mean_mae",
            "last_value_mae", "linear_mae")),
        ("trend_city_influence", (
            "attribute_kind", "attribute", "leader_city", "follower_city", "lag_weeks",
            "correlation", "granger_f", "granger_p", "weeks")),
    )  # fmt: skip
    for (table, columns), rows in zip(names, tables, strict=True):
        connection.execute(text(f"DELETE FROM {table}"))
        if rows:
            copy_rows(connection, table, columns, to_copy_text(rows))
