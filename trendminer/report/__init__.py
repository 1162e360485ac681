"""The daily trend report: HTML with charts and garment crops, a CSV per trend table, a summary.

``build_report(engine, settings, day, out_dir=None)`` writes ``REPORT_DIR/<day>/``.
"""

from trendminer.report.build import build_report, report_folder

__all__ = ["build_report", "report_folder"]
