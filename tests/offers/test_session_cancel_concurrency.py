"""Cancelling a session while young people book its last places and the guichet
validates codes (PostgreSQL, real threads; issue 28, « Must show » 2).

Whatever the order the database picks: a cancellation that succeeded leaves no active
booking on the session; one refused (a validation came first) leaves everything as the
others made it; no credit is lost or counted twice; the counters equal the rows."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Beneficiary
from offers.models import Booking, BookingStatus, Session
from offers.services import bookings as booking_services
from offers.services import cancellations
from passlib.refusal import Refusal
from tests.factories import make_beneficiary, make_offer
from tests.threads import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNS = 6
ACTIVE = (BookingStatus.CONFIRMED, BookingStatus.VALIDATED, BookingStatus.REIMBURSED)


def money(people) -> int:
    """Credits left plus the prices of the active bookings: constant whatever happens."""
    credits = Beneficiary.objects.filter(user__in=people).aggregate(s=Sum("credit_cents"))["s"]
    spent = Booking.objects.filter(beneficiary__in=people, status__in=ACTIVE).aggregate(
        s=Sum("price_cents")
    )["s"]
    return (credits or 0) + (spent or 0)


@pytest.mark.parametrize("run", range(RUNS))
def test_cancel_while_ten_book_the_last_places_and_codes_are_validated(space, owner, run):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", price_cents=450, title="Atelier")
    start = timezone.now() + timedelta(hours=30)  # within 48 h: validation opens at once
    session = Session.objects.create(
        offer=offer, starts_at=start, booking_limit_at=start, total_places=12
    )
    early = [make_beneficiary(17) for _ in range(6)]
    held = [booking_services.booking_create(user=u, offer=offer, session=session) for u in early]
    late = [make_beneficiary(17) for _ in range(10)]  # 6 places left for 10 people
    people = early + late
    before = money(people)

    def tagged(kind, call):
        def run():
            try:
                call()
            except Refusal as exc:
                return kind, exc.code
            return kind, "ok"

        return run

    def book(user):
        return tagged(
            "book", lambda: booking_services.booking_create(user=user, offer=offer, session=session)
        )

    def validate(booking):
        def at_the_guichet():
            time.sleep((RUNS - 1 - run) * 0.015)
            return booking_services.booking_validate(actor=owner, booking=booking)

        return tagged("validate", at_the_guichet)

    def cancel_after_a_while():
        # Each run starts the cancellation a little later and the validations a little
        # sooner (0 to 75 ms): some bookings and validations come before it, some after.
        time.sleep(run * 0.015)
        return cancellations.session_cancel(actor=owner, session=session, reason="room")

    cancel = tagged("cancel", cancel_after_a_while)

    # The librarian validates two codes while another cancels; ten young people book.
    calls = [book(u) for u in late] + [validate(b) for b in held[:2]] + [cancel]
    results, errors = at_once(calls)
    assert not errors, errors
    outcome = {kind: [code for k, code in results if k == kind] for kind in ("book", "validate")}
    [cancel_code] = [code for k, code in results if k == "cancel"]

    session.refresh_from_db()
    rows = Booking.objects.filter(session=session)
    active = rows.filter(status__in=ACTIVE)
    if cancel_code == "ok":
        assert session.is_cancelled
        assert not active.exists()
        assert session.booked_count == 0 and session.held_count == 0
        # the cancellation came before both validations: both refused
        assert outcome["validate"] == ["booking.session_cancelled"] * 2
    else:
        # a validation came first: the cancellation was refused as a whole
        assert cancel_code == "session.has_validated"
        assert not session.is_cancelled
        assert "ok" in outcome["validate"]
        assert rows.filter(status=BookingStatus.VALIDATED).count() == outcome["validate"].count(
            "ok"
        )
        assert outcome["book"].count("ok") <= 6
    assert session.booked_count == active.count()
    assert rows.filter(status=BookingStatus.CANCELLED).count() + active.count() == rows.count()
    assert money(people) == before
    # every booking refused was told why, in French
    assert set(outcome["book"]) <= {"ok", "booking.full", "booking.session_cancelled"}
