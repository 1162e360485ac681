"""Importing a Sample world's archive (twice) gives exactly its truth, once each."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from trendminer.collect import import_archive
from trendminer.settings import Settings


@pytest.fixture(scope="module")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from trendminer.sources.sample import generate_world

    out = tmp_path_factory.mktemp("world")
    generate_world("small", out, seed=7)
    return out


def _truth(world: Path) -> tuple[list[dict[str, object]], dict[str, object]]:
    posts = [json.loads(line) for line in (world / "truth" / "posts.jsonl").open()]
    return posts, json.loads((world / "truth" / "world.json").read_text())


@pytest.mark.slow
def test_importing_a_sample_world_twice_gives_its_posts_pictures_profiles_locations_once(
    engine: Engine, small_world: Path, tmp_path: Path
) -> None:
    posts, world = _truth(small_world)
    settings = Settings(data_dir=tmp_path / "data")
    first = import_archive(engine, settings, small_world)
    second = import_archive(engine, settings, small_world)

    assert (first.posts, first.inserted, first.rejected, first.skipped_files) == (
        len(posts),
        len(posts),
        0,
        0,
    )
    assert (second.inserted, second.updated) == (0, len(posts))
    with engine.connect() as connection:
        stored = {
            row.shortcode: row
            for row in connection.execute(
                text("SELECT shortcode, owner, taken_at, likes, location_id FROM posts")
            )
        }
        media = connection.execute(
            text("SELECT shortcode, position, status, width, height, sha256 FROM media")
        ).all()
        profiles = set(connection.execute(text("SELECT username FROM profiles")).scalars())
        locations = set(connection.execute(text("SELECT location_id FROM locations")).scalars())
        comments = connection.execute(text("SELECT count(*) FROM comments")).scalar_one()

    assert set(stored) == {p["shortcode"] for p in posts}
    for truth in posts:
        row = stored[truth["shortcode"]]
        assert row.owner == truth["owner"]
        assert row.taken_at == datetime.fromisoformat(str(truth["taken_at"]))
        assert row.likes == truth["likes"]
    expected_pictures = {
        (p["shortcode"], i): (pic["width"], pic["height"])
        for p in posts
        for i, pic in enumerate(p["pictures"])  # type: ignore[arg-type]
    }
    assert {(m.shortcode, m.position): (m.width, m.height) for m in media} == expected_pictures
    assert all(m.status == "ok" for m in media)
    assert len(media) == world["counts"]["pictures"]  # type: ignore[index]
    assert profiles == {i["username"] for i in world["influencers"]}  # type: ignore[attr-defined]
    assert locations == {
        p["location"]["id"]
        for p in posts
        if p["location"]  # type: ignore[index]
    }
    assert comments == world["counts"]["comments"]  # type: ignore[index]
    files = [p for p in Path(settings.media_root).rglob("*") if p.is_file()]
    assert len(files) == len({m.sha256 for m in media})
