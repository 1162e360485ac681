"""The sessions TrendMiner opens: UTC, no JIT, named after the application."""

from __future__ import annotations

from sqlalchemy import Engine, text


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
