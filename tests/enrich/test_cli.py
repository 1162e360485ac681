"""``trendminer enrich`` end to end in a subprocess, on the test database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from tests.factories import make_post
from trendminer.db.bulk import upsert_posts


def test_enrich_command_reports_counts(engine: Engine, trendminer_env: Path) -> None:
    with engine.begin() as connection:
        upsert_posts(connection, [make_post(i, caption="so happy") for i in range(3)])
    command = [sys.executable, "-m", "trendminer", "enrich", "--since", "2026-06-01"]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=300)
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert counts["posts"] == 3
    assert counts["posts_scored"] == 3
    assert counts["comments"] == 3
    again = subprocess.run(
        [*command[:-2], "--all"], capture_output=True, text=True, check=True, timeout=300
    )
    assert json.loads(again.stdout.strip().splitlines()[-1])["posts"] == 3
