"""A ``small`` world generated once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from trendminer.sources.sample import WorldSummary, generate_world


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, WorldSummary]:
    """The packaged ``small`` scenario's world and its summary."""
    out = tmp_path_factory.mktemp("small_world")
    return out, generate_world("small", out, workers=2)
