"""Archive import: instaloader dumps → posts, pictures, comments, profiles, locations."""

from __future__ import annotations

import json
import lzma
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.collect.dumps import BASE, comment, graph_node, jpeg, write_post, write_profile
from trendminer.collect import import_archive
from trendminer.errors import ConfigurationError
from trendminer.settings import Settings

PARIS = {"id": "213385402", "has_public_page": True, "name": "Paris, France",
         "slug": "paris-france", "lat": 48.8566, "lng": 2.3522}  # fmt: skip


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", upsert_batch_size=3, collect_workers=2)


def _dump(root: Path) -> None:
    tag = root / "#outfit"
    write_post(tag, graph_node(1, location=PARIS), pictures={".jpg": jpeg(1)},
               comments=[comment(501, "love it", [comment(502, "thanks")])])  # fmt: skip
    write_post(tag, graph_node(2, typename="GraphSidecar", sidecar_videos=(False, True, False)),
               compress=False, pictures={"_1.jpg": jpeg(2), "_2.jpg": jpeg(3), "_2.mp4": b"\0",
                                         "_3.jpg": jpeg(4)})  # fmt: skip
    write_post(tag, graph_node(3, typename="GraphVideo", owner="bob"),
               pictures={".jpg": jpeg(5), ".mp4": b"\0\0"})  # fmt: skip
    write_post(tag, graph_node(4), pictures={".jpg": jpeg(6)[:-300]})  # truncated picture
    write_post(tag, graph_node(5), pictures={".jpg": b""})  # empty picture
    write_post(tag, graph_node(6))  # no picture at all
    write_post(
        tag, graph_node(7, owner=None, owner_id=123), pictures={".jpg": jpeg(7)}
    )  # owner by id only
    write_post(
        root / "#streetstyle", graph_node(8, owner=None, owner_id=9003), pictures={".jpg": jpeg(8)}
    )
    write_post(tag, graph_node(9, taken_at=BASE.replace(year=2001)), pictures={".jpg": jpeg(9)})
    write_profile(root / "alice", "alice", 9001, followers=5000)
    write_profile(root / "bob", "bob", 9003)
    (tag / "notes.json").write_text('{"hello": "world"}')  # other JSON: passed over
    (tag / "list.json").write_text("[1, 2, 3]")
    (tag / "broken.json").write_text('{"node": {"shortcode": "Cq0000')  # truncated JSON
    (tag / "broken.json.xz").write_bytes(lzma.compress(b'{"node": {}, "instaloader"')[:-10])
    (tag / "README.txt").write_text("not json")


