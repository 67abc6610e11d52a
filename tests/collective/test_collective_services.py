"""Lifecycle and limits of collective offers and bookings."""

import io
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from offers.models import (
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
    CollectiveRequest,
    CollectiveStatus,
)
from offers.services import collective as services
from offers.services import collective_bookings as booking_services
from offers.services.collective import BookableData, CollectiveData
from passlib.refusal import Refusal
from tests.factories import (
    make_collective_offer,
    make_school,
    make_showcase,
    make_teacher,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return make_school()


@pytest.fixture
def teacher(school):
    return make_teacher(school, first_name="Marc", last_name="Prof")


def data(venue, **changes):
    base = {
        "venue": venue,
        "subcategory_id": "RENCONTRE",
        "title": "Rencontre d'auteur",
        "contact_email": "contact@bib.fr",
        "intervention_area": ["69"],
        "domains": ["livre_lecture"],
        "school_levels": ["college_6e"],
    }
    return CollectiveData(**{**base, **changes})


def bookable(**changes):
    start = timezone.now() + timedelta(days=40)
    base = {
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "students": 28,
        "price_cents": 20000,
    }
    return BookableData(**{**base, **changes})


# --- creation rules --------------------------------------------------------------------


def test_create_bookable_from_a_showcase(space, owner):
    showcase = make_showcase(space["venue"])
    offer = services.collective_offer_create(
        actor=owner, data=data(space["venue"]), bookable=bookable(), showcase=showcase
    )
    assert offer.status == CollectiveStatus.DRAFT
    assert offer.showcase == showcase
    assert offer.booking_limit_at == offer.starts_at
    assert offer.intervention_area == ",69,"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subcategory_id": "ABO_BIBLIOTHEQUE"}, "subcategory"),
        ({"subcategory_id": "ESCAPE_GAME"}, "subcategory"),
        ({"title": "x" * 111}, "title"),
        ({"description": "x" * 1501}, "description"),
        ({"intervention_area": []}, "intervention_area"),
        ({"intervention_area": ["99"]}, "intervention_area"),
        ({"domains": ["astrologie"]}, "domains"),
        ({"location_type": "other", "location_address": ""}, "location_address"),
    ],
)
def test_invalid_common_fields_are_refused(space, owner, changes, field):
    with pytest.raises(ValidationError) as exc:
        services.showcase_create(actor=owner, data=data(space["venue"], **changes))
    assert field in exc.value.message_dict


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_at": timezone.now() - timedelta(days=1)}, "starts_at"),
        ({"ends_at": timezone.now() + timedelta(days=39)}, "ends_at"),
        ({"booking_limit_at": timezone.now() + timedelta(days=41)}, "booking_limit_at"),
        ({"students": 0}, "students"),
        ({"price_cents": -1}, "price"),
    ],
)
def test_invalid_bookable_fields_are_refused(space, owner, changes, field):
    with pytest.raises(ValidationError) as exc:
        services.collective_offer_create(
            actor=owner, data=data(space["venue"]), bookable=bookable(**changes)
        )
    assert field in exc.value.message_dict
    assert not CollectiveOffer.objects.exists()


def test_publish_archive_duplicate(space, owner):
    showcase = services.showcase_create(actor=owner, data=data(space["venue"]))
    services.collective_publish(actor=owner, obj=showcase)
    with pytest.raises(Refusal):
        services.collective_publish(actor=owner, obj=showcase)
    services.collective_archive(actor=owner, obj=showcase)
    showcase.refresh_from_db()
    assert showcase.status == CollectiveStatus.ARCHIVED
    copy = services.collective_duplicate(actor=owner, obj=showcase)
    assert copy.status == CollectiveStatus.DRAFT and copy.title.endswith("(copie)")
    # a second copy is numbered, as a file manager does (issue 27)
    again = services.collective_duplicate(actor=owner, obj=showcase)
    assert again.title == showcase.title + " (copie 2)"


# --- lifecycle -----------------------------------------------------------------------------


def test_request_prebook_confirm_end(space, teacher, owner, django_capture_on_commit_callbacks):
    showcase = make_showcase(space["venue"])
    with django_capture_on_commit_callbacks(execute=True):
        req = booking_services.request_create(
            user=teacher,
            showcase=showcase,
            message="Pour ma 6e B",
            students=27,
            preferred_dates="mars",
        )
    assert "Pour ma 6e B" in mail.outbox[0].body
    offer = services.collective_offer_create(
        actor=owner,
        data=data(space["venue"]),
        request=req,
        showcase=showcase,
        bookable=bookable(
            school=req.school,
            starts_at=timezone.now() + timedelta(days=1),
            ends_at=timezone.now() + timedelta(days=1, hours=2),
        ),
    )
    services.collective_publish(actor=owner, obj=offer)
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_services.prebook(user=teacher, offer=offer)
    assert booking.status == CollectiveBookingStatus.PREBOOKED
    assert "a préréservé" in mail.outbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.confirm(user=teacher, booking=booking)
    booking.refresh_from_db()
    assert booking.status == CollectiveBookingStatus.BOOKED and booking.confirmed_by == teacher
    assert "a confirmé" in mail.outbox[-1].body

    # 48 h after the end, and not before
    end = offer.ends_at
    assert booking_services.end_due_collective_bookings(now=end + timedelta(hours=47)) == 0
    # Strictly after 48 h, as the scheme: at 48 h exactly it is still réservée.
    assert booking_services.end_due_collective_bookings(now=end + timedelta(hours=48)) == 0
    later = end + timedelta(hours=48, seconds=1)
    assert booking_services.end_due_collective_bookings(now=later) == 1
    assert (
        booking_services.end_due_collective_bookings(now=end + timedelta(hours=49)) == 0
    )  # idempotent
    booking.refresh_from_db()
    assert booking.status == CollectiveBookingStatus.ENDED
    with pytest.raises(Refusal, match="ne peut plus être annulée"):
        booking_services.cancel_by_venue(actor=owner, booking=booking, comment="trop tard")


