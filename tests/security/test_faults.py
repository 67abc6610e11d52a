"""A failure in the middle of a service leaves no partial write; outages lose nothing."""

from unittest import mock

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import Beneficiary, Membership, Status, User, Venue
from accounts.services import review as review_services
from accounts.services import space as space_services
from offers.models import Booking, BookingStatus, Session
from offers.services import bookings as booking_services
from offers.services import collective_bookings as collective_services
from tests.factories import (
    MembershipFactory,
    UserFactory,
    VenueFactory,
    make_beneficiary,
    make_collective_offer,
    make_offer,
    make_school,
    make_session,
    make_teacher,
)

pytestmark = pytest.mark.django_db


class Crash(Exception):
    pass


def test_booking_crash_after_taking_the_place_rolls_everything_back(space):
    offer = make_offer(space["venue"], "ESCAPE_GAME", price_cents=500, quantity=5)
    young = make_beneficiary(17)
    credit = Beneficiary.objects.get(user=young).credit_cents
    with mock.patch.object(Booking.objects, "create", side_effect=Crash), pytest.raises(Crash):
        booking_services.booking_create(user=young, offer=offer)
    assert offer.stock.__class__.objects.get(pk=offer.stock.pk).booked_count == 0
    assert Beneficiary.objects.get(user=young).credit_cents == credit
    assert not Booking.objects.exists()


def test_event_booking_crash_keeps_the_session_counter(space):
    offer = make_offer(space["venue"])
    session = make_session(offer, total_places=3)
    with mock.patch.object(Booking.objects, "create", side_effect=Crash), pytest.raises(Crash):
        booking_services.booking_create(user=make_beneficiary(), offer=offer, session=session)
    assert Session.objects.get(pk=session.pk).booked_count == 0


def test_validation_crash_leaves_the_booking_confirmed(space, owner):
    offer = make_offer(space["venue"], "ESCAPE_GAME")
    booking = booking_services.booking_create(user=make_beneficiary(), offer=offer)
    with (
        mock.patch("offers.services.validation.counts_changed", side_effect=Crash),
        pytest.raises(Crash),
    ):
        booking_services.booking_validate(actor=owner, booking=booking)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.validated_by is None


def test_join_approval_crash_changes_nothing(space, owner):
    venue = VenueFactory(collectivite=space["collectivite"], status=Status.NEW)
    request = MembershipFactory(
        collectivite=space["collectivite"], role="member", status=Status.NEW, requested_venue=venue
    )
    with mock.patch("accounts.services.review.action_log", side_effect=Crash), pytest.raises(Crash):
        review_services.join_request_review(actor=owner, membership=request, action="validate")
    assert Membership.objects.get(pk=request.pk).status == Status.NEW
    assert Venue.objects.get(pk=venue.pk).status == Status.NEW


def test_invitation_acceptance_crash_changes_nothing(space, owner):
    invitation = space_services.invitation_send(
        actor=owner,
        collectivite=space["collectivite"],
        email="nouvelle@x.fr",
        role="member",
        venues=[space["venue"]],
    )
    invited = UserFactory(email="nouvelle@x.fr", email_confirmed_at=None)
    with mock.patch("accounts.services.space.action_log", side_effect=Crash), pytest.raises(Crash):
        space_services.invitation_accept(user=invited, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(user=invited).exists()
    assert User.objects.get(pk=invited.pk).email_confirmed_at is None


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP down")


def test_mail_outage_does_not_lose_the_booking(login, space, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.security.test_faults.FailingBackend"}}
    offer = make_offer(space["venue"], "ESCAPE_GAME")
    young = make_beneficiary()
    client = login(young)
    with mock.patch.object(transaction, "on_commit", lambda fn, using=None, robust=False: fn()):
        response = client.post(f"/jeunes/offres/{offer.public_id}/reserver/")
    assert response.status_code == 302 and response.url == "/jeunes/reservations/"
    assert Booking.objects.filter(beneficiary=young).count() == 1
    assert mail.outbox == []


def test_end_collective_bookings_survives_a_crash_and_the_rerun_finishes(space):
    from datetime import timedelta

    from django.db.models.query import QuerySet
    from django.utils import timezone

    from offers.models import CollectiveBooking

    teacher = make_teacher(make_school())
    offer = make_collective_offer(space["venue"], days=-5)
    booking = CollectiveBooking.objects.create(
        offer=offer,
        venue=offer.venue,
        school=make_school("0690002"),
        teacher=teacher,
        status="booked",
    )
    original = QuerySet.update
    with mock.patch.object(QuerySet, "update", side_effect=Crash), pytest.raises(Crash):
        collective_services.end_due_collective_bookings()
    assert CollectiveBooking.objects.get(pk=booking.pk).status == "booked"
    assert QuerySet.update is original
    assert (
        collective_services.end_due_collective_bookings(now=timezone.now() + timedelta(hours=1))
        == 1
    )


def test_sirene_outage_does_not_block_signup(login, settings):
    settings.SIRENE_BACKEND = "recherche-entreprises"
    client = login(UserFactory())
    with mock.patch("accounts.sirene._http_get", side_effect=TimeoutError):
        response = client.post("/structure/siret/", {"siret": "21750001600019"})
        assert response.status_code == 302
        assert client.get(response.url).status_code == 200
