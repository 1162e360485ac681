"""Settings come from the environment, a TOML file and defaults, in that order."""

from __future__ import annotations

from pathlib import Path

import pytest

from trendminer.errors import ConfigurationError
from trendminer.settings import Settings, get_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("TRENDMINER_DATABASE_URL", "TRENDMINER_CONFIG", "TRENDMINER_HASHTAGS"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.hashtags == ["outfit", "streetstyle", "streetoutfit"]
    assert settings.report_dir == Path("reports")
    assert settings.database_url is None


def test_toml_file_then_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "trendminer.toml"
    config.write_text('hashtags = ["#Outfit", "OOTD"]\ndata_dir = "/srv/tm"\n')
    monkeypatch.setenv("TRENDMINER_CONFIG", str(config))
    monkeypatch.setenv("TRENDMINER_DATA_DIR", "/data/env")
    settings = Settings()
    assert settings.hashtags == ["outfit", "ootd"]
    assert settings.data_dir == Path("/data/env")  # the environment wins over the file


def test_database_password_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRENDMINER_DATABASE_URL", "postgresql://u:hunter2@db/tm")
    settings = Settings()
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in str(settings.model_dump())


def test_an_empty_variable_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """docker compose passes an unset ``${VAR:-}`` as an empty string."""
    for name in ("DETECTOR_CHECKPOINT", "INSTAGRAM_SESSION_FILE", "MODEL_VERSION", "DATA_DIR",
                 "DATABASE_URL"):  # fmt: skip
        monkeypatch.setenv(f"TRENDMINER_{name}", "")
    settings = Settings()
    assert settings.detector_checkpoint is None
    assert settings.instagram_session_file is None
    assert settings.model_version is None
    assert settings.data_dir == Path(".trendminer")
    assert settings.database_url is None
    assert Settings(detector_checkpoint=" ").detector_checkpoint is None


def test_a_config_file_that_is_not_there_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRENDMINER_CONFIG", "/nowhere/goood.toml")
    with pytest.raises(ConfigurationError, match=r"goood\.toml, which is not a file"):
        Settings()


def test_a_peak_history_shorter_than_its_minimum_is_refused() -> None:
    with pytest.raises(ValueError, match=r"peak_history_days \(20\) is below"):
        Settings(peak_history_days=20, peak_min_history_days=28)
    assert Settings(peak_history_days=28, peak_min_history_days=28).peak_history_days == 28


def test_a_list_in_the_environment_that_is_not_json_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRENDMINER_HASHTAGS", "outfit,streetstyle")
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigurationError, match=r"TRENDMINER_HASHTAGS .*are JSON"):
            get_settings()
    finally:
        get_settings.cache_clear()


def test_a_config_file_that_is_not_toml_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "broken.toml"
    config.write_text("hashtags = [\n")
    monkeypatch.setenv("TRENDMINER_CONFIG", str(config))
    with pytest.raises(ConfigurationError, match=r"broken\.toml is not valid TOML"):
        Settings()


def test_a_config_file_key_that_names_no_setting_is_a_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = tmp_path / "trendminer.toml"
    config.write_text("upsert_batch_sise = 10\nupsert_batch_size = 20\n")
    monkeypatch.setenv("TRENDMINER_CONFIG", str(config))
    assert Settings().upsert_batch_size == 20
    assert "names no setting 'upsert_batch_sise'" in caplog.text
