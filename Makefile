# Two commands matter: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system-deps js-deps run test lint typecheck pytest test-pg bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# ffmpeg makes media fixtures in tests, chromium drives the browser tests.
system-deps:
	@sh scripts/system-deps.sh

# podcast-partytime (the Podcast Index's parser) reads our feeds in the tests, as apps do.
JS_STAMP := tests/js/node_modules/.installed-stamp
$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/js --no-audit --no-fund --loglevel=error && touch $(JS_STAMP); \
	else echo "note: npm not installed: the podcast-partytime tests will skip"; fi

js-deps: system-deps
	@$(MAKE) --no-print-directory $(JS_STAMP)

run: install
	$(BIN)/talkcast init
	$(BIN)/talkcast demo --if-empty
	$(BIN)/talkcast serve --host $(HOST) --port $(PORT) --scheduler

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy feeds media webapp

pytest: install system-deps js-deps
	$(BIN)/pytest

# The whole suite on SQLite, then again on PostgreSQL when a server answers
# (otherwise test-pg says why it skipped that pass and succeeds).
test: lint typecheck pytest test-pg

test-pg: install system-deps js-deps
	sh scripts/test-pg.sh

bench: install
	@sh scripts/system-deps.sh bench
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache instance tests/js/node_modules
