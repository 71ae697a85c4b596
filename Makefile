# contact-telemetry: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := -e ./schemas -e ./broker -e ./services/ingest -e ./services/sla_monitor -e ./services/aggregator
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -hE '^[a-z][a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt */pyproject.toml services/*/pyproject.toml
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt $(PACKAGES) -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install every package (editable) with the dev tools

run: $(STAMP) ## Start broker, ingest, sla_monitor, aggregator and demo traffic; Ctrl-C stops all
	$(BIN)/ct run

test: $(STAMP) ## Lint, type-check and run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -q

test-unit: $(STAMP) ## Only the unit tests (no network, seconds)
	$(BIN)/pytest -q tests/unit

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy

schemas: $(STAMP) ## Regenerate the committed JSON Schema from the models
	$(BIN)/python -m contact_events.export schemas/json

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

.PHONY: help install run test test-unit lint schemas clean
