# wenyi — everything a developer or CI needs, from a fresh machine.
#
#   make run     install, migrate, load the 2014 campaign and demo data, serve on
#                http://127.0.0.1:8000 (RUN_HOST / RUN_PORT to change)
#   make test    install what the tests need (chromium included), run all tests
#   make help    the other targets
#
# Debian packages are installed with apt-get when run as root; otherwise the exact
# `sudo apt-get install` command is printed. Python packages go into .venv; a stamp
# named after the hash of pyproject.toml makes the second run skip pip.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_HOST ?= 127.0.0.1
RUN_PORT ?= 8000
# `make run` walks into the 2014 campaign in progress (README); .env or the
# environment may override WENYI_TODAY, and an empty value means the real date.
DEMO_TODAY ?= 2014-09-16
PYTEST_ARGS ?=
# Tests run in parallel, one process per CPU (pytest-xdist; each has its own test
# database); TEST_WORKERS=0 runs them in this process, e.g. to debug with pdb.
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
# Keeps tests away from the development database and secret key in ./var.
TEST_DATA_DIR ?= $(CURDIR)/var/test

# gettext: msgfmt compiles the translations whenever a .po file is newer than its .mo.
DEBS_RUN := fonts-noto-cjk gettext
DEBS_TEST := $(DEBS_RUN) chromium poppler-utils gettext openjdk-17-jre-headless
DEBS_MESSAGES := gettext

HASH := $(shell sha256sum pyproject.toml | cut -c1-12)
STAMP_RUN := $(VENV)/.installed-$(HASH)
STAMP_TEST := $(VENV)/.installed-test-$(HASH)
PO := $(wildcard wenyi/locale/*/LC_MESSAGES/*.po)
MO := $(PO:.po=.mo)

# Noise from this machine's pip configuration (extra index folders per package).
PIP_FILTER := grep -v 'is ignored: it is neither a file nor a directory'

.PHONY: help run test test-only lint bench messages clean deps-run deps-test venv translations

help:
	@echo "make run        install, migrate, load demo data, serve on http://$(RUN_HOST):$(RUN_PORT)"
	@echo "make test       install test dependencies (chromium too) and run every test"
	@echo "make test-only  run pytest without installing anything (PYTEST_ARGS='-k name -x')"
	@echo "make lint       ruff check, ruff format --check and the layers (lint-imports)"
	@echo "make bench      run every bench/*.py"
	@echo "make messages   update and compile the zh_Hans translations (needs gettext)"
	@echo "make clean      remove .venv and caches (keeps ./var, the local database)"
	@echo "scripts/with-postgres CMD  run CMD against a throwaway PostgreSQL"

# --- installation -----------------------------------------------------------

deps-run:
	@scripts/ensure-debian-packages $(DEBS_RUN)

deps-test:
	@scripts/ensure-debian-packages $(DEBS_TEST)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "wenyi needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." >&2; \
		echo "Choose another with: make PYTHON=python3.11 ..." >&2; exit 1; }
	@# Debian's own python3 keeps ensurepip (needed by venv) in a separate package.
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || scripts/ensure-debian-packages python3-venv
	$(PYTHON) -m venv --clear $(VENV)

venv: $(BIN)/python

$(STAMP_RUN): | $(BIN)/python
	@echo "Installing wenyi into $(VENV) (pyproject.toml $(HASH))"
	@$(BIN)/python -m pip install -q -e '.[postgres]' 2>&1 | { $(PIP_FILTER) || true; }
	@rm -f $(VENV)/.installed-[0-9a-f]*
	@touch $@

# The test extra is a superset of what `run` installs, so it stamps both; the s3 extra
# (media on S3-compatible storage) is tested against moto's S3 server.
$(STAMP_TEST): | $(BIN)/python
	@echo "Installing wenyi with its test extra into $(VENV) (pyproject.toml $(HASH))"
	@$(BIN)/python -m pip install -q -e '.[test,postgres,s3]' 2>&1 | { $(PIP_FILTER) || true; }
	@rm -f $(VENV)/.installed-*
	@touch $@ $(STAMP_RUN)

# Browser assets from the npm registry (package.json: ECharts for the dashboard), again
# only when package-lock.json changes; Debian's nodejs brings npm.
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package-lock.json
	@command -v npm >/dev/null || scripts/ensure-debian-packages npm
	npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

# Same check as Django's compilemessages; rebuilt only when the .po is newer.
%.mo: %.po
	msgfmt --check-format -o $@ $<

translations: $(MO)

# --- everyday targets -------------------------------------------------------

# A .env file, if there is one, is exported for the server (see .env.example).
run: deps-run $(STAMP_RUN) $(NODE_STAMP) translations
	@set -a; if [ -f .env ]; then echo "Reading .env"; . ./.env; fi; set +a; \
	export WENYI_TODAY="$${WENYI_TODAY-$(DEMO_TODAY)}"; \
	$(BIN)/wenyi setup --demo; \
	exec $(BIN)/wenyi serve --host $(RUN_HOST) --port $(RUN_PORT)

test: deps-test $(STAMP_TEST) $(NODE_STAMP) translations
	@$(MAKE) --no-print-directory test-only

# pytest's exit code 5 ("no tests collected") is a failure like any other.
test-only: translations
	@test -x $(BIN)/pytest || { echo "$(BIN)/pytest is missing: run 'make test' once" >&2; exit 1; }
	@mkdir -p $(TEST_DATA_DIR)
	@rc=0; WENYI_DATA_DIR=$(TEST_DATA_DIR) $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure" >&2; fi; \
	exit $$rc

lint: $(STAMP_TEST)
	$(BIN)/ruff check wenyi tests bench
	$(BIN)/ruff format --check wenyi tests bench
	@# the layers of DESIGN.md, from [tool.importlinter] in pyproject.toml
	$(BIN)/lint-imports --no-cache

# Each bench script prints lines `BENCH <name> <value> <unit>`, each beside its anchor
# (the plain alternative measured in the same run). BENCH=name runs the scripts whose
# file name contains it. The bench extra holds what only the benchmarks need: the
# anchors' (datasketch) and the load generator (locust).
STAMP_BENCH := $(VENV)/.installed-bench-$(HASH)
$(STAMP_BENCH): $(STAMP_TEST)
	@$(BIN)/python -m pip install -q -e '.[test,postgres,bench]' 2>&1 | { $(PIP_FILTER) || true; }
	@touch $@

bench: $(STAMP_BENCH)
	@shopt -s nullglob; scripts=(bench/bench_*$(BENCH)*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "No benchmarks in bench/ yet."; exit 0; fi; \
	for script in "$${scripts[@]}"; do \
		echo "== $$script"; \
		PYTHONPATH=$(CURDIR) $(BIN)/python "$$script"; \
	done

messages: $(STAMP_RUN)
	@scripts/ensure-debian-packages $(DEBS_MESSAGES)
	@mkdir -p wenyi/locale
	@# from inside the package, so the catalogue's references read "activities/…"
	cd wenyi && $(CURDIR)/$(BIN)/wenyi makemessages -l zh_Hans --ignore=locale
	$(BIN)/wenyi compilemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=build

clean:
	rm -rf $(VENV) build *.egg-info test-results .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
