"""The one settings object: environment (``TRENDMINER_*``), an optional TOML file, defaults.

Precedence, highest first: keyword arguments, environment variables, the TOML file named by
``TRENDMINER_CONFIG`` (or ``./trendminer.toml`` when it exists), the defaults below. An empty
value (``TRENDMINER_DETECTOR_CHECKPOINT=``, as docker compose passes an unset variable) means
the default, never the current folder. Lists and tables in environment variables are JSON
(``TRENDMINER_HASHTAGS='["outfit", "ootd"]'``); a value that cannot be read, a TOML file that is
not valid TOML, is a ConfigurationError naming it; a key of the file that names no setting is
logged as a warning.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from trendminer.errors import ConfigurationError

logger = logging.getLogger(__name__)
ENV_PREFIX = "TRENDMINER_"

DEFAULT_HASHTAGS = ("outfit", "streetstyle", "streetoutfit")
# Reporting cities and their aliases (names, neighbourhoods); see trendminer.enrich.trend_cities.
DEFAULT_TREND_CITIES: dict[str, list[str]] = {
    "New York": ["NYC", "New York City", "Manhattan", "Brooklyn", "Queens", "The Bronx", "Bronx",
                 "Staten Island", "SoHo", "Harlem", "Williamsburg"],
    "Los Angeles": ["LA", "Hollywood", "Santa Monica", "Venice Beach", "West Hollywood"],
    "London": ["Shoreditch", "Camden", "Notting Hill", "Westminster"],  # "Soho": NYC's SoHo
    "Paris": ["Le Marais", "Montmartre", "Saint-Germain-des-Prés"],
    "Milan": ["Milano"],
    "Tokyo": ["Shibuya", "Harajuku", "Shinjuku", "Ginza"],
    "Seoul": ["Gangnam", "Hongdae"],
    "Berlin": ["Kreuzberg", "Mitte"],
    "São Paulo": ["Sao Paulo", "Sampa"],
    "Lagos": ["Lekki", "Victoria Island", "Ikeja"],
    "Sydney": ["Bondi"],
    "Copenhagen": ["København"],
    "Stockholm": [],
    "Mumbai": ["Bombay", "Bandra"],
    "Shanghai": [],
    "Dubai": [],
    "Istanbul": [],
    "Mexico City": ["CDMX", "Ciudad de México"],
    "Toronto": [],
    "Amsterdam": [],
    "Madrid": [],
    "Buenos Aires": [],
    "Bogotá": ["Bogota"],
    "Bangkok": [],
    "Johannesburg": ["Joburg"],
    "Cairo": [],
    "Nairobi": [],
    "Melbourne": [],
}  # fmt: skip


def _config_file() -> Path | None:
    explicit = os.environ.get("TRENDMINER_CONFIG")
    if explicit:
        if not Path(explicit).is_file():
            raise ConfigurationError(
                f"TRENDMINER_CONFIG names {explicit}, which is not a file: fix the path or unset it"
            )
        return Path(explicit)
    local = Path("trendminer.toml")
    return local if local.exists() else None


def _toml_source(settings_cls: type[BaseSettings], path: Path) -> TomlConfigSettingsSource:
    """The settings of a TOML file; warns of its keys that name no setting."""
    try:
        source = TomlConfigSettingsSource(settings_cls, toml_file=path)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigurationError(
            f"the config file {path} is not valid TOML ({exc}): fix it"
        ) from None
    unknown = sorted(set(source.toml_data) - set(settings_cls.model_fields))
    if unknown:
        logger.warning(
            "the config file %s names no setting %s: ignored (see README's Configuration)",
            path,
            ", ".join(map(repr, unknown)),
        )
    return source


def _unreadable(exc: SettingsError) -> ConfigurationError:
    """A ConfigurationError naming the variable a SettingsError could not read."""
    field = re.search(r'field "(\w+)"', str(exc))
    name = f"{ENV_PREFIX}{field.group(1).upper()}" if field else "a TRENDMINER_* variable"
    return ConfigurationError(
        f"{name} cannot be read ({exc}): lists and tables in environment variables are JSON, "
        """e.g. TRENDMINER_HASHTAGS='["outfit", "ootd"]'"""
    )


class Settings(BaseSettings):
    """Everything TrendMiner can be told; see README's "Configuration" table."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", env_ignore_empty=True)

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except SettingsError as exc:
            raise _unreadable(exc) from None

    database_url: SecretStr | None = Field(
        default=None,
        description="SQLAlchemy or libpq URL; empty starts the embedded PostgreSQL.",
    )
    data_dir: Path = Field(default=Path(".trendminer"), description="Embedded DB, caches.")
    media_store: str = Field(default="", description="Folder for pictures; default DATA_DIR/media.")
    report_dir: Path = Field(default=Path("reports"))
    hashtags: list[str] = Field(default_factory=lambda: list(DEFAULT_HASHTAGS))
    detector_checkpoint: Path | None = Field(
        default=None, description="Detector checkpoint; default: the shipped SSDLite one."
    )
    detection_score_threshold: float = Field(default=0.4, ge=0.0, le=1.0)
    detection_batch_size: int | None = Field(
        default=None, ge=1, description="Pictures per batch; default 16 on the CPU, 128 on CUDA."
    )
    detection_device: str = Field(
        default="auto", description="auto (CUDA if present), cpu, cuda:N."
    )
    detection_precision: str = Field(
        default="auto",
        description=(
            "auto (int8 on the CPU for a calibrated checkpoint, else bf16 where native, else "
            "fp32), fp32, bf16, fp16 or int8."
        ),
    )
    detection_workers: int | None = Field(
        default=None,
        ge=0,
        description="Picture-decoding processes; default none on the CPU, up to 8 on CUDA.",
    )
    detection_decode_on_device: bool | None = Field(
        default=None,
        description="Decode JPEGs on the detection device (nvJPEG on CUDA), not in the workers; "
        "default on CUDA only.",
    )
    sentiment_negative_threshold: float = Field(default=-0.05, le=0.0)
    sentiment_positive_threshold: float = Field(default=0.05, ge=0.0)
    activity_post_weight: float = Field(default=1.0, ge=0.0)
    activity_like_weight: float = Field(default=0.01, ge=0.0)
    peak_z_threshold: float = Field(default=3.0, gt=0.0)
    peak_history_days: int = Field(default=56, ge=14, description="Days a peak baseline sees.")
    peak_min_history_days: int = Field(
        default=28, ge=7, description="Days of history a series needs before its days are judged."
    )
    daily_peak_z_threshold: float = Field(
        default=4.5,
        gt=0.0,
        description="Score a daily activity peak needs: the trend tables judge many series x "
        "days, so one point's 3 would raise false alarms daily (4.5: one-sided p 3.4e-6).",
    )
    peak_min_baseline: float = Field(
        default=3.0, ge=0.0, description="Floor of a daily activity baseline (posts a day)."
    )
    peak_window_days: int = Field(
        default=3, ge=1, description="Longest run of days a peak test also sums (1: single days)."
    )
    sentiment_peak_window_days: int = Field(
        default=4,
        ge=1,
        description="Longest run of days a sentiment peak test also pools (1: single days): "
        "a share needs more posts than a count, and a mood lasts days.",
    )
    model_version: str | None = Field(
        default=None,
        description="Detection model version the trend tables read; empty: the most frequent "
        "version in detection_runs.",
    )
    sentiment_peak_alpha: float = Field(default=1e-5, gt=0.0, lt=1.0)
    sentiment_peak_min_volume: int = Field(default=10, ge=1, description="Labelled posts.")
    sentiment_peak_min_lift: float = Field(default=0.05, ge=0.0, description="Share points.")
    attribute_event_alpha: float = Field(
        default=3e-5,
        gt=0.0,
        lt=1.0,
        description="Per test of a run of weeks of a garment share; see trends/attributes.py.",
    )
    forecast_weeks: int = Field(default=4, ge=1)
    trends_settle_hours: float = Field(
        default=14.0,
        ge=0.0,
        description="Hours after a scheduled trends run's UTC day before it builds that day: "
        "12 until the day ends in UTC-12, then time for the hourly collect and enrich.",
    )
    upsert_batch_size: int = Field(default=5000, ge=1)
    nominatim_user_agent: str = "trendminer"
    nominatim_enabled: bool = False
    nominatim_timeout_s: float = 3.0
    nominatim_min_delay_s: float = Field(default=1.0, ge=0.0, description="Between queries.")
    nominatim_max_queries: int = Field(default=60, ge=0, description="Per enrich run.")
    language_candidates: list[str] = Field(
        default_factory=lambda: (
            "en es pt fr it de nl sv da no fi pl cs ru uk tr ar fa he hi bn "  # noqa: SIM905
            "th vi id ms tl ja ko zh el ro hu".split()
        ),
        description="Languages the detector chooses among (py3langid codes).",
    )
    language_log_prior: dict[str, float] = Field(
        default_factory=lambda: {"en": 3.0},
        description="Natural-log prior bonus per language (short, ambiguous texts).",
    )
    sentiment_languages: list[str] = Field(default_factory=lambda: ["en"])
    enrich_workers: int = Field(default=0, ge=0, description="Scoring processes; 0: all cores.")
    enrich_batch_size: int = Field(default=20000, ge=1)
    trend_cities: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_TREND_CITIES.items()},
        description="Reporting city → aliases (other names, neighbourhoods).",
    )
    trend_city_radius_km: float = Field(default=25.0, ge=0.0)
    city_max_distance_km: float = Field(default=100.0, gt=0.0)
    home_min_posts: int = Field(default=3, ge=1)
    home_min_share: float = Field(default=0.6, gt=0.5, le=1.0)
    instagram_session_file: Path | None = None
    instagram_username: str | None = None
    instagram_password: SecretStr | None = None
    instagram_cookies_browser: str | None = Field(
        default=None, description="Browser to import an Instagram session from (firefox, chrome…)."
    )
    collect_max_sleep_s: float = Field(default=30.0, ge=0.0)
    collect_overlap_hours: float = Field(default=6.0, ge=0.0)
    collect_max_posts: int = Field(default=1000, ge=1)
    collect_comments_per_post: int = Field(default=0, ge=0)
    collect_workers: int = Field(default=2, ge=1, description="Processes reading archives.")
    collect_download_concurrency: int = Field(default=4, ge=1)
    profile_refresh_hours: float = Field(default=24.0, ge=0.0)
    collect_profiles_per_run: int = Field(
        default=200, ge=0, description="Owner profiles fetched per Instagram run; 0: none."
    )

    @field_validator(
        "detector_checkpoint", "model_version", "instagram_session_file", "instagram_username",
        "instagram_cookies_browser", mode="before",
    )  # fmt: skip
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("hashtags")
    @classmethod
    def _normalise_hashtags(cls, value: list[str]) -> list[str]:
        from trendminer.names import normalise_hashtag

        return [normalise_hashtag(tag) for tag in value]

    @model_validator(mode="after")
    def _history_holds_its_minimum(self) -> Settings:
        if self.peak_history_days < self.peak_min_history_days:
            raise ValueError(
                f"peak_history_days ({self.peak_history_days}) is below peak_min_history_days "
                f"({self.peak_min_history_days}): no day could ever be judged."
            )
        return self

    @property
    def media_root(self) -> str:
        """Where pictures are stored: the configured store or ``DATA_DIR/media``."""
        return self.media_store or str(self.data_dir / "media")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = _config_file()
        if config is not None:
            sources.append(_toml_source(settings_cls, config))
        return tuple(sources)


@lru_cache(maxsize=1)
def get_settings(**overrides: Any) -> Settings:
    """The process-wide settings (read once)."""
    return Settings(**overrides)
