# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: demo test serve install install-dev browser lint typecheck unit bench clean

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(VENV)/.base pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.base
install-dev: $(VENV)/.dev

# Headless Chromium from Debian's packages, for the page and report tests.
browser:
	@{ command -v chromium && command -v chromedriver; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	  else echo "install Debian's chromium and chromium-driver packages (sudo apt-get install chromium chromium-driver)"; exit 1; fi; }

demo: install
	$(BIN)/symbiosis demo

# The web front end on http://127.0.0.1:$(PORT)/ (make serve PORT=8080) over the configured
# store (SYMBIOSIS_STORE).
# Create a first account with: .venv/bin/symbiosis user add NAME --role admin
PORT ?= 5000
serve: install
	$(BIN)/symbiosis serve --port $(PORT)

lint: install-dev
	$(BIN)/ruff check symbiosis graph optimizer web fixtures tests bench tools
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy

unit: install-dev browser
	$(BIN)/pytest

test: lint typecheck unit

bench: install-dev
	$(PY) bench/matching.py
	$(PY) bench/recognition.py
	$(PY) bench/match_quality.py
	$(PY) bench/optimizer.py
	$(PY) bench/store_load.py
	$(PY) bench/web.py
	$(PY) bench/user_paths.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
