"""List counts never lie (passlib/counts.py): page totals equal the rows shown after any
writer — a librarian, the periodic command, an officer's review — and, with the shared
cache, a write made through one web process is counted by another on its next request."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import Status
from accounts.services import review as review_services
from offers.models import Booking
from tests.conftest import REDIS_TEST_URL as REDIS_URL
from tests.factories import VenueFactory, make_booking, make_offer, make_session

ROOT = Path(__file__).resolve().parent.parent


def _total(html: str) -> int:
    """The total a list page announces in its table caption."""
    return int(re.search(r"<caption>(\d+) ", html).group(1))


def _rows(html: str) -> int:
    return len(re.findall(r"<tr><td>", html))


def _count(html: str, label: str) -> int:
    return int(re.search(rf"{label} : <strong>(\d+)</strong>", html).group(1))


def _due_cards(space, n: int) -> list[Booking]:
    offer = make_offer(space["venue"], "ABO_BIBLIOTHEQUE", title="Carte")
    cards = [make_booking(offer, is_free_subscription=True) for _ in range(n)]
    Booking.objects.filter(pk__in=[b.pk for b in cards]).update(
        booked_at=timezone.now() - timedelta(days=31)
    )
    return cards


@pytest.mark.django_db
def test_totals_follow_the_validation_command_and_an_officers_review(login, space, owner, officer):
    _due_cards(space, 3)
    client = login(owner)
    validated = client.get("/reservations/", {"status": "validated"}).content.decode()
    assert (_total(validated), _rows(validated)) == (0, 0)

    call_command("validate_subscription_bookings", stdout=io.StringIO())
    validated = client.get("/reservations/", {"status": "validated"}).content.decode()
    assert (_total(validated), _rows(validated)) == (3, 3)
    assert _count(validated, "Validée") == 3 and _count(validated, "Confirmée") == 0

    pending = VenueFactory(collectivite=space["collectivite"], status=Status.NEW)
    make_session(make_offer(pending, title="Atelier du nouveau lieu"), total_places=5)
    offers = client.get("/offres/", {"status": "awaiting"}).content.decode()
    assert (_total(offers), _rows(offers)) == (1, 1)
    review_services.review(actor=officer, obj=pending, action="validate")
    offers = client.get("/offres/", {"status": "awaiting"}).content.decode()
    assert (_total(offers), _rows(offers)) == (0, 0)
    published = client.get("/offres/", {"status": "published"}).content.decode()
    assert _total(published) == _rows(published) == _count(published, "Publiée")


# --- several web processes -------------------------------------------------------------------


def _redis_caches(prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }


@pytest.fixture
def shared_cache(settings):
    """This process uses Redis (tests marked `redis`: conftest skips or fails them
    without it), under a key prefix of its own, as CACHE_URL and CACHE_KEY_PREFIX do."""
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = _redis_caches(prefix)
    return prefix


def _other_process(prefix: str, code: str) -> str:
    """Run `code` in another Django process on the same database and cache."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CACHE_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "passlib.settings",
    }
    script = f"import django\ndjango.setup()\n{code}"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.mark.redis
@pytest.mark.django_db
def test_two_cache_clients_see_one_generation(shared_cache):
    """Two independent clients of the shared cache (two processes' worth): a write that
    moves the generation through one is seen by the other."""
    from django.core.cache.backends.redis import RedisCache

    from passlib import counts

    other = RedisCache(REDIS_URL, {"KEY_PREFIX": shared_cache})
    key = other.make_and_validate_key(counts._GENERATION_KEY)
    before = counts.counts_generation()
    assert other.get(counts._GENERATION_KEY) == before
    other.incr(counts._GENERATION_KEY)
    assert counts.counts_generation() == before + 1
    counts.counts_changed()
    assert other.get(counts._GENERATION_KEY) == before + 2
    assert key.startswith(shared_cache)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_write_through_another_process_is_counted_on_the_next_request(
    shared_cache, login, space, owner
):
    cards = _due_cards(space, 2)
    offer = make_offer(space["venue"], "ESCAPE_GAME", title="Escape")
    at_counter = make_booking(offer)
    client = login(owner)
    page = client.get("/reservations/").content.decode()
    assert _count(page, "Confirmée") == 3 and _count(page, "Validée") == 0

    # Another web process validates a code at its guichet (a request there).
    _other_process(
        shared_cache,
        "from django.test import Client\n"
        "from accounts.models import User\n"
        "c = Client(HTTP_HOST='127.0.0.1')\n"
        f"c.force_login(User.objects.get(pk={owner.pk}))\n"
        f"r = c.post('/guichet/valider/', {{'code': '{at_counter.code}'}})\n"
        "assert r.status_code == 302, r.status_code\n",
    )
    page = client.get("/reservations/").content.decode()
    assert _count(page, "Confirmée") == 2 and _count(page, "Validée") == 1

    # The periodic command, run by another process (another node), likewise.
    _other_process(
        shared_cache,
        "from django.core.management import call_command\n"
        "call_command('validate_subscription_bookings')\n",
    )
    page = client.get("/reservations/", {"status": "validated"}).content.decode()
    assert _count(page, "Validée") == 3 == _total(page) == _rows(page)
    assert Booking.objects.filter(pk__in=[c.pk for c in cards], status="validated").count() == 2
    assert django_settings.CACHES["default"]["KEY_PREFIX"] == shared_cache
