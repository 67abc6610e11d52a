"""Shared fixtures: people of every role, the browser, the axe audit.

REQUIRE_POSTGRES=1 turns the skip of PostgreSQL-only tests into a failure,
REQUIRE_BROWSER=1 does the same for browser tests and REQUIRE_REDIS=1 for the tests of
the shared cache (Redis at REDIS_TEST_URL), so CI cannot pass by skipping.
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


REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping())
    except redis.exceptions.RedisError:
        return False


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and not is_postgres():
        if _required("REQUIRE_POSTGRES"):
            pytest.fail("REQUIRE_POSTGRES=1 but DATABASE_URL does not point to PostgreSQL")
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    if item.get_closest_marker("redis") and not redis_reachable():
        if _required("REQUIRE_REDIS"):
            pytest.fail(f"REQUIRE_REDIS=1 but no Redis at {REDIS_TEST_URL}")
        pytest.skip(f"needs Redis at {REDIS_TEST_URL}")


@pytest.fixture(autouse=True)
def _no_network(settings, monkeypatch) -> None:
    """Tests never reach the network: Sirene is offline unless a test records an answer."""
    settings.SIRENE_BACKEND = "offline"
    # Fast hashing in tests; production keeps Django's PBKDF2 default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def refuse(url: str, timeout: float) -> bytes:
        raise AssertionError(f"a test tried to reach the network: {url}")

    monkeypatch.setattr("accounts.sirene._http_get", refuse)
    from django.core.cache import cache

    cache.clear()  # the guichet rate limit counts per minute


# --- browser -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Uploaded images go to a fresh folder per test, never the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return settings.MEDIA_ROOT


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


# --- people of every role ------------------------------------------------------------
# `space` is a validated collectivité (69) with two venues; `owner` administers it,
# `member` manages its first venue only; `outsider` administers another collectivité
# (75); `officer` covers 69; `other_officer` covers 75.


@pytest.fixture
def space(db):
    from tests.factories import CollectiviteFactory, VenueFactory

    collectivite = CollectiviteFactory(name="Ville de Lyon")
    return {
        "collectivite": collectivite,
        "venue": VenueFactory(collectivite=collectivite, name="Médiathèque Part-Dieu"),
        "other_venue": VenueFactory(collectivite=collectivite, name="Bibliothèque Jean Macé"),
    }


@pytest.fixture
def other_space(db):
    from tests.factories import CollectiviteFactory, VenueFactory

    collectivite = CollectiviteFactory(
        name="Ville de Paris", postal_code="75001", city="Paris", departement="75"
    )
    return {
        "collectivite": collectivite,
        "venue": VenueFactory(collectivite=collectivite, name="Bibliothèque Paris Centre"),
    }


@pytest.fixture
def owner(space):
    from tests.factories import MembershipFactory

    return MembershipFactory(collectivite=space["collectivite"], user__first_name="Claire").user


@pytest.fixture
def member(space):
    from accounts.models import Role
    from tests.factories import MembershipFactory

    return MembershipFactory(
        collectivite=space["collectivite"], role=Role.MEMBER, venues=[space["venue"]]
    ).user


@pytest.fixture
def outsider(other_space):
    from tests.factories import MembershipFactory

    return MembershipFactory(collectivite=other_space["collectivite"]).user


@pytest.fixture
def officer(db):
    from tests.factories import make_officer

    return make_officer("69", first_name="Nadia", last_name="Rousseau")


@pytest.fixture
def other_officer(db):
    from tests.factories import make_officer

    return make_officer("75")


@pytest.fixture
def login(client):
    """login(user) → the test client logged in as that user."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login
