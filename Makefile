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

# Our operations are valid against schema.graphql and the generated client is up to date.
check: $(STAMP)
	$(BIN)/upwork-gql schema check --quiet
	$(BIN)/python scripts/generate.py --check

# Introspect the live API into schema.graphql (sorted, deterministic). URL: SCHEMA_URL, else
# $UPWORK_API_URL, else Upwork's; auth: $UPWORK_ACCESS_TOKEN or the saved login; tenant:
# $UPWORK_TENANT_ID. On any failure schema.graphql is left untouched.
SCHEMA_URL ?=
REGEN_DIR  := $(VENV)/regenerate

schema-pull: $(STAMP)
	$(BIN)/upwork-gql schema pull $(if $(SCHEMA_URL),--url $(SCHEMA_URL)) -o schema.graphql

# Pull, show what changed in the schema, check our operations against it (stops if one
# broke), regenerate, run the tests, and summarize what changed in the generated API.
regenerate: $(STAMP)
	mkdir -p $(REGEN_DIR)
	cp schema.graphql $(REGEN_DIR)/schema.before.graphql
	$(BIN)/python scripts/api_diff.py snapshot -o $(REGEN_DIR)/api.before.json \
		|| echo '{"methods": {}, "models": {}, "enums": {}}' > $(REGEN_DIR)/api.before.json
	$(MAKE) --no-print-directory schema-pull
	$(BIN)/upwork-gql schema diff $(REGEN_DIR)/schema.before.graphql schema.graphql || true
	$(BIN)/upwork-gql schema check --quiet
	$(BIN)/python scripts/generate.py
	$(BIN)/pytest -q
	$(BIN)/python scripts/api_diff.py compare $(REGEN_DIR)/api.before.json

demo: $(STAMP)
	$(BIN)/upwork-gql demo

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
