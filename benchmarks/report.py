"""How long the daily report takes over a year of data.

Fills a temporary database with a year of synthetic trend-table rows (21 cities and 6 hashtag
series a day, 76 attributes a city-week, peaks with their anatomy, events, forecasts) and of
posts with pictures and detections, then times ``build_report`` for the year's last day, and,
side by side, for the same day on a second, empty database (the fixed cost: charts, page,
empty CSVs).

    .venv/bin/python benchmarks/report.py [--quick]   # --quick: 90 days instead of 365

Last stdout line: one JSON object (``report_s``, ``empty_report_s``, ``report_vs_empty``, rows).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._support import benchmark_server, emit, scratch_database
from trendminer.db import migrate
from trendminer.db.connection import make_engine
from trendminer.report import build_report
from trendminer.settings import Settings

CITIES = 20
POSTS_PER_DAY = 300

# Each statement fills one table from generate_series; :start and :days bound the year.
FILL = [
    """CREATE TEMP TABLE series AS
       SELECT d::date AS day, h AS hashtag, c AS city
       FROM generate_series(CAST(:start AS date), CAST(:start AS date) + :days - 1, '1 day') d,
            unnest(ARRAY['*', 'outfit', 'streetstyle', 'ootd', 'lookbook', 'streetwear']) h,
            unnest(ARRAY['*'] || ARRAY(SELECT 'City ' || i
                                       FROM generate_series(1, :cities) i)) c""",
    """INSERT INTO trend_daily_activity
       SELECT day, hashtag, city, 50 + (hashtext(day || hashtag || city) & 63), 900, 40, 30, 60
       FROM series""",
    """INSERT INTO trend_activity_days
       SELECT hashtag, city, day, 60 + (hashtext(day || city) & 31), 60, 1.0, 1.0,
              CASE WHEN hashtext(day || hashtag || city) % 50 = 0 THEN 'non-average'
                   ELSE 'average' END,
              hashtext(day || hashtag || city) % 50 = 0, NULL
       FROM series""",
    """INSERT INTO trend_daily_sentiment SELECT day, hashtag, city, 40, 6, 4, 80, 9, 5, 0.9
       FROM series""",
    """INSERT INTO trend_sentiment_days
       SELECT hashtag, city, day, 40, 6, 0.15, 0.12, 0.2,
              CASE WHEN hashtext(city || day || hashtag) % 70 = 0 THEN 'non-average'
                   ELSE 'average' END,
              hashtext(city || day || hashtag) % 70 = 0, NULL
       FROM series""",
    """INSERT INTO trend_peak_influencers
       SELECT 'activity', hashtag, city, day, r, 'user' || r || '_' || (hashtext(city) & 255),
              3, 400, 0, 0.3, 0.1, 1000 * r, city
       FROM trend_activity_days, generate_series(1, 10) r WHERE is_peak""",
    """INSERT INTO trend_peak_terms
       SELECT 'activity', hashtag, city, day, k, r, k || r, 4, 0.5, 6
       FROM trend_activity_days, generate_series(1, 6) r,
            unnest(ARRAY['hashtag', 'keyword']) k WHERE is_peak""",
    """CREATE TEMP TABLE attributes AS
       SELECT kind, attribute FROM (
         SELECT 'class' AS kind, 'class' || i AS attribute FROM generate_series(1, 13) i
         UNION ALL SELECT 'colour', 'colour' || i FROM generate_series(1, 13) i
         UNION ALL SELECT 'class_colour', 'colour' || i || ' class' || j
                   FROM generate_series(1, 10) i, generate_series(1, 5) j) a""",
    """INSERT INTO trend_attribute_weekly
       SELECT w::date, c.city, a.kind, a.attribute, 20, 200, 0.1, 0.06, 0.14, 'bench-model'
       FROM generate_series(date_trunc('week', CAST(:start AS date)),
                            CAST(:start AS date) + :days - 1, '1 week') w,
            (SELECT DISTINCT city FROM series) c, attributes a""",
    """INSERT INTO trend_attribute_fits
       SELECT city, attribute_kind, attribute, 'seasonal+linear', count(*), min(week), max(week),
              0.1, 0.1, (hashtext(city || attribute) % 100) / 100000.0, 0.01, 0.02, 20
       FROM trend_attribute_weekly GROUP BY city, attribute_kind, attribute""",
    """INSERT INTO trend_attribute_events
       SELECT city, attribute_kind, attribute, week, week, 1, week, 0.3, 0.1, 0.001,
              5.0, row_number() OVER (ORDER BY hashtext(city || attribute || week))
       FROM trend_attribute_weekly WHERE hashtext(city || attribute || week) % 400 = 0""",
    """INSERT INTO trend_attribute_event_keywords
       SELECT city, attribute_kind, attribute, start_week, r, 'word' || r, 5, 0.5, 10
       FROM trend_attribute_events, generate_series(1, 5) r""",
    """INSERT INTO trend_forecasts
       SELECT city, attribute_kind, attribute, last_week + 7 * h, 0.1, 0.05, 0.15
       FROM trend_attribute_fits, generate_series(1, 8) h""",
    """INSERT INTO trend_city_influence
       SELECT 'class', 'class' || i, 'City ' || i, 'City ' || (i + 1), 2, 0.5 + i / 100.0,
              3.0, 0.01, 40
       FROM generate_series(1, 19) i""",
    """INSERT INTO posts (shortcode, owner, taken_at, caption, likes, comments, first_seen,
                          last_seen, city, timezone, sentiment_label)
       SELECT 'P' || n, 'user' || (n % 5000), CAST(:start AS timestamptz) + n * interval '1 s'
              * (86400 * :days / (:days * :per_day)), 'look #outfit', 10, 1, now(), now(),
              'City ' || (1 + n % :cities), 'UTC', 'positive'
       FROM generate_series(1, :days * :per_day) n""",
    """INSERT INTO media (shortcode, position, path, status, width, height)
       SELECT shortcode, 0, 'missing/' || shortcode || '.jpg', 'ok', 300, 300 FROM posts""",
    """INSERT INTO detections
       SELECT m.media_id, 'bench-model', b, 'class' || (1 + (m.media_id + b) % 13), 0.8,
              10, 10, 100, 100, 'colour' || (1 + m.media_id % 13)
       FROM media m, generate_series(0, 1) b""",
    "INSERT INTO tracked_influencers SELECT 'user' || i FROM generate_series(1, 6) i",
    "INSERT INTO excluded_users VALUES ('user7')",
    "ANALYZE",
]


def fill(engine: Engine, start: date, days: int) -> dict[str, int]:
    params = {"start": start, "days": days, "cities": CITIES, "per_day": POSTS_PER_DAY}
    with engine.begin() as connection:
        for statement in FILL:
            connection.execute(text(statement), params)
        counts = {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("trend_daily_activity", "trend_attribute_weekly", "posts", "detections")
        }
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="90 days instead of a year.")
    args = parser.parse_args()
    days = 90 if args.quick else 365
    start = date(2025, 1, 1)
    logging.getLogger("trendminer.report.crops").setLevel(logging.ERROR)  # no pictures on disk
    with (
        tempfile.TemporaryDirectory(prefix="tm-report-") as tmp,
        benchmark_server(Path(tmp) / "pg") as server,
        scratch_database(server) as url,
        scratch_database(server) as empty_url,
    ):
        engine, empty = make_engine(url), make_engine(empty_url)
        migrate.upgrade(engine)
        migrate.upgrade(empty)
        started = time.perf_counter()
        rows = fill(engine, start, days)
        fill_s = time.perf_counter() - started
        settings = Settings(data_dir=Path(tmp), report_dir=Path(tmp) / "reports")
        last = start + timedelta(days=days - 1)
        build_report(engine, settings, last)  # warm-up: imports, fonts, caches
        started = time.perf_counter()
        folder = build_report(engine, settings, last)
        report_s = time.perf_counter() - started
        files = len(list(folder.iterdir()))
        started = time.perf_counter()
        build_report(empty, settings, last)
        empty_s = time.perf_counter() - started
        engine.dispose()
        empty.dispose()
    print(
        f"{days} days filled in {fill_s:.1f} s; report {report_s:.2f} s, empty day {empty_s:.2f} s"
    )
    emit(
        {
            "days": days,
            "rows": rows,
            "report_s": round(report_s, 3),
            "empty_report_s": round(empty_s, 3),
            "report_vs_empty": round(report_s / empty_s, 2),
            "report_files": files,
        }
    )


if __name__ == "__main__":
    main()
