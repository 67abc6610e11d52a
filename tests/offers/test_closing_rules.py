"""The scheme's closing rules (issue 15), on both sides of each boundary:

- an event booking still confirmed 48 h after its session's start is validated (AUTO),
  unless the venue marked it absent;
- the guichet validates an event booking only once its cancellation deadline passed;
- a paid physical booking not validated 30 days after booking is cancelled, refunded,
  both sides e-mailed.
Idempotent, and two concurrent runs on PostgreSQL handle each booking once."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import Beneficiary
from offers.models import Action, Booking, BookingStatus, Stock, Transition
from offers.services import bookings as services
from offers.services.closing import cancel_expired_paid_physical, validate_due_event_bookings
from passlib.refusal import Refusal
from tests.factories import make_beneficiary, make_booking, make_offer, make_session

pytestmark = pytest.mark.django_db


def _started(offer, hours_ago):
    session = make_session(offer, days=3)
    start = timezone.now() - timedelta(hours=hours_ago)
    type(session).objects.filter(pk=session.pk).update(starts_at=start, booking_limit_at=start)
    session.refresh_from_db()
    return session


def _status(booking):
    return Booking.objects.get(pk=booking.pk).status


def test_an_event_booking_is_validated_48_hours_after_the_start_unless_absent(space, owner):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART")
    before = make_booking(offer, session=_started(offer, 47 + 59 / 60))
    after = make_booking(offer, session=_started(offer, 48 + 1 / 60))
    absent = make_booking(offer, session=_started(offer, 72), absent_at=timezone.now())
    cancelled = make_booking(
        offer,
        session=_started(offer, 72),
        status="cancelled",
        cancelled_at=timezone.now(),
        cancellation_reason="beneficiary",
    )
    out = io.StringIO()
    call_command("validate_event_bookings", stdout=out)
    assert "1 réservation validée" in out.getvalue()
    assert _status(before) == BookingStatus.CONFIRMED
    done = Booking.objects.get(pk=after.pk)
    assert (done.status, done.validated_auto, done.validated_by) == ("validated", True, None)
    assert _status(absent) == BookingStatus.CONFIRMED  # the venue said absent: left alone
    assert _status(cancelled) == BookingStatus.CANCELLED
    # written in the history, once, and idempotent
    assert Transition.objects.filter(booking=after, action=Action.AUTO_VALIDATED).count() == 1
    assert validate_due_event_bookings() == 0
    assert Transition.objects.filter(action=Action.AUTO_VALIDATED).count() == 1


def test_lists_and_exports_say_validee_automatiquement(login, space, owner):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier")
    booking = make_booking(offer, session=_started(offer, 50))
    validate_due_event_bookings()
    client = login(owner)
    assert "Validée automatiquement" in client.get("/reservations/").content.decode()
    export = client.get("/reservations/export.csv")
    csv = b"".join(export.streaming_content).decode("utf-8-sig")
    assert booking.code in csv and "validé" in csv
    html = client.get("/guichet/", {"code": booking.code}).content.decode()
    assert "48 heures après le début de la séance" in html


def _booked(space, hours_ago, *, days_to_start=10):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier BD")
    session = make_session(offer, days=days_to_start, total_places=10)
    young = make_beneficiary(16)
    booking = services.booking_create(user=young, offer=offer, session=session)
    Booking.objects.filter(pk=booking.pk).update(
        booked_at=timezone.now() - timedelta(hours=hours_ago)
    )
    booking.refresh_from_db()
    return young, booking


def test_the_guichet_validates_only_once_the_young_person_can_no_longer_cancel(space, owner):
    # the deadline is 48 h after booking (the session is far): one minute before it
    young, early = _booked(space, 48 - 1 / 60)
    with pytest.raises(Refusal, match="Vous pourrez valider cette contremarque à partir du"):
        services.booking_validate(actor=owner, booking=early)
    assert _status(early) == BookingStatus.CONFIRMED
    services.booking_cancel_by_beneficiary(user=young, booking=early)  # her right is intact
    _, late = _booked(space, 48 + 1 / 60)
    services.booking_validate(actor=owner, booking=late)
    assert _status(late) == BookingStatus.VALIDATED
    # two days before the start, the deadline is the start minus 48 h
    _, near = _booked(space, 1, days_to_start=1)
    services.booking_validate(actor=owner, booking=near)
    assert _status(near) == BookingStatus.VALIDATED


def test_the_guichet_page_says_from_when(login, space, owner):
    _, early = _booked(space, 2)
    client = login(owner)
    html = client.get("/guichet/", {"code": early.code}).content.decode()
    assert "Vous pourrez valider cette contremarque à partir du" in html
    assert "Valider la contremarque</button>" not in html
    response = client.post("/guichet/valider/", {"code": early.code}, follow=True)
    assert "à partir du" in response.content.decode()
    assert _status(early) == BookingStatus.CONFIRMED


def _paid(space, days_ago, *, subcategory="ESCAPE_GAME", price=1200):
    offer = make_offer(space["venue"], subcategory, title="Escape game", price_cents=price)
    young = make_beneficiary(18)
    booking = services.booking_create(user=young, offer=offer)
    Booking.objects.filter(pk=booking.pk).update(
        booked_at=timezone.now() - timedelta(days=days_ago)
    )
    return young, booking


def credit(user):
    return Beneficiary.objects.get(user=user).credit_cents


def test_a_paid_physical_booking_is_cancelled_and_refunded_after_30_days(
    space, django_capture_on_commit_callbacks
):
    _, kept = _paid(space, 29.99)
    young_31, expired = _paid(space, 30.01)
    _, subscription = _paid(space, 40, subcategory="ABO_BIBLIOTHEQUE")
    _, free = _paid(space, 40, subcategory="ABO_BIBLIOTHEQUE", price=0)
    credit_before = credit(young_31)
    with django_capture_on_commit_callbacks(execute=True):
        out = io.StringIO()
        call_command("cancel_expired_bookings", stdout=out)
    assert "2 réservations annulées" in out.getvalue()
    assert _status(kept) == BookingStatus.CONFIRMED
    gone = Booking.objects.get(pk=expired.pk)
    assert (gone.status, gone.cancellation_reason) == ("cancelled", "expired")
    assert credit(young_31) == credit_before + 1200
    assert Stock.objects.get(offer=expired.offer).booked_count == 0
    assert _status(subscription) == BookingStatus.CANCELLED  # a paid subscription
    assert _status(free) == BookingStatus.CONFIRMED  # free cards: validated after 30 days
    to_young = [m for m in mail.outbox if m.to == [young_31.email]]
    assert len(to_young) == 1 and "30 jours" in to_young[0].body
    assert "rendu" in to_young[0].body
    to_venue = [m for m in mail.outbox if m.to == [space["venue"].booking_email]]
    assert any(expired.code in m.body for m in to_venue)
    assert Transition.objects.filter(booking=expired, action=Action.AUTO_CANCELLED).count() == 1
    # idempotent: a second run changes nothing, refunds nothing
    assert cancel_expired_paid_physical() == 0
    assert credit(young_31) == credit_before + 1200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_handle_each_booking_once(space):
    event = make_offer(space["venue"], "ATELIER_PRATIQUE_ART")
    session = _started(event, 72)
    for _ in range(30):
        make_booking(event, session=session, beneficiary=make_beneficiary())
    paid = [_paid(space, 40) for _ in range(10)]
    before = {young.pk: credit(young) for young, _ in paid}
    results, barrier = [], threading.Barrier(4)

    def run(rule):
        try:
            barrier.wait()
            results.append((rule.__name__, rule()))
        finally:
            connection.close()

    rules = [validate_due_event_bookings] * 2 + [cancel_expired_paid_physical] * 2
    threads = [threading.Thread(target=run, args=(r,)) for r in rules]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    by_rule = {}
    for name, n in results:
        by_rule.setdefault(name, []).append(n)
    assert sorted(by_rule["validate_due_event_bookings"]) == [0, 30]
    assert sorted(by_rule["cancel_expired_paid_physical"]) == [0, 10]
    assert Transition.objects.filter(action=Action.AUTO_VALIDATED).count() == 30
    assert Transition.objects.filter(action=Action.AUTO_CANCELLED).count() == 10
    assert all(credit(young) == before[young.pk] + 1200 for young, _ in paid)
