"""The same seed gives the same world, byte for byte; another seed another world."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from trendminer.sources.sample import generate_world

_TINY = """
[world]
start = 2025-01-06
days = 7
posts_per_day = 6
[users]
ordinary = 20
influencers = 2
[[cities]]
name = "Paris"
country = "FR"
[[cities]]
name = "Tokyo"
country = "JP"
[[events]]
kind = "activity_peak"
start = 2025-01-08
multiplier = 2.0
"""


def _digest(world: Path) -> dict[str, str]:
    return {
        str(p.relative_to(world)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(world.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(_TINY)
    return path


def test_same_seed_same_bytes_whatever_the_worker_count(tiny: Path, tmp_path: Path) -> None:
    one = generate_world(tiny, tmp_path / "a", seed=5, workers=1)
    two = generate_world(tiny, tmp_path / "b", seed=5, workers=2)
    assert one.posts > 10
    assert (one.posts, one.pictures, one.garments) == (two.posts, two.pictures, two.garments)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_another_seed_another_world_and_regeneration_replaces_the_old(
    tiny: Path, tmp_path: Path
) -> None:
    generate_world(tiny, tmp_path / "a", seed=5, workers=1)
    first = _digest(tmp_path / "a")
    generate_world(tiny, tmp_path / "b", seed=6, workers=1)
    assert _digest(tmp_path / "b") != first
    generate_world(tiny, tmp_path / "a", seed=6, workers=1)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
