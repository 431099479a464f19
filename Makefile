# upwork-gql developer commands. Every target creates .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install test lint format generate check-generated demo bench schema-pull regenerate check clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/pytest

generate: $(STAMP)
	$(BIN)/python scripts/generate.py

check-generated: $(STAMP)
	$(BIN)/python scripts/generate.py --check

demo: $(STAMP)
	$(BIN)/upwork-gql demo

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
