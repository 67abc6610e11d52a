"""Booking rules at service level."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Beneficiary, Status
from offers import rules
from offers.models import CODE_ALPHABET, Booking, BookingStatus, OfferStatus, Session, Stock
from offers.services import bookings as services
from passlib.refusal import Refusal
from tests.factories import (
    UserFactory,
    VenueFactory,
    birth_date_for_age,
    make_beneficiary,
    make_offer,
    make_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(space):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier BD")
    return offer, make_session(offer, days=10, total_places=10, quota=2)


def credit(user) -> int:
    return Beneficiary.objects.get(user=user).credit_cents


def test_booking_takes_a_place_and_gets_an_unambiguous_code(
    event, django_capture_on_commit_callbacks
):
    offer, session = event
    young = make_beneficiary(16)
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(user=young, offer=offer, session=session)
    assert len(booking.code) == 6 and set(booking.code) <= set(CODE_ALPHABET)
    assert not set(booking.code) & set("01OIL")
    assert booking.status == BookingStatus.CONFIRMED
    assert Session.objects.get(pk=session.pk).booked_count == 1
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([young.email, offer.venue.booking_email])
    assert booking.code in next(m.body for m in mail.outbox if m.to == [young.email])


def test_quota_limits_the_bookable_places(event):
    offer, session = event  # 10 places, quota 2
    services.booking_create(user=make_beneficiary(), offer=offer, session=session)
    services.booking_create(user=make_beneficiary(), offer=offer, session=session)
    with pytest.raises(Refusal, match="complète"):
        services.booking_create(user=make_beneficiary(), offer=offer, session=session)
    assert Session.objects.get(pk=session.pk).booked_count == 2


@pytest.mark.parametrize(("age", "ok"), [(14, False), (15, True), (18, True), (19, False)])
def test_eligibility_by_age_on_the_booking_day(event, age, ok):
    offer, session = event
    young = make_beneficiary(age)
    if ok:
        assert services.booking_create(user=young, offer=offer, session=session)
    else:
        with pytest.raises(Refusal, match="15 à 18 ans"):
            services.booking_create(user=young, offer=offer, session=session)
        assert Session.objects.get(pk=session.pk).booked_count == 0


def test_eighteen_until_the_day_before_the_nineteenth_birthday(event):
    offer, session = event
    young = make_beneficiary(18)
    Beneficiary.objects.filter(user=young).update(
        birth_date=birth_date_for_age(18, days_to_birthday=1)
    )
    assert services.booking_create(user=young, offer=offer, session=session)


def test_non_beneficiaries_and_unconfirmed_emails_cannot_book(event):
    offer, session = event
    with pytest.raises(Refusal, match="jeunes inscrits"):
        services.booking_create(user=UserFactory(), offer=offer, session=session)
    with pytest.raises(Refusal, match="Confirme ton adresse"):
        services.booking_create(
            user=make_beneficiary(email_confirmed_at=None), offer=offer, session=session
        )


def test_one_active_booking_per_offer(event):
    offer, session = event
    other = make_session(offer, days=12, total_places=5)
    young = make_beneficiary()
    booking = services.booking_create(user=young, offer=offer, session=session)
    with pytest.raises(Refusal, match="déjà une réservation"):
        services.booking_create(user=young, offer=offer, session=other)
    services.booking_cancel_by_beneficiary(user=young, booking=booking)
    assert services.booking_create(user=young, offer=offer, session=other)


def test_paid_booking_draws_on_credit_and_cancel_refunds(space):
    offer = make_offer(space["venue"], "ESCAPE_GAME", price_cents=1500, quantity=3)
    young = make_beneficiary(17)  # 50 € credit (the scheme's since 2025)
    booking = services.booking_create(user=young, offer=offer)
    assert credit(young) == 3500
    assert Stock.objects.get(offer=offer).booked_count == 1
    services.booking_cancel_by_beneficiary(user=young, booking=booking)
    assert credit(young) == 5000
    assert Stock.objects.get(offer=offer).booked_count == 0


def test_insufficient_credit_is_refused_and_nothing_changes(space):
    offer = make_offer(space["venue"], "ESCAPE_GAME", price_cents=5500, quantity=3)
    young = make_beneficiary(17)
    with pytest.raises(Refusal, match="crédit pass Culture ne suffit pas") as refused:
        services.booking_create(user=young, offer=offer)
    assert "il te reste 50 €" in refused.value.message
    assert credit(young) == 5000
    assert Stock.objects.get(offer=offer).booked_count == 0
    assert not Booking.objects.exists()


def test_birthday_adds_the_credit_of_the_new_age(space):
    offer = make_offer(space["venue"], "ESCAPE_GAME", price_cents=1000, quantity=None)
    young = make_beneficiary(17, credit_cents=0)
    Beneficiary.objects.filter(user=young).update(credit_age=16)  # granted at 16 only
    services.booking_create(user=young, offer=offer)
    # 50 € for turning 17, minus 10 €
    assert credit(young) == 4000


def test_at_15_and_16_free_offers_stay_open_and_paid_ones_say_why(login, space):
    """The scheme since 2025: no individual credit before 17 (configurable)."""
    young = make_beneficiary(16)
    assert credit(young) == 0
    free = make_offer(space["venue"], "ESCAPE_GAME", price_cents=0, quantity=3)
    assert services.booking_create(user=young, offer=free)
    paid = make_offer(space["venue"], "ESCAPE_GAME", price_cents=500, quantity=3)
    with pytest.raises(Refusal, match="crédit pass Culture ne suffit pas"):
        services.booking_create(user=young, offer=paid)
    client = login(young)
    for page in ("/jeunes/reservations/", "/jeunes/offres/"):
        html = client.get(page).content.decode()
        assert "Le crédit individuel du pass Culture commence à 17 ans" in html, page
        assert "les offres gratuites te restent ouvertes" in html
    assert (
        "commence à 17 ans"
        not in login(make_beneficiary(17)).get("/jeunes/reservations/").content.decode()
    )


def test_closed_or_unvalidated_offers_cannot_be_booked(space, event):
    offer, _ = event
    closed = make_session(offer, days=5, limit_days=-1)
    with pytest.raises(Refusal, match="closes"):
        services.booking_create(user=make_beneficiary(), offer=offer, session=closed)
    pending = VenueFactory(collectivite=space["collectivite"], status=Status.NEW)
    hidden = make_offer(pending)
    with pytest.raises(Refusal, match="pas disponible"):
        services.booking_create(user=make_beneficiary(), offer=hidden, session=make_session(hidden))
    draft = make_offer(space["venue"], status=OfferStatus.DRAFT)
    with pytest.raises(Refusal, match="pas disponible"):
        services.booking_create(user=make_beneficiary(), offer=draft, session=make_session(draft))


def test_stock_booking_limit_date(space):
    offer = make_offer(space["venue"], "ABO_BIBLIOTHEQUE", quantity=None)
    Stock.objects.filter(offer=offer).update(
        booking_limit_date=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(Refusal, match="complète"):
        services.booking_create(user=make_beneficiary(), offer=offer)


def test_free_subscription_bookings_are_flagged_for_auto_validation(space):
    sub = make_offer(space["venue"], "ABO_MEDIATHEQUE")
    paid_sub = make_offer(space["venue"], "ABO_BIBLIOTHEQUE", price_cents=500, title="Payant")
    escape = make_offer(space["venue"], "ESCAPE_GAME")
    young = make_beneficiary(18)
    assert services.booking_create(user=young, offer=sub).is_free_subscription
    assert not services.booking_create(user=young, offer=paid_sub).is_free_subscription
    assert not services.booking_create(user=young, offer=escape).is_free_subscription


# --- cancellation ------------------------------------------------------------------------


def booking_at(offer, session, *, booked_hours_ago, young=None):
    young = young or make_beneficiary()
    booking = services.booking_create(user=young, offer=offer, session=session)
    Booking.objects.filter(pk=booking.pk).update(
        booked_at=timezone.now() - timedelta(hours=booked_hours_ago)
    )
    booking.refresh_from_db()
    return young, booking


@pytest.mark.parametrize(
    ("start_in_hours", "booked_hours_ago", "allowed"),
    [
        (240, 1, True),  # within 48 h of booking, start far away
        (240, 47.9, True),
        (240, 48.1, False),  # more than 48 h after booking
        (49, 1, True),  # limit = start − 48 h = in 1 h
        (47.5, 1, False),  # start − 48 h passed 30 min ago
        (72, 1, True),  # limit = start - 48 h = in 24 h
        (47, 0.01, False),  # booked in the last 48 h before start: limit = booked_at
    ],
)
def test_event_cancellation_limit_both_sides(space, start_in_hours, booked_hours_ago, allowed):
    offer = make_offer(space["venue"])
    start = timezone.now() + timedelta(hours=start_in_hours)
    session = Session.objects.create(offer=offer, starts_at=start, booking_limit_at=start)
    young, booking = booking_at(offer, session, booked_hours_ago=booked_hours_ago)
    if allowed:
        services.booking_cancel_by_beneficiary(user=young, booking=booking)
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
        assert Session.objects.get(pk=session.pk).booked_count == 0
    else:
        with pytest.raises(Refusal, match="délai d'annulation"):
            services.booking_cancel_by_beneficiary(user=young, booking=booking)
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_deadline_formula(space):
    offer = make_offer(space["venue"])
    start = timezone.now() + timedelta(hours=60)
    session = Session.objects.create(offer=offer, starts_at=start, booking_limit_at=start)
    _, booking = booking_at(offer, session, booked_hours_ago=0)
    # min(start − 48 h, booked + 48 h) = start − 48 h = in 12 h; max with booked_at
    assert rules.cancellation_deadline(booking) == start - timedelta(hours=48)


def test_physical_booking_cancels_any_time_before_validation(space, owner):
    offer = make_offer(space["venue"], "ESCAPE_GAME", quantity=5)
    young = make_beneficiary()
    booking = services.booking_create(user=young, offer=offer)
    Booking.objects.filter(pk=booking.pk).update(booked_at=timezone.now() - timedelta(days=90))
    booking.refresh_from_db()
    services.booking_validate(actor=owner, booking=booking)
    with pytest.raises(Refusal, match="ne peut plus être annulée"):
        services.booking_cancel_by_beneficiary(user=young, booking=booking)
    services.booking_unvalidate(actor=owner, booking=booking)
    services.booking_cancel_by_beneficiary(user=young, booking=booking)
    assert Booking.objects.get(pk=booking.pk).cancellation_reason == "beneficiary"


def test_venue_cancellation_needs_a_reason_and_emails_the_young(
    space, owner, event, django_capture_on_commit_callbacks
):
    offer, session = event
    young, booking = booking_at(offer, session, booked_hours_ago=100)
    with pytest.raises(Refusal, match="motif"):
        services.booking_cancel_by_venue(actor=owner, booking=booking, comment=" ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel_by_venue(actor=owner, booking=booking, comment="Atelier reporté")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancellation_reason == "venue" and booking.cancelled_by == owner
    assert mail.outbox[0].to == [young.email]
    assert "Atelier reporté" in mail.outbox[0].body
    assert Session.objects.get(pk=session.pk).booked_count == 0


# --- validation at the guichet -------------------------------------------------------------


def test_validate_records_who_and_when_and_refuses_twice(event, owner):
    offer, session = event
    _, booking = booking_at(offer, session, booked_hours_ago=49)
    services.booking_validate(actor=owner, booking=booking)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.VALIDATED
    assert booking.validated_by == owner and booking.validated_at is not None
    with pytest.raises(Refusal, match="déjà été validée"):
        services.booking_validate(actor=owner, booking=booking)


def test_unvalidate_refused_when_reimbursed(event, owner):
    offer, session = event
    _, booking = booking_at(offer, session, booked_hours_ago=49)
    services.booking_validate(actor=owner, booking=booking)
    Booking.objects.filter(pk=booking.pk).update(
        status=BookingStatus.REIMBURSED, reimbursed_at=timezone.now()
    )
    with pytest.raises(Refusal, match="figure sur un relevé de remboursement"):
        services.booking_unvalidate(actor=owner, booking=booking)


def test_cancelled_booking_cannot_be_validated(event, owner):
    offer, session = event
    young, booking = booking_at(offer, session, booked_hours_ago=1)
    services.booking_cancel_by_beneficiary(user=young, booking=booking)
    with pytest.raises(Refusal, match="annulée"):
        services.booking_validate(actor=owner, booking=booking)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("abc234", "ABC234"),
        (" AB C2 34 ", "ABC234"),
        ("ab-c2-34", "ABC234"),
        ("PASSLIB:ABC234", "ABC234"),
        ("https://passlib.example.org/c/abc234", "ABC234"),
    ],
)
def test_code_normalisation(raw, expected):
    assert services.normalize_code(raw) == expected
    assert services.is_valid_code(expected)


@pytest.mark.parametrize("code", ["ABC23", "ABC2345", "ABC0O1", "ABCIL2"])
def test_invalid_codes(code):
    assert not services.is_valid_code(services.normalize_code(code))
