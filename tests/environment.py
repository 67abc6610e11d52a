"""Loaded by pytest before Django (`-p tests.environment` in pyproject.toml).

Development defaults for the test run: DEBUG on for settings import (pytest-django
still runs the tests with DEBUG off), no .env needed, and Playwright's sync API
allowed next to Django's ORM in the live-server browser tests.
"""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("SIRENE_BACKEND", "offline")
# Tasks run at once after the commit; tests of the worker switch to the database backend.
os.environ.setdefault("TASKS_IMMEDIATE", "true")
