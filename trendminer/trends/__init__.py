"""Trends: the trend tables analysts query (SQL in ``sql/trends/``) and the models behind them.

``build_trends(engine, settings, start, end)`` rebuilds every table for a window of local days;
``trendminer.trends.peaks`` is the stand-alone peak detector behind ``trendminer peaks``.
"""

from trendminer.trends.build import TrendsError, TrendsResult, build_trends

__all__ = ["TrendsError", "TrendsResult", "build_trends"]
