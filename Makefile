# upwork-gql developer commands. Every target creates the virtualenv on first use and installs
# what it needs: `make demo` the command line and the sandbox only, `make test` / `make install`
# every extra plus the development tools. PYTHON and VENV can be overridden
# (`make test PYTHON=python3.12 VENV=.venv-3.12`).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check

# One stamp per install set, so that `make demo` then `make test` installs the rest.
DEMO_STAMP := $(VENV)/.installed-demo
DEV_STAMP  := $(VENV)/.installed-dev
# The demo runs from the full install when there is one.
DEMO_DEPS  := $(if $(wildcard $(DEV_STAMP)),$(DEV_STAMP),$(DEMO_STAMP))

.PHONY: install test lint format generate check-generated demo bench schema-pull regenerate check clean

$(BIN)/python:
	@echo "==> creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)

$(DEMO_STAMP): pyproject.toml | $(BIN)/python
	@echo "==> installing upwork-gql with its cli and sandbox extras into $(VENV)"
	$(PIP) install -e '.[cli,sandbox]'
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	@echo "==> installing upwork-gql with every extra and the development tools into $(VENV)"
	$(PIP) install -e '.[all,dev]'
	touch $@

install: $(DEV_STAMP)

# mypy --strict covers the package, scripts/, examples/ and tests/typing/ (pyproject.toml).
lint: $(DEV_STAMP)
	@echo "==> ruff"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@echo "==> mypy --strict"
	$(BIN)/mypy

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The suite in parallel worker processes, one test file per worker at a time (module fixtures
# start once); PYTEST_WORKERS=0 runs it in this process.
PYTEST_WORKERS ?= 2

test: lint
	@echo "==> pytest ($(PYTEST_WORKERS) workers)"
	$(BIN)/pytest $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist loadfile)

generate: $(DEV_STAMP)
	$(BIN)/python scripts/generate.py

check-generated: $(DEV_STAMP)
	$(BIN)/python scripts/generate.py --check

# Our operations are valid against schema.graphql and the generated client is up to date.
check: $(DEV_STAMP)
	$(BIN)/upwork-gql schema check --quiet
	$(BIN)/python scripts/generate.py --check

# Introspect the live API into schema.graphql (sorted, deterministic). URL: SCHEMA_URL, else
# $UPWORK_API_URL, else Upwork's; auth: $UPWORK_ACCESS_TOKEN or the saved login; tenant:
# $UPWORK_TENANT_ID. On any failure schema.graphql is left untouched.
SCHEMA_URL ?=
REGEN_DIR  := $(VENV)/regenerate

schema-pull: $(DEV_STAMP)
	$(BIN)/upwork-gql schema pull $(if $(SCHEMA_URL),--url $(SCHEMA_URL)) -o schema.graphql

# Pull, show what changed in the schema, check our operations against it (stops if one
# broke), regenerate, run the tests, and summarize what changed in the generated API.
regenerate: $(DEV_STAMP)
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

demo: $(DEMO_DEPS)
	@echo "==> upwork-gql demo"
	$(BIN)/upwork-gql demo

# Cold and steady walks against every peer, import time, memory, token burst -> benchmarks/RESULTS.md
# (about 8 minutes on 2 cores). BENCH_QUICK=1: a smoke test with tiny sizes (RESULTS.md untouched).
bench: $(DEV_STAMP)
	$(BIN)/python benchmarks/run.py $(if $(filter-out 0,$(BENCH_QUICK)),--quick)

clean:
	rm -rf $(VENV) .venv-bench benchmarks/.work .mypy_cache .pytest_cache .ruff_cache dist
