"""The sessions TrendMiner opens: UTC, no JIT, named after the application."""

from __future__ import annotations

from sqlalchemy import Engine, make_url, text

from trendminer.db.connection import make_engine


def test_sessions_run_in_utc_without_jit(engine: Engine) -> None:
    with engine.connect() as connection:
        settings = dict(
            connection.execute(
                text(
                    "SELECT name, setting FROM pg_settings "
                    "WHERE name IN ('TimeZone', 'jit', 'application_name')"
                )
            ).all()
        )
    assert settings == {"TimeZone": "UTC", "jit": "off", "application_name": "trendminer"}


def test_the_urls_own_options_and_application_name_reach_the_session(db_url: str) -> None:
    """An Airflow connection's extras `options` and `application_name` arrive in its URL."""
    url = make_url(db_url).update_query_dict(
        {"options": "-c statement_timeout=1234", "application_name": "nightly"}
    )
    engine = make_engine(url.render_as_string(hide_password=False))
    with engine.connect() as connection:
        settings = connection.execute(
            text(
                "SELECT current_setting('statement_timeout'), current_setting('jit'), "
                "current_setting('TimeZone'), current_setting('application_name')"
            )
        ).one()
    engine.dispose()
    assert tuple(settings) == ("1234ms", "off", "UTC", "nightly")
