"""Ingest benchmark: idempotent bulk upsert of posts with hashtags vs plain COPY vs ORM rows.

    python benchmarks/ingest.py [--quick] [--posts N] [--orm-rows N] [--batch-size N]

Measured side by side in one run, on one temporary database:
- upsert: ``trendminer.db.bulk.upsert_posts`` over batches (clean, dedupe, COPY to staging,
  INSERT … ON CONFLICT into the indexed schema, hashtags and metrics history included);
- copy: a plain COPY of the same posts and hashtags, pre-serialised, into unindexed tables;
- indexed copy: the same COPY into the schema's own (empty, indexed) ``posts`` and
  ``post_hashtags``, no conflict handling: what the indexes alone cost, the ceiling of any
  upsert into this schema (``indexed_copy_vs_copy``; measured at about 0.2);
- orm: row-by-row SQLAlchemy ORM inserts (one ``session.add`` and commit per row).
The last line is one JSON object with ``ratio_vs_copy``, ``ratio_vs_indexed_copy`` and
``ratio_vs_orm``.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import BigInteger, DateTime, Integer, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from benchmarks._support import emit, temporary_database
from trendminer.cleaning import caption_hashtags
from trendminer.db import migrate
from trendminer.db.bulk import upsert_in_batches
from trendminer.db.connection import make_engine
from trendminer.db.copy import copy_rows, to_copy_text
from trendminer.records import PostRecord

WORDS = ("look", "today", "love", "new", "street", "style", "fit", "city", "vibes", "weekend")
TAGS = ("outfit", "streetstyle", "streetoutfit", "ootd", "fashion", "style", "lookbook", "fit")
START = datetime(2026, 1, 1, tzinfo=UTC)


def generate_posts(count: int, seed: int = 1) -> list[PostRecord]:
    """``count`` distinct, plausible posts with two to four hashtags each."""
    rng = random.Random(seed)
    seen_at = START + timedelta(days=400)
    posts = []
    for index in range(count):
        tags = rng.sample(TAGS, rng.randint(2, 4))
        caption = " ".join(rng.choices(WORDS, k=8)) + " " + " ".join(f"#{t}" for t in tags)
        posts.append(
            PostRecord(
                shortcode=f"B{index:010d}",
                owner=f"user{rng.randrange(50_000)}",
                taken_at=START + timedelta(seconds=rng.randrange(365 * 86400)),
                seen_at=seen_at,
                post_id=10_000_000 + index,
                caption=caption,
                likes=rng.randrange(5000),
                comments=rng.randrange(50),
                source_hashtags=(tags[0],),
            )
        )
    return posts


class Base(DeclarativeBase):
    pass


class OrmPost(Base):
    """The ORM baseline's mapping of ``posts`` (only what the baseline writes)."""

    __tablename__ = "posts"
    shortcode: Mapped[str] = mapped_column(Text, primary_key=True)
    post_id: Mapped[int] = mapped_column(BigInteger)
    owner: Mapped[str] = mapped_column(Text)
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    caption: Mapped[str] = mapped_column(Text)
    likes: Mapped[int] = mapped_column(Integer)
    comments: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def time_upsert(url: str, posts: list[PostRecord], batch_size: int) -> float:
    engine = make_engine(url)
    started = time.perf_counter()
    upsert_in_batches(engine, posts, batch_size)
    elapsed = time.perf_counter() - started
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM posts")).scalar_one()
    assert stored == len(posts), f"upsert stored {stored} of {len(posts)} posts"
    engine.dispose()
    return elapsed


COPY_COLUMNS = (
    "shortcode", "post_id", "owner", "taken_at", "caption", "likes", "comments", "first_seen",
    "last_seen",
)  # fmt: skip


def copy_payloads(posts: list[PostRecord], batch_size: int) -> list[tuple[str, str]]:
    """Per batch, the posts (``COPY_COLUMNS``) and their hashtags, serialised beforehand."""
    batches = (posts[offset : offset + batch_size] for offset in range(0, len(posts), batch_size))
    return [(_post_rows(batch), _hashtag_rows(batch)) for batch in batches]


def _post_rows(batch: list[PostRecord]) -> str:
    return to_copy_text(
        (p.shortcode, p.post_id, p.owner, p.taken_at, p.caption, p.likes, p.comments, p.seen_at,
         p.seen_at)
        for p in batch
    )  # fmt: skip


