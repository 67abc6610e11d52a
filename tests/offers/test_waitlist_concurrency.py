"""The waiting list under concurrency (PostgreSQL, real threads): freed places go to
exactly one person each, in line order, never twice, never oversold."""

from __future__ import annotations

import pytest

from offers.models import Booking, BookingStatus, Session, WaitlistEntry, WaitlistStatus
from offers.services import bookings as booking_services
from offers.services import waitlist as services
from tests.factories import make_beneficiary, make_offer, make_session
from tests.threads import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_20_waiting_5_cancellations_and_5_confirmations_at_once(space):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier manga")
    session = make_session(offer, days=10, total_places=10)
    holders = [make_beneficiary(16) for _ in range(10)]
    bookings = [
        booking_services.booking_create(user=u, offer=offer, session=session) for u in holders
    ]
    line = [
        services.waitlist_join(user=make_beneficiary(16), offer=offer, session=session)
        for _ in range(20)
    ]
    # Five places freed one after the other: the first five in line hold them.
    for booking in bookings[:5]:
        booking_services.booking_cancel_by_beneficiary(user=booking.beneficiary, booking=booking)
    offered = [e for e in line if WaitlistEntry.objects.get(pk=e.pk).status == "offered"]
    assert offered == line[:5]

    # Now, at the same instant: five more cancellations and the five holders confirm.
    calls = [
        (lambda b=b: booking_services.booking_cancel_by_beneficiary(user=b.beneficiary, booking=b))
        for b in bookings[5:]
    ] + [(lambda e=e: services.waitlist_confirm(user=e.person, entry=e)) for e in line[:5]]
    _, errors = at_once(calls)
    assert errors == []

    statuses = [WaitlistEntry.objects.get(pk=e.pk).status for e in line]
    # The first five booked, the next five hold the five places just freed, in order.
    assert statuses == ["booked"] * 5 + ["offered"] * 5 + ["waiting"] * 10
    session.refresh_from_db()
    assert (session.booked_count, session.held_count) == (5, 5)
    active = Booking.objects.filter(session=session).exclude(status=BookingStatus.CANCELLED)
    assert active.count() == session.booked_count == 5
    assert set(active.values_list("beneficiary", flat=True)) == {e.person_id for e in line[:5]}
    # Nobody was offered twice; each booked entry has its own booking.
    booked = WaitlistEntry.objects.filter(status=WaitlistStatus.BOOKED)
    assert len(set(booked.values_list("booking", flat=True))) == 5
    assert session.booked_count + session.held_count <= session.total_places

    # The next five confirm at once: ten bookings, nothing held, nothing left.
    calls = [(lambda e=e: services.waitlist_confirm(user=e.person, entry=e)) for e in line[5:10]]
    assert at_once(calls)[1] == []
    session.refresh_from_db()
    assert (session.booked_count, session.held_count) == (10, 0)
    assert Session.objects.get(pk=session.pk).remaining == 0
