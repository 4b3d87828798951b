# The two commands of the README: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

# Playwright drives Debian's chromium; it must never fetch a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: install run test lint vendor migrate demo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/portal migrate

demo: migrate
	$(BIN)/portal demo --if-empty

run: demo
	@echo "Fondsportaal draait op http://$(HOST):$(PORT)  (stoppen: Ctrl+C)"
	$(BIN)/portal serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .

test: install
	bash scripts/test-services.sh
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

vendor:
	bash scripts/vendor.sh
