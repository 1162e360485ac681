"""The written files are what instaloader itself writes and reads back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import instaloader
from instaloader import Post, Profile, load_structure_from_file

from trendminer.sources.sample import WorldSummary


def _truth(world: Path) -> dict[str, dict]:
    lines = (world / "truth" / "posts.jsonl").read_text(encoding="utf-8").splitlines()
    return {p["shortcode"]: p for p in map(json.loads, lines)}


def _post_files(world: Path) -> list[Path]:
    return sorted(
        p
        for folder in world.glob("#*")
        for p in folder.iterdir()
        if p.name.endswith((".json", ".json.xz")) and not p.name.endswith("_comments.json")
    )


def test_instaloader_loads_every_post_with_likes_caption_owner_date_and_location(
    small_world: tuple[Path, WorldSummary],
) -> None:
    world, summary = small_world
    truth = _truth(world)
    context = instaloader.Instaloader(quiet=True).context
    files = _post_files(world)
    assert len(files) == summary.posts == len(truth)
    assert any(f.name.endswith(".xz") for f in files)
    geotagged = 0
    for path in files:
        post = load_structure_from_file(context, str(path))
        assert isinstance(post, Post)
        expected = truth[post.shortcode]
        assert path.parent.name == expected["folder"] == f"#{expected['hashtags'][0]}"
        assert post.likes == expected["likes"]
        assert post.owner_username == expected["owner"]
        assert post.date_utc.replace(tzinfo=UTC) == datetime.fromisoformat(expected["taken_at"])
        assert path.name.startswith(post.date_utc.strftime("%Y-%m-%d_%H-%M-%S_UTC"))
        assert post.caption is not None
        assert f"#{expected['hashtags'][0]}" in post.caption
        assert post.comments == expected["comments"]
        location = post._node["location"]
        if expected["location"] is None:
            assert location is None
        else:
            assert location["name"] == expected["location"]["name"]
            if expected["location"]["lat"] is not None:
                geotagged += 1
                assert (location["lat"], location["lng"]) == (
                    expected["location"]["lat"],
                    expected["location"]["lng"],
                )
    assert geotagged > summary.posts // 5


def test_pictures_are_named_as_instaloader_names_them(
    small_world: tuple[Path, WorldSummary],
) -> None:
    world, summary = small_world
    pictures = 0
    for post in _truth(world).values():
        names = [Path(p["file"]).name for p in post["pictures"]]
        stem = datetime.fromisoformat(post["taken_at"]).strftime("%Y-%m-%d_%H-%M-%S_UTC")
        if post["typename"] == "GraphSidecar":
            assert names == [f"{stem}_{i + 1}.jpg" for i in range(len(names))]
        else:
            assert names == [f"{stem}.jpg"]
        for picture in post["pictures"]:
            assert (world / picture["file"]).stat().st_size > 1000
            pictures += 1
    assert pictures == summary.pictures


def test_comments_and_profiles_load_as_instaloader_wrote_them(
    small_world: tuple[Path, WorldSummary],
) -> None:
    world, _ = small_world
    context = instaloader.Instaloader(quiet=True).context
    commented = [p for p in _truth(world).values() if p["comments"]]
    assert commented
    for post in commented[:20]:
        stem = datetime.fromisoformat(post["taken_at"]).strftime("%Y-%m-%d_%H-%M-%S_UTC")
        comments = json.loads((world / post["folder"] / f"{stem}_comments.json").read_text())
        assert len(comments) == post["comments"]
        assert {"id", "created_at", "text", "owner", "likes_count", "answers"} <= set(comments[0])
        times = [c["created_at"] for c in comments]
        assert times == sorted(times, reverse=True)
    influencers = json.loads((world / "truth" / "world.json").read_text())["influencers"]
    for influencer in influencers:
        name = influencer["username"]
        path = world / name / f"{name}_{influencer['user_id']}.json"
        profile = load_structure_from_file(context, str(path))
        assert isinstance(profile, Profile)
        assert profile.username == name
        assert profile.userid == influencer["user_id"]
        assert profile.followers == influencer["followers"]
