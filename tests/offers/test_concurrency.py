"""Places never oversell under concurrent bookings (PostgreSQL, real threads)."""

import threading

import pytest
from django.db import connection

from offers.models import Booking, Session, Stock
from offers.services import bookings as services
from passlib.refusal import Refusal
from tests.factories import make_beneficiary, make_offer, make_session

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 24


def book_concurrently(offer, session=None):
    users = [make_beneficiary(17) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(user):
        try:
            barrier.wait()
            services.booking_create(user=user, offer=offer, session=session)
            result = "ok"
        except Refusal as exc:
            result = str(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_session_of_five_places_gets_exactly_five_bookings(space):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART")
    session = make_session(offer, total_places=5)
    outcomes = book_concurrently(offer, session)
    assert outcomes.count("ok") == 5
    refusals = [o for o in outcomes if o != "ok"]
    assert len(refusals) == THREADS - 5
    assert all("complète" in r for r in refusals)
    assert Session.objects.get(pk=session.pk).booked_count == 5
    assert Booking.objects.filter(session=session).count() == 5


def test_quota_of_five_gets_exactly_five_bookings(space):
    offer = make_offer(space["venue"], "RENCONTRE")
    session = make_session(offer, total_places=50, quota=5)
    outcomes = book_concurrently(offer, session)
    assert outcomes.count("ok") == 5
    assert Session.objects.get(pk=session.pk).booked_count == 5


def test_stock_of_five_gets_exactly_five_bookings(space):
    offer = make_offer(space["venue"], "ESCAPE_GAME", quantity=5)
    outcomes = book_concurrently(offer)
    assert outcomes.count("ok") == 5
    assert all("complète" in o for o in outcomes if o != "ok")
    assert Stock.objects.get(offer=offer).booked_count == 5
    assert Booking.objects.filter(offer=offer).count() == 5
