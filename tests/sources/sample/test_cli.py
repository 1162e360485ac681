"""``trendminer sample generate|scenarios|preview``."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from trendminer.cli.main import app
from trendminer.sources.sample import WorldSummary


def test_scenarios_lists_the_packaged_ones() -> None:
    result = CliRunner().invoke(app, ["sample", "scenarios"])
    assert result.exit_code == 0, result.output
    assert {line.split("\t")[0] for line in result.output.splitlines()} >= {"default", "small"}


def test_generate_writes_a_world_and_bad_scenarios_exit_cleanly(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(
        "[world]\nstart = 2025-01-06\ndays = 7\nposts_per_day = 3\n"
        '[[cities]]\nname = "Lagos"\ncountry = "NG"\n'
    )
    out = tmp_path / "world"
    args = ["sample", "generate", "--scenario", str(scenario), "--out", str(out), "--seed", "3"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output.strip().splitlines()[-1])
    assert counts["posts"] == len((out / "truth" / "posts.jsonl").read_text().splitlines()) > 0
    bad = CliRunner().invoke(app, ["sample", "generate", "--scenario", "nope", "--out", str(out)])
    assert bad.exit_code == 1
    assert "neither a packaged scenario" in bad.output


def test_preview_draws_a_contact_sheet(
    small_world: tuple[Path, WorldSummary], tmp_path: Path
) -> None:
    world, _ = small_world
    sheet = tmp_path / "sheet.png"
    result = CliRunner().invoke(
        app, ["sample", "preview", str(world), "--out", str(sheet), "--count", "7"]
    )
    assert result.exit_code == 0, result.output
    with Image.open(sheet) as image:
        assert image.width == 6 * 320
        assert image.height == 2 * 400
