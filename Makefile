# The two commands of the README: `make run` and `make test`. Each sets itself up.
SHELL := /bin/bash
PORT ?= 8000
# address of the service in emails (the deadline digest), from the port by default
ABRI_URL_PUBLIQUE ?= http://127.0.0.1:$(PORT)/
export ABRI_URL_PUBLIQUE
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	then echo $$p; break; fi; done)

.PHONY: run test install lint format benchmark

$(BIN)/.installe: requirements.lock pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "abri demande Python >= 3.12 (python3.12 ou python3.13 introuvable)." >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@touch $@

install: $(BIN)/.installe

run: install
	@mkdir -p var
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py initialiser_demo --url http://127.0.0.1:$(PORT)/
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SECRET_KEY=lint $(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

benchmark: install
	$(BIN)/python scripts/benchmark.py
