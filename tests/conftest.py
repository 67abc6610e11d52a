"""Shared fixtures: people of every role, the browser, the axe audit.

REQUIRE_POSTGRES=1 turns the skip of PostgreSQL-only tests into a failure, and
REQUIRE_BROWSER=1 does the same for browser tests, so CI cannot pass by skipping.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _required(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0", "false")


def is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and not is_postgres():
        if _required("REQUIRE_POSTGRES"):
            pytest.fail("REQUIRE_POSTGRES=1 but DATABASE_URL does not point to PostgreSQL")
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture(autouse=True)
def _offline_sirene(settings) -> None:
    settings.SIRENE_BACKEND = "offline"


# --- browser -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        if _required("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots (git-ignored)."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page, name: str) -> None:
    """Run axe-core on the current page; fail with the list of violations if any."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    screenshot(page, name)
    if results.violations_count:
        report = results.generate_report()
        print(report)
        pytest.fail(f"{results.violations_count} axe violation(s) on {name}:\n{report}")