def _count(engine: Engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


def test_import_archive_reads_posts_pictures_comments_and_profiles(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    root = tmp_path / "dump"
    _dump(root)
    result = import_archive(engine, settings, root)

    assert result.skipped_files == 2
    assert result.ignored_files == 2
    assert result.posts == 9
    assert result.rejected == 2  # post 9 (year 2001) and post 7 (unknown owner)
    with engine.connect() as connection:
        posts = dict(connection.execute(text("SELECT shortcode, owner FROM posts")).all())
        media = connection.execute(
            text("SELECT shortcode, position, is_video, status, path, sha256, width, error "
                 "FROM media ORDER BY shortcode, position")
        ).all()  # fmt: skip
        location = connection.execute(
            text("SELECT l.name, l.slug, l.lat, l.lng FROM posts p JOIN locations l "
                 "USING (location_id) WHERE shortcode = 'Cq000000001'")
        ).one()  # fmt: skip
        comments = connection.execute(
            text("SELECT comment_id, owner, text FROM comments ORDER BY 1")
        ).all()
        profiles = dict(connection.execute(text("SELECT username, followers FROM profiles")).all())
        rejected = connection.execute(
            text("SELECT source, reason FROM rejected_records WHERE stage = 'collect.archive'")
        ).all()
        hashtags = connection.execute(
            text("SELECT source_hashtags FROM posts WHERE shortcode = 'Cq000000002'")
        ).scalar_one()
    # Post 7's owner is only an id that nothing in the dump names: rejected; post 8's id is
    # bob's (his profile file), so it is kept as bob's.
    assert posts == {
        "Cq000000001": "alice", "Cq000000002": "alice", "Cq000000003": "bob",
        "Cq000000004": "alice", "Cq000000005": "alice", "Cq000000006": "alice",
        "Cq000000008": "bob",
    }  # fmt: skip
    by_key = {(row.shortcode, row.position): row for row in media}
    assert [k for k in by_key if k[0] == "Cq000000002"] == [("Cq000000002", i) for i in range(3)]
    assert by_key["Cq000000002", 1].is_video
    assert by_key["Cq000000002", 1].status == "ok"
    assert by_key["Cq000000003", 0].is_video
    assert by_key["Cq000000003", 0].status == "ok"
    assert by_key["Cq000000004", 0].status == "corrupt"
    assert "truncated" in by_key["Cq000000004", 0].error.lower()
    assert by_key["Cq000000004", 0].path is None
    assert by_key["Cq000000005", 0].status == "corrupt"
    assert by_key["Cq000000006", 0].status == "missing"
    ok = [row for row in media if row.status == "ok"]
    assert len(ok) == 6
    for row in ok:
        stored = Path(row.path)
        assert stored.is_relative_to(Path(settings.media_root).resolve())
        assert stored.name.startswith(row.sha256)
        assert stored.parent.name == row.sha256[:2]
        assert row.width == 64
    assert location == ("Paris, France", "paris-france", 48.8566, 2.3522)
    assert comments == [(501, "fan", "love it"), (502, "fan", "thanks")]
    assert profiles == {"alice": 5000, "bob": 100}
    assert {source for source, _ in rejected} == {
        os.path.join("#outfit", "broken.json"),
        os.path.join("#outfit", "broken.json.xz"),
    }
    assert hashtags == ["outfit"]
    assert result.pictures_ok == 6


def test_import_archive_twice_changes_nothing(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    root = tmp_path / "dump"
    _dump(root)
    first = import_archive(engine, settings, root)
    tables = ("posts", "media", "comments", "profiles", "locations", "post_hashtags")
    before = {t: _count(engine, f"SELECT count(*) FROM {t}") for t in tables}
    stored = sorted(p for p in Path(settings.media_root).rglob("*") if p.is_file())
    second = import_archive(engine, settings, root)
    assert second.inserted == 0
    assert second.updated == first.inserted + first.updated
    assert {t: _count(engine, f"SELECT count(*) FROM {t}") for t in tables} == before
    assert sorted(p for p in Path(settings.media_root).rglob("*") if p.is_file()) == stored


def test_same_post_in_two_files_counts_once_newest_file_wins(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    root = tmp_path / "dump"
    old = BASE + timedelta(days=3)
    write_post(root / "#outfit", graph_node(1, likes=5), mtime=old, pictures={".jpg": jpeg(1)})
    write_post(root / "#ootd", graph_node(1, likes=50), mtime=old + timedelta(days=1))
    write_post(root / "#fashion", graph_node(1, likes=7), mtime=old - timedelta(days=1))
    result = import_archive(engine, settings, root)
    assert (result.posts, result.inserted, result.updated) == (1, 1, 0)
    with engine.connect() as connection:
        likes, first_seen = connection.execute(text("SELECT likes, last_seen FROM posts")).one()
    assert likes == 50
    assert first_seen == old + timedelta(days=1)


def test_a_post_in_several_hashtag_folders_keeps_every_folders_hashtag(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    root = tmp_path / "dump"
    old = BASE + timedelta(days=3)
    untagged = {"edges": [{"node": {"text": "no tags"}}]}
    for folder, likes, mtime in (("#ootd", 5, old), ("#outfit", 50, old + timedelta(days=1)),
                                 ("#fashion", 7, old - timedelta(days=1))):  # fmt: skip
        node = {**graph_node(1, likes=likes), "edge_media_to_caption": untagged}
        write_post(root / folder, node, mtime=mtime)
    result = import_archive(engine, settings, root)
    assert (result.posts, result.inserted) == (1, 1)
    with engine.connect() as connection:
        likes, source = connection.execute(text("SELECT likes, source_hashtags FROM posts")).one()
        tags = connection.execute(text("SELECT hashtag FROM post_hashtags")).scalars().all()
    assert likes == 50
    assert sorted(source) == sorted(tags) == ["fashion", "ootd", "outfit"]


def test_files_starting_with_a_byte_order_mark_are_imported(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    tag = tmp_path / "dump" / "#outfit"
    plain = write_post(tag, graph_node(1), compress=False, pictures={".jpg": jpeg(1)},
                       comments=[comment(501, "love it")])  # fmt: skip
    plain.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    comments = tag / plain.name.replace(".json", "_comments.json")
    comments.write_bytes(b"\xef\xbb\xbf" + comments.read_bytes())
    packed = write_post(tag, graph_node(2), pictures={".jpg": jpeg(2)})
    packed.write_bytes(lzma.compress(b"\xef\xbb\xbf" + lzma.decompress(packed.read_bytes())))
    result = import_archive(engine, settings, tmp_path / "dump")
    assert (result.posts, result.skipped_files, result.ignored_files) == (2, 0, 0)
    assert result.comments == 1
    assert _count(engine, "SELECT count(*) FROM posts") == 2


def test_pictures_are_hard_linked_into_the_store(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    root = tmp_path / "dump"
    write_post(root / "#outfit", graph_node(1), pictures={".jpg": jpeg(1)})
    write_post(root / "#outfit", graph_node(2), pictures={".jpg": jpeg(1)})  # same picture
    import_archive(engine, settings, root)
    with engine.connect() as connection:
        paths = connection.execute(text("SELECT DISTINCT path FROM media")).scalars().all()
    assert len(paths) == 1
    source = next((root / "#outfit").glob("*.jpg"))
    assert os.stat(paths[0]).st_ino == source.stat().st_ino


def test_import_archive_many_files_uses_workers(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    root = tmp_path / "dump"
    for i in range(80):
        write_post(root / "#outfit", graph_node(i), pictures={".jpg": jpeg(i)})
    result = import_archive(engine, settings, root)
    assert (result.posts, result.inserted, result.pictures_ok) == (80, 80, 80)
    assert _count(engine, "SELECT count(*) FROM posts") == 80


def test_import_archive_without_folder_fails_clearly(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        import_archive(engine, settings, tmp_path / "nowhere")


def test_files_of_foreign_shape_or_name_are_skipped_and_the_rest_imported(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    root = tmp_path / "dump"
    tag = root / "#outfit"
    write_post(tag, graph_node(1), pictures={".jpg": jpeg(1)})

    def envelope(node: dict[str, object]) -> str:
        return json.dumps({"node": node, "instaloader": {"node_type": "Post"}})

    (tag / "caption.json").write_text(envelope({**graph_node(2), "edge_media_to_caption": "x"}))
    sidecar = {**graph_node(3), "__typename": "GraphSidecar",
               "edge_sidecar_to_children": {"edges": ["x"]}}  # fmt: skip
    (tag / "sidecar.json").write_text(envelope(sidecar))
    (tag / "infinity.json").write_text(
        envelope(graph_node(4)).replace('"id": "', '"id": 1e999, "x": "', 1)
    )
    (tag / "comments_not_a_list_comments.json").write_text("{")
    nameless = {key: value for key, value in graph_node(5).items() if key != "shortcode"}
    (tag / "nameless.json").write_text(envelope(nameless))
    bad_name = os.fsencode(tag) + b"/bad\xff.json"
    with open(bad_name, "w") as handle:
        handle.write('{"node": ')
    result = import_archive(engine, settings, root)
    with engine.connect() as connection:
        shortcodes = connection.execute(text("SELECT shortcode FROM posts")).scalars().all()
        sources = (
            connection.execute(
                text("SELECT source FROM rejected_records WHERE stage = 'collect.archive'")
            )
            .scalars()
            .all()
        )
    assert "Cq000000001" in shortcodes
    assert "Cq000000004" in shortcodes  # an id of 1e999 is an id unknown, not a lost post
    assert (result.skipped_files, result.rejected) == (3, 1)
    names = ("bad\ufffd.json", "caption.json", "sidecar.json", "nameless.json")
    assert sorted(sources) == sorted(os.path.join("#outfit", name) for name in names)


def test_an_archive_dated_1970_imports_the_same_rows_twice(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    root = tmp_path / "dump"
    epoch = datetime(1970, 1, 2, tzinfo=UTC)
    write_post(root / "#outfit", graph_node(1), pictures={".jpg": jpeg(1)}, mtime=epoch)
    profile = write_profile(root / "alice", "alice", 9001)
    os.utime(profile, (epoch.timestamp(), epoch.timestamp()))
    for _ in range(2):
        import_archive(engine, settings, root)
    assert _count(engine, "SELECT count(*) FROM post_metrics") == 1
    assert _count(engine, "SELECT count(*) FROM profiles") == 1
