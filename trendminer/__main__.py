"""``python -m trendminer`` runs the CLI."""

from trendminer.cli.main import app

app()
