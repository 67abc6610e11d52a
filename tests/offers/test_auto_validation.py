"""validate_subscription_bookings: free subscription cards only, after 30 days, once."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from offers.models import Booking, BookingStatus
from offers.services.closing import validate_due_subscription_bookings
from tests.factories import make_beneficiary, make_booking, make_offer, make_session


def aged(booking, days):
    Booking.objects.filter(pk=booking.pk).update(booked_at=timezone.now() - timedelta(days=days))
    return booking


@pytest.fixture
def bookings(space):
    venue = space["venue"]
    free_abo = make_offer(venue, "ABO_BIBLIOTHEQUE", title="Carte")
    free_media = make_offer(venue, "ABO_MEDIATHEQUE", title="Médiathèque")
    paid_abo = make_offer(venue, "ABO_BIBLIOTHEQUE", title="Carte payante", price_cents=500)
    escape = make_offer(venue, "ESCAPE_GAME", title="Escape")
    event = make_offer(venue, "RENCONTRE", title="Rencontre")
    session = make_session(event)
    return {
        "due_1": aged(make_booking(free_abo, is_free_subscription=True), 31),
        "due_2": aged(make_booking(free_media, is_free_subscription=True), 30.01),
        "young": aged(make_booking(free_abo, is_free_subscription=True), 29),
        "paid": aged(make_booking(paid_abo), 40),
        "physical": aged(make_booking(escape), 40),
        "event": aged(make_booking(event, session=session), 40),
        "cancelled": aged(
            make_booking(
                free_abo,
                is_free_subscription=True,
                status="cancelled",
                cancelled_at=timezone.now(),
                cancellation_reason="beneficiary",
            ),
            40,
        ),
    }


@pytest.mark.django_db
def test_only_free_subscriptions_older_than_30_days_are_validated(bookings):
    out = io.StringIO()
    call_command("validate_subscription_bookings", stdout=out)
    assert "2 réservations validées" in out.getvalue()
    statuses = {k: Booking.objects.get(pk=b.pk) for k, b in bookings.items()}
    assert {k for k, b in statuses.items() if b.status == BookingStatus.VALIDATED} == {
        "due_1",
        "due_2",
    }
    assert statuses["due_1"].validated_auto and statuses["due_1"].validated_by is None
    assert statuses["cancelled"].status == BookingStatus.CANCELLED
    # idempotent
    out = io.StringIO()
    call_command("validate_subscription_bookings", stdout=out)
    assert "0 réservation validée" in out.getvalue()


@pytest.mark.django_db
def test_guichet_and_lists_show_validee_automatiquement(login, bookings, owner):
    validate_due_subscription_bookings()
    client = login(owner)
    code = bookings["due_1"].code
    assert "Validée automatiquement" in client.get(f"/guichet/?code={code}").content.decode()
    assert "Validée automatiquement" in client.get("/reservations/").content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_validate_each_booking_once(space):
    offer = make_offer(space["venue"], "ABO_BIBLIOTHEQUE")
    for _ in range(40):
        aged(make_booking(offer, beneficiary=make_beneficiary(), is_free_subscription=True), 31)
    results, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(validate_due_subscription_bookings())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 40]
    assert Booking.objects.filter(status=BookingStatus.VALIDATED, validated_auto=True).count() == 40


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_workers_validate_every_due_booking_once_beside_another_run(space):
    offer = make_offer(space["venue"], "ABO_BIBLIOTHEQUE")
    due = [
        aged(make_booking(offer, beneficiary=make_beneficiary(), is_free_subscription=True), 31)
        for _ in range(41)
    ]
    young = aged(make_booking(offer, beneficiary=make_beneficiary(), is_free_subscription=True), 5)
    results, barrier = [], threading.Barrier(2)

    def run(workers):
        try:
            barrier.wait()
            results.append(validate_due_subscription_bookings(workers=workers))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(w,)) for w in (3, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 41]
    validated = Booking.objects.filter(status=BookingStatus.VALIDATED, validated_auto=True)
    assert set(validated.values_list("pk", flat=True)) == {b.pk for b in due}
    assert Booking.objects.get(pk=young.pk).status == BookingStatus.CONFIRMED
    out = io.StringIO()
    call_command("validate_subscription_bookings", "--workers", "2", stdout=out)
    assert "0 réservation validée" in out.getvalue()


@pytest.mark.django_db
def test_the_command_refuses_zero_workers():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="au moins 1"):
        call_command("validate_subscription_bookings", "--workers", "0")


@pytest.mark.django_db
def test_a_crashed_run_is_finished_by_the_next(bookings, monkeypatch):
    from django.db.models.query import QuerySet

    original = QuerySet.update

    def crash(self, **kwargs):
        raise RuntimeError("node killed")

    monkeypatch.setattr(QuerySet, "update", crash)
    with pytest.raises(RuntimeError):
        validate_due_subscription_bookings()
    monkeypatch.setattr(QuerySet, "update", original)
    assert Booking.objects.filter(status=BookingStatus.VALIDATED).count() == 0
    assert validate_due_subscription_bookings() == 2
