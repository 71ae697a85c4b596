# contact-telemetry: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := -e ./schemas -e ./broker -e ./services/ingest -e ./services/sla_monitor -e ./services/aggregator
STAMP := $(VENV)/.installed
# Debian packages the end-to-end tests use: a real Prometheus (and promtool, amtool) and a
# headless Chromium for the wallboard.
SYSTEM_PACKAGES := prometheus prometheus-alertmanager chromium

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

system-deps: ## Install the Debian packages the tests need (prometheus, chromium) if missing
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi

run: $(STAMP) ## Start broker, ingest, sla_monitor, aggregator and demo traffic; Ctrl-C stops all
	$(BIN)/ct run

test: $(STAMP) system-deps ## Lint, type-check and run the whole test suite (bench harness: make bench-check)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -q --ignore=tests/integration/bench -m "not long"

test-unit: $(STAMP) ## Only the unit tests (no network, seconds)
	$(BIN)/pytest -q tests/unit

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy

schemas: $(STAMP) ## Regenerate the committed JSON Schema from the models
	$(BIN)/python -m contact_events.export schemas/json

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

.PHONY: help install system-deps run test test-unit lint schemas clean

# ---- reliability (issue 8): fault-injection tests --------------------------------------
# Crashes, duplicates, a 60 s broker outage under load, poison records, clock skew and a
# stalled consumer, each against the real pipeline (tests/reliability/, marker
# `reliability`; docs/guarantees.md says what each proves). `make test` runs them too,
# except the two marked `long` (five worker crashes in a 200k-event run, and a worker
# joining and leaving), which take most of an hour between them on 2 cores.
# CT_RELIABILITY_OUTAGE_S scales the outage (default 60); CT_CRASH_EVENTS the crash run
# (default 200000). The 30-minute soak is `make soak`.
test-reliability: $(STAMP) ## Fault-injection tests, the long crash and scale-out runs included (~1 h)
	$(BIN)/pytest -q -m reliability tests/reliability

.PHONY: test-reliability

# --- benchmarks (issue 7): not part of `make test`; see docs/performance.md ---------------
BENCH_ARGS ?=
SOAK_MINUTES ?= 30
SOAK_RATE ?= 500

bench: $(STAMP) ## Benchmarks vs baselines in the same run (<15 min); BENCH_ARGS=--quick
	$(BIN)/python -m bench $(BENCH_ARGS)

soak: $(STAMP) ## Soak at 500 events/s, RSS and open files sampled; SOAK_MINUTES=2 to try
	$(BIN)/python -m bench.soak --minutes $(SOAK_MINUTES) --rate $(SOAK_RATE)

bench-check: $(STAMP) ## The benchmark harness end to end in its tiny mode (figures reported, no speed asserted)
	$(BIN)/pytest -q tests/integration/bench

.PHONY: bench soak bench-check

# ---- audit (issue 6): the month-long determinism test --------------------------------
# `make test` runs tests/integration/test_determinism.py over 3 simulated days; this runs it
# over the whole month (over 100k events) through the live pipeline, then replays it from the
# topic, the archive and a file and audits it (about 8 min on two cores: 105,934 events,
# the live pipeline done after about 140 s, five replays and audits in about 240 s).
test-audit: $(STAMP) ## The determinism test over a whole simulated month (>100k events)
	CT_DETERMINISM_DAYS=31 $(BIN)/pytest -q -s tests/integration/test_determinism.py tests/audit

.PHONY: test-audit
