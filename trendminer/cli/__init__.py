"""The ``trendminer`` command line (typer); each command delegates to a library function."""
