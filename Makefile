# The two commands of the README: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test lint airflow

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[vision,airflow,dev]'
	touch $@

setup: $(BIN)/.installed

demo: setup
	$(BIN)/trendminer demo

# Airflow 3 standalone with our DAGs and plugin, same database; Ctrl-C stops it all.
airflow: setup
	$(BIN)/python -m trendminer.orchestration.standalone

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check trendminer dags plugins tests benchmarks
	$(BIN)/mypy