def test_end_command_prints_its_count(space, teacher):
    offer = make_collective_offer(space["venue"], days=-5)
    CollectiveBooking.objects.create(
        offer=offer,
        venue=offer.venue,
        school=make_school("0690002"),
        teacher=teacher,
        status=CollectiveBookingStatus.BOOKED,
    )
    out = io.StringIO()
    call_command("end_collective_bookings", stdout=out)
    assert "1 réservation collective terminée" in out.getvalue()


def test_only_prebooked_can_be_confirmed(space, teacher):
    offer = make_collective_offer(space["venue"])
    booking = booking_services.prebook(user=teacher, offer=offer)
    booking_services.confirm(user=teacher, booking=booking)
    with pytest.raises(Refusal, match="Seule une préréservation"):
        booking_services.confirm(user=teacher, booking=booking)


def test_one_booking_per_bookable_offer(space, teacher):
    offer = make_collective_offer(space["venue"])
    booking_services.prebook(user=teacher, offer=offer)
    other = make_teacher(make_school("0690002", name="Collège B"))
    with pytest.raises(Refusal, match="vient d'être réservée"):
        booking_services.prebook(user=other, offer=offer)
    assert CollectiveBooking.objects.count() == 1


@pytest.mark.parametrize(("days", "allowed"), [(31, True), (30.01, True), (29, False)])
def test_school_cancels_until_30_days_before_the_start(space, teacher, days, allowed):
    offer = make_collective_offer(space["venue"], days=days)
    booking = booking_services.prebook(user=teacher, offer=offer)
    if allowed:
        booking_services.cancel_by_school(user=teacher, booking=booking)
        assert CollectiveBooking.objects.get(pk=booking.pk).status == "cancelled"
    else:
        with pytest.raises(Refusal, match="30 jours"):
            booking_services.cancel_by_school(user=teacher, booking=booking)
        assert CollectiveBooking.objects.get(pk=booking.pk).status == "prebooked"


def test_venue_cancels_until_terminee_with_a_reason(
    space, teacher, owner, django_capture_on_commit_callbacks
):
    offer = make_collective_offer(space["venue"], days=2)
    booking = booking_services.prebook(user=teacher, offer=offer)
    booking_services.confirm(user=teacher, booking=booking)
    with pytest.raises(Refusal, match="motif"):
        booking_services.cancel_by_venue(actor=owner, booking=booking, comment="")
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.cancel_by_venue(actor=owner, booking=booking, comment="Intervenant absent")
    assert CollectiveBooking.objects.get(pk=booking.pk).cancellation_reason == "venue"
    assert mail.outbox[-1].to == [teacher.email]
    # after a cancellation the offer can be booked again
    assert booking_services.prebook(user=teacher, offer=offer)


def test_teacher_outside_the_zone_or_target_school_cannot_prebook(space, teacher):
    far = make_teacher(make_school("0750001", name="Lycée parisien", city="Paris"))
    offer = make_collective_offer(space["venue"])
    with pytest.raises(Refusal, match="pas disponible"):
        booking_services.prebook(user=far, offer=offer)
    targeted = make_collective_offer(space["venue"], school=make_school("0690002"))
    with pytest.raises(Refusal, match="autre établissement"):
        booking_services.prebook(user=teacher, offer=targeted)
    with pytest.raises(Refusal, match="pas disponible"):
        booking_services.request_create(
            user=far, showcase=make_showcase(space["venue"]), message="x", students=3
        )
    assert not CollectiveRequest.objects.exists()


def test_only_teachers_of_the_school_confirm(space, teacher):
    booking = booking_services.prebook(user=teacher, offer=make_collective_offer(space["venue"]))
    colleague = make_teacher(booking.school)
    stranger = make_teacher(make_school("0690002"))
    with pytest.raises(Refusal, match="introuvable"):
        booking_services.confirm(user=stranger, booking=booking)
    booking_services.confirm(user=colleague, booking=booking)


def test_offer_with_a_booking_cannot_be_edited(space, teacher, owner):
    offer = make_collective_offer(space["venue"])
    booking_services.prebook(user=teacher, offer=offer)
    with pytest.raises(Refusal, match="réservation est en cours"):
        services.collective_offer_update(
            actor=owner, offer=offer, data=data(space["venue"]), bookable=bookable()
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_prebooking_gives_one_booking(space):
    offer = make_collective_offer(space["venue"])
    teachers = [make_teacher(make_school(f"069{i:04d}", name=f"Collège {i}")) for i in range(1, 13)]
    barrier = threading.Barrier(len(teachers))
    results = []

    def attempt(user):
        try:
            barrier.wait()
            booking_services.prebook(user=user, offer=offer)
            results.append("ok")
        except Refusal as exc:
            results.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(t,)) for t in teachers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1
    assert CollectiveBooking.objects.filter(offer=offer).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_end_runs_end_each_booking_once(space):
    teacher = make_teacher(make_school())
    for i in range(10):
        offer = make_collective_offer(space["venue"], days=-5, title=f"Atelier {i}")
        CollectiveBooking.objects.create(
            offer=offer,
            venue=offer.venue,
            school=make_school(f"069{i + 100:04d}"),
            teacher=teacher,
            status=CollectiveBookingStatus.BOOKED,
        )
    results, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(booking_services.end_due_collective_bookings())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 10]
