"""Task-time helpers: windows from data intervals, event days, connection URLs, settings."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from trendminer.db.connection import make_engine
from trendminer.errors import ConfigurationError
from trendminer.orchestration.runtime import (
    MAX_CATCH_UP_DAYS,
    catch_up_start,
    connection_url,
    days_settled,
    default_report_day,
    event_days,
    interval_days,
    parse_day,
    parse_time,
    run_window,
    task_settings,
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


def test_event_days_of_a_caught_up_window_are_each_of_its_days() -> None:
    extras = [{"start": "2026-02-20", "end": "2026-03-02", "report_from": "2026-02-28"}]
    assert event_days(extras) == [date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2)]


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


def test_a_window_that_ends_before_it_starts_is_a_configuration_error() -> None:
    # a ConfigurationError fails the task at once; the build's own TrendsError would be retried
    with pytest.raises(ConfigurationError, match="end"):
        run_window({"start": "2026-02-03", "end": "2026-02-01"}, None, None)
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)
    with pytest.raises(ConfigurationError, match="end"):
        run_window({"start": "2026-03-05", "end": None}, start, end)


def test_parse_time_is_utc_aware_and_rejects_garbage() -> None:
    assert parse_time(None, name="since") is None
    assert parse_time("", name="since") is None
    assert parse_time("2026-03-01T06:00", name="since") == datetime(2026, 3, 1, 6, tzinfo=UTC)
    paris = parse_time("2026-03-01T07:00+01:00", name="since")
    assert paris == datetime(2026, 3, 1, 6, tzinfo=UTC)
    with pytest.raises(ConfigurationError, match="since='last week'"):
        parse_time("last week", name="since")


def test_a_run_catches_up_from_the_day_after_the_last_built_day() -> None:
    day = date(2026, 3, 10)
    assert catch_up_start(day, day, None) == day  # nothing built yet: no history to fill
    assert catch_up_start(day, day, date(2026, 3, 9)) == day
    assert catch_up_start(day, day, date(2026, 3, 12)) == day  # a backfill of an older day
    assert catch_up_start(day, day, date(2026, 3, 4)) == date(2026, 3, 5)


def test_a_catch_up_is_capped_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    day = date(2026, 6, 30)
    first = catch_up_start(day, day, date(2026, 1, 1))
    assert (day - first).days + 1 == MAX_CATCH_UP_DAYS
    assert "2026-01-02 .. 2026-05-30" in caplog.text


def test_parse_day() -> None:
    assert parse_day(None, name="day") is None
    assert parse_day("", name="day") is None
    assert parse_day("2026-03-01", name="day") == date(2026, 3, 1)
    with pytest.raises(ConfigurationError, match="day='yesterday'"):
        parse_day("yesterday", name="day")


def test_connection_url_quotes_the_password() -> None:
    url = connection_url(host="db", port=5432, login="tm", password="p@ss/word", schema="trends")
    assert url == "postgresql://tm:p%40ss%2Fword@db:5432/trends"


def test_connection_url_carries_the_libpq_extras() -> None:
    extra = {
        "sslmode": "verify-full",
        "sslrootcert": "/etc/ssl/our ca.pem",
        "connect_timeout": 10,
        "options": "-c search_path=trends&x",
        "target_session_attrs": "read-write",
        "cursor": "dictcursor",  # Airflow's, not libpq's
    }
    url = connection_url(
        host="db", port=5432, login="tm", password="secret", schema="trends", extra=extra
    )
    assert "cursor" not in url
    query = make_url(url).query
    assert query == {
        "sslmode": "verify-full",
        "sslrootcert": "/etc/ssl/our ca.pem",
        "connect_timeout": "10",
        "options": "-c search_path=trends&x",
        "target_session_attrs": "read-write",
    }
    # and they reach the driver's connect arguments
    _, params = make_engine(url).dialect.create_connect_args(make_url(url))
    assert params["sslmode"] == "verify-full"


@pytest.mark.usefixtures("airflow_home")
def test_task_settings_keep_the_connections_ssl_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    connection = {
        "conn_type": "postgres",
        "host": "db.example",
        "login": "tm",
        "schema": "trends",
        "extra": {"sslmode": "verify-full", "cursor": "dictcursor"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_TRENDMINER_DB", json.dumps(connection))
    monkeypatch.delenv("AIRFLOW_VAR_TRENDMINER_SETTINGS", raising=False)
    url = task_settings().database_url
    assert url is not None
    assert make_url(url.get_secret_value()).query == {"sslmode": "verify-full"}


def test_connection_url_needs_a_host() -> None:
    with pytest.raises(ConfigurationError, match="no host"):
        connection_url(host=None, port=None, login=None, password=None, schema=None)


def test_a_day_is_settled_when_every_time_zone_has_ended_it_and_its_posts_are_in() -> None:
    end = datetime(2026, 3, 2, tzinfo=UTC)  # the interval of local day 2026-03-01
    # 20:00 in Los Angeles, 14:00 in Pago Pago: the day is not over there yet
    assert not days_settled(end, 14, now=datetime(2026, 3, 2, 4, tzinfo=UTC))
    assert not days_settled(end, 14, now=datetime(2026, 3, 2, 13, 59, tzinfo=UTC))
    assert days_settled(end, 14, now=datetime(2026, 3, 2, 14, tzinfo=UTC))


def test_a_report_run_without_a_day_reports_its_interval_else_the_last_built_day(
    engine: Engine,
) -> None:
    moment = datetime(2026, 6, 4, tzinfo=UTC)  # a manual run with that logical date
    assert default_report_day(engine, moment, moment) == date(2026, 6, 3)
    with pytest.raises(ConfigurationError, match="never built"):
        default_report_day(engine, None, None)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO trend_build_days (day) VALUES ('2026-05-30')"))
    assert default_report_day(engine, None, None) == date(2026, 5, 30)
