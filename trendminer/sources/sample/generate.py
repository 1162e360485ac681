"""``generate_world``: plan a scenario's world, write it in instaloader's layout, render the
pictures (in worker processes) and write the ground truth."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from trendminer.sources.sample.render import Box, PictureSpec, render_picture
from trendminer.sources.sample.scenario import ScenarioError, load_scenario
from trendminer.sources.sample.truth import write_truth
from trendminer.sources.sample.world import World, simulate
from trendminer.sources.sample.writer import write_post, write_profile

logger = logging.getLogger(__name__)

_INLINE_BELOW = 48  # pictures; fewer render faster in-process than with a pool's start-up


@dataclass(frozen=True, slots=True)
class WorldSummary:
    """What ``generate_world`` wrote."""

    posts: int
    pictures: int
    garments: int
    comments: int
    users: int
    influencers: int
    events: int
    seconds: float

    def as_dict(self) -> dict[str, int | float]:
        """The counts as a plain dict."""
        return asdict(self)


def _render(task: tuple[PictureSpec, str]) -> list[Box]:
    spec, path = task
    return render_picture(spec, Path(path))


def _clear(out: Path) -> None:
    """Makes ``out`` ready: absent, empty, or holding an earlier world (whose files go)."""
    if not out.exists() or not any(out.iterdir()):
        return
    world_file = out / "truth" / "world.json"
    if not world_file.is_file():
        raise ScenarioError(
            f"{out} is not empty and holds no sample world; choose an empty or new folder."
        )
    for folder in json.loads(world_file.read_text()).get("folders", []):
        shutil.rmtree(out / folder, ignore_errors=True)
    shutil.rmtree(out / "truth")


def _write_metadata(out: Path, world: World) -> set[str]:
    """Writes every post's and influencer's JSON; returns the profile folders written."""
    for post in world.posts:
        write_post(out, post)
    profiles = set()
    for user in world.users:
        if user.influencer:
            write_profile(out, user)
            profiles.add(user.username)
    return profiles


def _workers(requested: int | None, pictures: int) -> int:
    if requested is not None:
        return max(1, requested)
    if pictures < _INLINE_BELOW:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), 8))


def generate_world(
    scenario: str | Path, out: Path, *, seed: int | None = None, workers: int | None = None
) -> WorldSummary:
    """Generates the world of ``scenario`` (packaged name or TOML file) into ``out``.

    Writes one ``#hashtag`` folder per hashtag in instaloader's ``--metadata-json`` layout,
    profile folders of the influencers, and ``truth/``. ``seed`` overrides the scenario's seed;
    ``workers`` is the number of rendering processes (default: the usable cores).
    """
    started = time.perf_counter()
    spec = load_scenario(scenario)
    out = Path(out)
    _clear(out)
    out.mkdir(parents=True, exist_ok=True)
    world = simulate(spec, seed)
    logger.info(
        "planned %d posts for scenario %s (seed %d)", len(world.posts), spec.name, world.seed
    )
    folders = {f"#{tag}" for tag in spec.hashtags}
    for folder in folders:
        (out / folder).mkdir(exist_ok=True)
    tasks = [
        (picture, str(out / post.folder / name))
        for post in world.posts
        for name, picture in zip(post.picture_names(), post.pictures, strict=True)
    ]
    count = _workers(workers, len(tasks))
    if count == 1:
        rendered = [_render(task) for task in tasks]
        folders |= _write_metadata(out, world)
    else:
        # The workers render while this process writes the JSON files.
        # close() + join() let the workers exit on their own: the pool's exit would SIGTERM
        # them, which a handler inherited from the parent (Airflow installs some) may ignore.
        with multiprocessing.get_context("fork").Pool(count) as pool:
            pending = pool.map_async(_render, tasks, chunksize=32)
            folders |= _write_metadata(out, world)
            rendered = pending.get()
            pool.close()
            pool.join()
    boxes = []
    cursor = 0
    for post in world.posts:
        boxes.append(rendered[cursor : cursor + len(post.pictures)])
        cursor += len(post.pictures)
    counts = write_truth(out, world, boxes, sorted(folders))
    summary = WorldSummary(**counts, seconds=round(time.perf_counter() - started, 2))
    logger.info("wrote the %s world to %s: %s", spec.name, out, summary.as_dict())
    return summary
