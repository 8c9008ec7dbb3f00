# Every target sets up its own virtualenv: a fresh machine needs only Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test lint postgres demo run alerts check bench data clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# PostgreSQL's server for the tests that start a throw-away cluster: installed from Debian's
# packages when missing and we are root; instant when already there (scripts/ensure_postgres.sh).
postgres:
	bash scripts/ensure_postgres.sh

# pytest exits 5 when no test is collected; that is not a failure on an early commit.
# -n 4 (pytest-xdist): the tests mostly wait on loopback HTTP, so 4 workers share 2 cores well.
test: lint postgres
	$(PY) -m pytest -n 4; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

demo: $(STAMP)
	$(PY) -m bot demo

run: $(STAMP)
	$(PY) -m bot run

alerts: $(STAMP)
	$(PY) -m bot alerts --once

check: $(STAMP)
	$(PY) -m bot check

bench: $(STAMP)
	for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# Rebuilds the bundled referentials from the open-data originals in ../shared/data.
data: $(STAMP)
	$(PY) scripts/build_referentials.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
