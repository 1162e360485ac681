"""The ``scrape_state`` table: watermark and resume state per hashtag, profile or archive."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text


@dataclass(frozen=True, slots=True)
class ScrapeState:
    """Where a source stands: newest post time collected, a frozen iterator, the last run."""

    kind: str  # hashtag | profile | archive
    name: str
    watermark: datetime | None = None
    resume_state: dict[str, Any] | None = None
    last_run_at: datetime | None = None
    last_status: str | None = None


def read_state(connection: Connection, kind: str, name: str) -> ScrapeState:
    """The stored state, or an empty one when the source was never collected."""
    row = connection.execute(
        text(
            "SELECT watermark, resume_state, last_run_at, last_status FROM scrape_state "
            "WHERE kind = :kind AND name = :name"
        ),
        {"kind": kind, "name": name},
    ).first()
    if row is None:
        return ScrapeState(kind, name)
    return ScrapeState(kind, name, row[0], row[1], row[2], row[3])


_WRITE = """
INSERT INTO scrape_state (kind, name, watermark, resume_state, last_run_at, last_status)
VALUES (:kind, :name, :watermark, CAST(:resume_state AS jsonb), now(), :last_status)
ON CONFLICT (kind, name) DO UPDATE SET
    watermark = GREATEST(scrape_state.watermark, EXCLUDED.watermark),
    resume_state = EXCLUDED.resume_state,
    last_run_at = EXCLUDED.last_run_at,
    last_status = EXCLUDED.last_status
"""


def write_state(
    connection: Connection,
    kind: str,
    name: str,
    *,
    status: str,
    watermark: datetime | None = None,
    resume_state: dict[str, Any] | None = None,
) -> None:
    """Record a run's outcome; the watermark only moves forward, ``resume_state`` is replaced."""
    connection.execute(
        text(_WRITE),
        {
            "kind": kind,
            "name": name,
            "watermark": watermark,
            "resume_state": None if resume_state is None else json.dumps(resume_state),
            "last_status": status,
        },
    )
