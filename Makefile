# Hearth: `make run` serves the app with demo data; `make test` runs the whole suite.
# Everything is built from nothing, so a fresh clone (and CI) needs only these targets.

# durable_rules 2.0.28 builds on Python <= 3.12 only.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install test run lint bench clean

install: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	@test -n "$(PYTHON)" || { echo "Hearth needs Python 3.11 or 3.12 (durable_rules does not build on 3.13)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

test: install
	$(BIN)/python -m pytest -q
	$(BIN)/hearth policy test

run: install
	$(BIN)/hearth councils

lint: install
	$(BIN)/hearth policy lint
	$(BIN)/lint-imports

bench: install
	$(BIN)/python benchmarks/bench_evaluate.py

clean:
	rm -rf $(VENV) build *.egg-info
