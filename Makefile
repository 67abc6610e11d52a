# The two commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv migrate seed lint format check-deploy bench clean

# Local development defaults; production sets its own environment (see README).
run test migrate seed: export DEBUG ?= true

$(PY):
	@py=$$(bin/find-python) || exit 1; \
	echo "Creating $(VENV) with $$py"; \
	"$$py" -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet --group dev
	@touch $(STAMP)

venv: $(STAMP)

# A development checkout gets a .env with DEBUG=true (git-ignored), so that
# `python manage.py …` works there too; production sets its own environment.
.env:
	@printf '# Development settings written by make (see .env.example)\nDEBUG=true\n' > .env
	@echo "Created .env for development (DEBUG=true)."

migrate: $(STAMP) .env
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP) .env
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-deploy: $(STAMP)
	DEBUG=false EMAIL_URL=smtp://localhost:25 SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=passlib.example.org $(PY) manage.py check --deploy --fail-level WARNING

# Benchmark on PostgreSQL (BENCH_DATABASE_URL; a database it drops and re-creates).
bench: $(STAMP)
	$(PY) -m pip install --quiet --group bench
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