def _hashtag_rows(batch: list[PostRecord]) -> str:
    return to_copy_text((p.shortcode, tag) for p in batch for tag in caption_hashtags(p.caption))


def time_copy(
    url: str, payloads: list[tuple[str, str]], posts_table: str, tags_table: str
) -> float:
    """COPY the payloads into two tables, one transaction per batch."""
    engine = make_engine(url)
    started = time.perf_counter()
    for post_payload, tag_payload in payloads:
        with engine.begin() as connection:
            copy_rows(connection, posts_table, COPY_COLUMNS, post_payload)
            copy_rows(connection, tags_table, ("shortcode", "hashtag"), tag_payload)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def create_plain_tables(url: str) -> None:
    """Unindexed tables of the copied columns."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE plain_posts (shortcode text, post_id bigint, owner text, "
            "taken_at timestamptz, caption text, likes integer, comments integer, "
            "first_seen timestamptz, last_seen timestamptz);"
            "CREATE TABLE plain_hashtags (shortcode text, hashtag text)"
        )
    engine.dispose()


def empty_schema_tables(url: str) -> None:
    """Empty ``posts`` and ``post_hashtags`` (and what refers to them) for the indexed COPY."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("TRUNCATE posts, post_hashtags, post_metrics CASCADE")
    engine.dispose()


def time_orm(url: str, posts: list[PostRecord]) -> float:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("TRUNCATE posts CASCADE")
    started = time.perf_counter()
    with Session(engine) as session:
        for p in posts:
            session.add(
                OrmPost(
                    shortcode=p.shortcode, post_id=p.post_id, owner=p.owner, taken_at=p.taken_at,
                    caption=p.caption, likes=p.likes, comments=p.comments,
                    first_seen=p.seen_at, last_seen=p.seen_at,
                )
            )  # fmt: skip
            session.commit()
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 posts, 2,000 ORM rows")
    parser.add_argument("--posts", type=int, default=None)
    parser.add_argument("--orm-rows", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=50_000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    n_posts = args.posts or (100_000 if args.quick else 1_000_000)
    n_orm = args.orm_rows or (2_000 if args.quick else 10_000)

    posts = generate_posts(n_posts)
    hashtags = sum(len(caption_hashtags(p.caption)) for p in posts)
    payloads = copy_payloads(posts, args.batch_size)
    with temporary_database() as url:
        migrate.upgrade(make_engine(url))
        create_plain_tables(url)
        copy_s = time_copy(url, payloads, "plain_posts", "plain_hashtags")
        upsert_s = time_upsert(url, posts, args.batch_size)
        empty_schema_tables(url)
        indexed_s = time_copy(url, payloads, "posts", "post_hashtags")
        orm_s = time_orm(url, posts[:n_orm])

    copy_rate, upsert_rate, orm_rate = n_posts / copy_s, n_posts / upsert_s, n_orm / orm_s
    indexed_rate = n_posts / indexed_s
    print(f"posts: {n_posts:,} with {hashtags:,} hashtags; ORM sample: {n_orm:,} rows")
    print(f"plain COPY (pre-serialised, unindexed): {copy_rate:12,.0f} posts/s")
    print(f"plain COPY into the indexed schema:     {indexed_rate:12,.0f} posts/s")
    print(f"trendminer upsert (indexed, idempotent): {upsert_rate:12,.0f} posts/s")
    print(f"ORM row by row (commit per row):        {orm_rate:12,.0f} posts/s")
    print(f"upsert / COPY = {upsert_rate / copy_rate:.2f} (goal >= 0.5)")
    print(f"indexed COPY / COPY = {indexed_rate / copy_rate:.2f} (what the indexes leave)")
    print(f"upsert / indexed COPY = {upsert_rate / indexed_rate:.2f}")
    print(f"upsert / ORM  = {upsert_rate / orm_rate:.1f} (goal >= 20)")
    emit(
        {
            "posts": n_posts,
            "upsert_posts_per_s": round(upsert_rate),
            "copy_posts_per_s": round(copy_rate),
            "indexed_copy_posts_per_s": round(indexed_rate),
            "orm_posts_per_s": round(orm_rate),
            "ratio_vs_copy": round(upsert_rate / copy_rate, 3),
            "indexed_copy_vs_copy": round(indexed_rate / copy_rate, 3),
            "ratio_vs_indexed_copy": round(upsert_rate / indexed_rate, 3),
            "ratio_vs_orm": round(upsert_rate / orm_rate, 1),
        }
    )


if __name__ == "__main__":
    main()
