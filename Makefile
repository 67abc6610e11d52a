# The two commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv migrate seed lint format check-deploy bench clean lock

# Local development defaults; production sets its own environment (see README).
run test migrate seed: export DEBUG ?= true

$(PY):
	@py=$$(bin/find-python) || exit 1; \
	echo "Creating $(VENV) with $$py"; \
	"$$py" -m venv $(VENV)

# Installs exactly the locked versions, each checked against its hash
# (requirements/*.txt, written by `make lock` from pyproject.toml's groups).
$(STAMP): requirements/dev.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements/dev.txt
	@touch $(STAMP)

venv: $(STAMP)

# A development checkout gets a .env with DEBUG=true (git-ignored), so that
# `python manage.py …` works there too; production sets its own environment.
.env:
	@printf '# Development settings written by make (see .env.example)\nDEBUG=true\n' > .env
	@echo "Created .env for development (DEBUG=true)."

migrate: $(STAMP) .env
	$(PY) manage.py migrate --noinput

# The demo's e-mails stay in memory: the logins are the last thing printed.
seed: migrate
	EMAIL_URL=memorymail:// TASKS_IMMEDIATE=true $(PY) manage.py seed_demo

# The web server, with the task worker (e-mails) and the periodic commands alongside,
# stopped with it (Ctrl+C).
run: seed
	@trap 'kill $$worker $$schedule 2>/dev/null' EXIT INT TERM; \
	PYTHONUNBUFFERED=1 $(PY) manage.py db_worker --no-reload --interval 1 -v 0 & worker=$$!; \
	$(PY) manage.py run_schedule -v 0 & schedule=$$!; \
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
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements/bench.txt
	$(PY) bench/run.py

# Update the lock after changing a dependency group in pyproject.toml (or to take new
# releases within its ranges): uv resolves for every platform and Python >= 3.12 and
# writes each version with its hashes. Review the diff, run `make test`, commit.
lock: | $(PY)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements/tools.txt
	for group in runtime dev bench s3; do \
	  $(VENV)/bin/uv pip compile pyproject.toml --group $$group --upgrade --generate-hashes \
	    --universal --python-version 3.12 --no-header --quiet \
	    --custom-compile-command "make lock" -o requirements/$$group.txt || exit 1; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
