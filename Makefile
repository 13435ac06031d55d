# Hearth: `make run` serves the app with demo data; `make test` runs the whole suite.
# Everything is built from nothing, so a fresh clone (and CI) needs only these targets.

# durable_rules 2.0.28 builds on Python <= 3.12 only.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install assets axe chromium test fuzz screenshots run lint bench bench-load clean

# GOV.UK Frontend as govuk-frontend-jinja 4.1.0 expects it, the Sass compiler that
# builds one stylesheet per council (their colour, Arial; no GDS Transport, no crown),
# axe-core, which the browser tests inject into every page they visit, and CodeMirror 5,
# the policy workspace's YAML editor (one file and a few add-ons, no bundler).
NPM_DIR        := build/npm
GOVUK_FRONTEND := 6.3.0
SASS           := 1.93.2
AXE_CORE       := 4.14.1
CODEMIRROR     := 5.65.21
NPM_STAMP      := $(NPM_DIR)/.installed-$(GOVUK_FRONTEND)-$(SASS)-$(AXE_CORE)-$(CODEMIRROR)
ASSETS_STAMP   := web/static/brand/.built
PORT           ?= 5000

install: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	@test -n "$(PYTHON)" || { echo "Hearth needs Python 3.11 or 3.12 (durable_rules does not build on 3.13)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

$(NPM_STAMP):
	@command -v npm >/dev/null || { echo "make assets needs Node.js and npm"; exit 1; }
	mkdir -p $(NPM_DIR)
	cd $(NPM_DIR) && echo '{"private": true}' > package.json && \
	  npm install --save-exact --no-audit --no-fund --ignore-scripts \
	    govuk-frontend@$(GOVUK_FRONTEND) sass@$(SASS) axe-core@$(AXE_CORE) codemirror@$(CODEMIRROR)
	touch $@

# axe-core alone (build/npm/node_modules/axe-core/axe.min.js), for the browser tests.
axe: $(NPM_STAMP)

assets: $(ASSETS_STAMP)

$(ASSETS_STAMP): $(STAMP) $(NPM_STAMP) web/assets.py $(wildcard policies/*/council.yaml)
	$(BIN)/hearth assets build --npm $(NPM_DIR)
	touch $@

# Chromium for the browser tests: Debian's package (installed when missing; CI runs as root).
# Never a downloaded browser build: the browser tests need /usr/bin/chromium, and skip
# without it on a developer's machine but fail in CI (the CI variable set).
chromium:
	@test -x /usr/bin/chromium || { \
	  [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } || \
	  { echo "The browser tests need Debian's chromium: run 'apt-get install chromium' as root."; exit 1; }

test: install assets axe chromium
	$(BIN)/python -m pytest -q -rs -n auto --dist worksteal
	$(BIN)/hearth policy test

# The property-based fuzz tests (case files, policy files, form posts, API bodies), run long:
# `make test` runs them briefly. FUZZ_EXAMPLES=N changes how many examples each test tries.
FUZZ_EXAMPLES ?= 1000
fuzz: install assets
	HEARTH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q tests/fuzz tests/web/test_fuzz_web.py

# Retake docs/screenshots/ (a file changes only with its page). `make test` takes the same
# pictures into build/screenshots/, so running the suite never changes a committed file.
screenshots: install assets axe chromium
	HEARTH_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest -q tests/web/browser/test_screenshots.py \
	  tests/web/browser/test_policy_change_journey.py tests/web/browser/test_workspace_trying.py \
	  tests/web/browser/test_policy_compare_page.py tests/web/browser/test_policy_editors_journey.py

# Serve the app with demo data on http://127.0.0.1:$(PORT)/ (SQLite in instance/).
run: install assets
	$(BIN)/hearth db upgrade
	$(BIN)/hearth policy import
	$(BIN)/hearth db seed-demo
	$(BIN)/hearth serve --port $(PORT)

lint: install
	$(BIN)/hearth policy lint

# Issue 14's figures (about 45 minutes on 2 cores: the web memory run is 100,000 requests).
# ENGINE_ARGS=--quick and WEB_ARGS=--quick for a scaled-down run that says so.
WEB_ARGS ?= --memory-requests 100000
bench: install
	$(BIN)/python benchmarks/bench_engine.py $(ENGINE_ARGS)
	$(BIN)/python benchmarks/bench_growth.py
	$(BIN)/python benchmarks/bench_bulk.py
	$(BIN)/python benchmarks/bench_durable_memory.py
	$(BIN)/python benchmarks/bench_web.py $(WEB_ARGS)
	$(BIN)/python benchmarks/bench_dashboard.py

# 50 API clients for 60 s under gunicorn on PostgreSQL (127.0.0.1:5432), a worker killed
# with kill -9 half-way, then every acknowledged write checked in the database.
# BENCH_SECONDS=20 for a shorter run; ARGS=--sqlite for SQLite.
bench-load: install
	$(BIN)/python benchmarks/bench_load.py --seconds $(or $(BENCH_SECONDS),60) $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
