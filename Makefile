# tsunagu — two commands on a fresh machine:
#   make run   set everything up and serve the demo on http://127.0.0.1:8000 (embedded SQLite)
#   make test  set everything up and run ruff and every test (PostgreSQL when DATABASE_URL points there)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test setup setup-dev browser lint validate-profiles clean

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "tsunagu には Python 3.11 以上が必要です (python3 = %s)" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

browser:
	@bash scripts/ensure-chromium.sh
	@test -f tests/e2e/js/node_modules/axe-core/axe.min.js || npm ci --prefix tests/e2e/js --no-audit --no-fund --silent

run: setup
	$(BIN)/tsunagu migrate --noinput
	$(BIN)/tsunagu demo
	$(BIN)/tsunagu audit checkpoint
	@echo ""
	@echo "tsunagu を http://$(HOST):$(PORT) で起動します（終了は Ctrl+C）"
	TSUNAGU_LOCAL_DEMO=1 $(BIN)/tsunagu runserver --noreload $(HOST):$(PORT)

lint: setup-dev
	$(BIN)/ruff check .

validate-profiles: setup
	$(BIN)/tsunagu profile validate profiles/*.yaml

test: setup-dev browser lint validate-profiles
	TSUNAGU_FAST_HASHER=1 $(BIN)/pytest

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache
