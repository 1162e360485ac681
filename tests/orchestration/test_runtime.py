"""Task-time helpers: windows from data intervals, event days, connection URLs, settings."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from trendminer.errors import ConfigurationError
from trendminer.orchestration.runtime import (
    connection_url,
    days_settled,
    event_days,
    interval_days,
    parse_day,
    run_window,
)


def test_a_daily_interval_is_its_one_day() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    assert interval_days(start, datetime(2026, 3, 2, tzinfo=UTC)) == (date(2026, 3, 1),) * 2


def test_a_week_interval_covers_seven_days() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    end = datetime(2026, 3, 8, tzinfo=UTC)
    assert interval_days(start, end) == (date(2026, 3, 1), date(2026, 3, 7))


def test_a_zero_length_interval_means_the_day_before() -> None:
    moment = datetime(2026, 3, 2, 5, tzinfo=UTC)
    assert interval_days(moment, moment) == (date(2026, 3, 1),) * 2


def test_event_days_are_distinct_sorted_ends() -> None:
    extras = [
        {"start": "2026-03-01", "end": "2026-03-02"},
        {"end": "2026-03-01"},
        {},
        {"end": "2026-03-02"},
    ]
    assert event_days(extras) == [date(2026, 3, 1), date(2026, 3, 2)]


def test_a_run_window_comes_from_the_params_else_the_data_interval() -> None:
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)
    named = {"start": "2026-02-01", "end": "2026-02-03"}
    assert run_window(named, None, None) == (date(2026, 2, 1), date(2026, 2, 3))
    assert run_window({"start": None, "end": None}, start, end) == (date(2026, 3, 1),) * 2
    assert run_window({"start": "2026-02-27", "end": ""}, start, end) == (
        date(2026, 2, 27), date(2026, 3, 1)
    )  # fmt: skip
    with pytest.raises(ConfigurationError, match="no logical date"):
        run_window({"start": "2026-02-01", "end": None}, None, None)


def test_parse_day() -> None:
    assert parse_day(None, name="day") is None
    assert parse_day("", name="day") is None
    assert parse_day("2026-03-01", name="day") == date(2026, 3, 1)
    with pytest.raises(ConfigurationError, match="day='yesterday'"):
        parse_day("yesterday", name="day")


def test_connection_url_quotes_the_password() -> None:
    url = connection_url(host="db", port=5432, login="tm", password="p@ss/word", schema="trends")
    assert url == "postgresql://tm:p%40ss%2Fword@db:5432/trends"


def test_connection_url_needs_a_host() -> None:
    with pytest.raises(ConfigurationError, match="no host"):
        connection_url(host=None, port=None, login=None, password=None, schema=None)


def test_a_day_is_settled_when_every_time_zone_has_ended_it_and_its_posts_are_in() -> None:
    end = datetime(2026, 3, 2, tzinfo=UTC)  # the interval of local day 2026-03-01
    # 20:00 in Los Angeles, 14:00 in Pago Pago: the day is not over there yet
    assert not days_settled(end, 14, now=datetime(2026, 3, 2, 4, tzinfo=UTC))
    assert not days_settled(end, 14, now=datetime(2026, 3, 2, 13, 59, tzinfo=UTC))
    assert days_settled(end, 14, now=datetime(2026, 3, 2, 14, tzinfo=UTC))
