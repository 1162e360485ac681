"""Enrich: caption and comment language and sentiment, and the city of every post."""

from trendminer.enrich.stage import EnrichResult, enrich

__all__ = ["EnrichResult", "enrich"]
