# MARSOC Hub. `make demo` to run it with demonstration data, `make test` to run every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.9
export DJANGO_SETTINGS_MODULE ?= marsoc.config.settings.demo
HOST ?= 127.0.0.1
PORT ?= 8000
NOMINALS ?= 500
SEED ?= 1

.PHONY: help install java-runtime demo serve worker test lint typecheck unit browser migrate generate bench clean totp

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(UV) pip install --quiet --python $(BIN)/python -r requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

/usr/bin/chromium:
	@# The browser tests drive Debian's Chromium; Playwright never downloads a browser here.
	if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Install Debian's chromium package (sudo apt-get install chromium) for the browser tests"; exit 1; fi

java-runtime:
	@# Spark (tests/linkage/test_spark.py) needs Java 17 or later; Debian's default JRE is 17.
	@if ! command -v java >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	  else echo "Install a Java runtime (sudo apt-get install default-jre-headless) for the Spark test, or set MARSOC_SKIP_SPARK=1"; exit 1; fi; \
	fi

install: $(VENV)/.installed node_modules/.installed ## Install Python and npm dependencies (locked)

migrate: install ## Create or update the database
	$(BIN)/marsoc migrate --no-input -v 0

generate: migrate ## Generate demonstration data (NOMINALS=500 SEED=1)
	$(BIN)/marsoc generate --nominals $(NOMINALS) --seed $(SEED) --reset

demo: generate ## Install, create an SQLite database, generate data, run the web server, task worker and demo identity provider
	@echo "Starting the task worker, the demo identity provider (http://127.0.0.1:9000, dev/oidc/demo.json)"
	@echo "and the web server on http://$(HOST):$(PORT)/ (Ctrl-C stops all three)"
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/marsoc db_worker --interval 2 --no-reload & \
	node dev/oidc/provider.mjs dev/oidc/demo.json & \
	$(BIN)/marsoc runserver --noreload $(HOST):$(PORT)

serve: ## The production server (gunicorn, MARSOC_WEB_WORKERS workers) and the worker on an existing database
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/marsoc db_worker --interval 2 --no-reload & \
	MARSOC_BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c python:marsoc.config.gunicorn marsoc.config.wsgi:application

totp: ## Print the current second-factor code for a demo user: make totp USER=london.officer
	@$(BIN)/marsoc totp $(USER)

lint: install ## ruff (lint and format check) and the layer contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install ## mypy, strict, with the Django plugin
	$(BIN)/mypy

unit: install /usr/bin/chromium java-runtime ## The whole test suite (DATABASE_URL selects PostgreSQL)
	DJANGO_SETTINGS_MODULE=marsoc.config.settings.test $(BIN)/pytest -q -p no:cacheprovider

test: lint typecheck unit ## Lint, type checks and every test

bench: install ## Benchmarks (print figures; see docs/performance.md)
	DJANGO_SETTINGS_MODULE=marsoc.config.settings.test $(BIN)/python bench/cohort_list.py
	DJANGO_SETTINGS_MODULE=marsoc.config.settings.test $(BIN)/python bench/generate.py
	DJANGO_SETTINGS_MODULE=marsoc.config.settings.test $(BIN)/python bench/rescore.py
	DJANGO_SETTINGS_MODULE=marsoc.config.settings.test $(BIN)/python bench/priority_list.py

clean: ## Remove the virtualenv, node_modules and local databases
	rm -rf $(VENV) node_modules var
