"""Cancelling a session, or every session to come of an offer (issue 28): the services
(offers/services/cancellations.py) and the rules they change elsewhere (validation,
booking, the waiting list of a cancelled session)."""

from __future__ import annotations

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Beneficiary
from offers.calendar import booking_ics
from offers.models import (
    Action,
    Booking,
    BookingStatus,
    CancellationReason,
    OfferStatus,
    Session,
    Transition,
    WaitlistEntry,
    WaitlistStatus,
)
from offers.services import bookings as booking_services
from offers.services import cancellations, waitlist
from passlib.formats import datetime_fr
from passlib.refusal import Refusal
from tests.factories import (
    make_beneficiary,
    make_booking,
    make_offer,
    make_session,
    past_its_cancellation_deadline,
)

pytestmark = pytest.mark.django_db


def credit(user) -> int:
    return Beneficiary.objects.get(user=user).credit_cents


@pytest.fixture
def booked(space, django_capture_on_commit_callbacks):
    """A paid workshop, 3 places: two booked (4,50 €), one taken then given up, and a
    person waiting after it filled up again."""
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", price_cents=450, title="Atelier BD")
    session = make_session(offer, days=10, total_places=2)
    later = make_session(offer, days=17, total_places=5)
    lea = make_beneficiary(17, first_name="Léa", email="lea@exemple.fr")
    tom = make_beneficiary(17, first_name="Tom", email="tom@exemple.fr")
    ines = make_beneficiary(17, first_name="Inès", email="ines@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        b1 = booking_services.booking_create(user=lea, offer=offer, session=session)
        b2 = booking_services.booking_create(user=tom, offer=offer, session=session)
        waitlist.waitlist_join(user=ines, offer=offer, session=session)
    mail.outbox.clear()
    return {
        "offer": offer,
        "session": session,
        "later": later,
        "bookings": [b1, b2],
        "people": [lea, tom, ines],
    }


def test_cancel_a_session_cancels_refunds_closes_the_line_and_tells_each_once(
    booked, member, django_capture_on_commit_callbacks
):
    session, (lea, tom, ines) = booked["session"], booked["people"]
    before = {u.pk: credit(u) for u in (lea, tom)}
    with django_capture_on_commit_callbacks(execute=True):
        done = cancellations.session_cancel(
            actor=member, session=session, reason="room", comment="Dégât des eaux"
        )
    assert (done.sessions, done.bookings, done.waiting) == (1, 2, 1)
    session.refresh_from_db()
    assert session.is_cancelled and session.cancelled_by == member
    assert (session.cancellation_reason, session.cancellation_comment) == ("room", "Dégât des eaux")
    assert session.sequence == 1
    assert (session.booked_count, session.held_count) == (0, 0)
    for b in Booking.objects.filter(session=session):
        assert b.status == BookingStatus.CANCELLED
        assert b.cancellation_reason == CancellationReason.VENUE
        assert b.cancellation_comment == "Salle indisponible — Dégât des eaux"
    assert {u.pk: credit(u) for u in (lea, tom)} == {k: v + 450 for k, v in before.items()}
    assert WaitlistEntry.objects.get(person=ines).status == WaitlistStatus.CLOSED
    # the other date is untouched and still bookable
    assert not Session.objects.get(pk=booked["later"].pk).is_cancelled
    # each person once: two bookings with the cancelling calendar file, one waiting without
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["lea@exemple.fr", "tom@exemple.fr", "ines@exemple.fr"]
    )
    lea_mail = next(m for m in mail.outbox if m.to == ["lea@exemple.fr"])
    when = datetime_fr(session.starts_at, tz=session.offer.venue.time_zone)
    assert lea_mail.subject == f"Séance annulée : Atelier BD du {when}"
    assert "est annulée par le lieu" in lea_mail.body
    from passlib.formats import session_time_fr

    tz = session.offer.venue.time_zone  # the body gives its end (issue 28, the duration)
    said = session_time_fr(session.starts_at, session.ends_at, weekday=True, tz=tz)
    assert f"La séance « Atelier BD » du {said} (" in lea_mail.body
    assert "Motif : Salle indisponible — Dégât des eaux" in lea_mail.body
    assert "Ton crédit de 4,50 € t'a été rendu." in lea_mail.body
    ((filename, content, mimetype),) = lea_mail.attachments
    assert filename.endswith(".ics")
    assert mimetype.startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(content)
    assert str(cal["METHOD"]) == "CANCEL"
    event = next(iter(cal.walk("VEVENT")))
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1
    ines_mail = next(m for m in mail.outbox if m.to == ["ines@exemple.fr"])
    assert "liste d'attente : elle est close" in ines_mail.body
    assert not ines_mail.attachments
    # history: the session on the offer, each booking's cancellation by the librarian
    assert (
        Transition.objects.filter(
            offer=booked["offer"], action=Action.SESSION_CANCELLED, actor=member
        ).count()
        == 1
    )
    assert (
        Transition.objects.filter(
            action=Action.CANCELLED, actor=member, reason=CancellationReason.VENUE
        ).count()
        == 2
    )


def test_the_calendar_file_has_the_same_uid_as_the_confirmation(booked, member):
    booking = booked["bookings"][0]
    first = icalendar.Calendar.from_ical(booking_ics(booking))
    cancellations.session_cancel(actor=member, session=booked["session"], reason="speaker")
    booking.refresh_from_db()
    then = icalendar.Calendar.from_ical(booking_ics(booking, cancelled=True))
    uid = lambda cal: str(next(iter(cal.walk("VEVENT")))["UID"])  # noqa: E731
    assert uid(first) == uid(then)


def test_cancelling_twice_is_answered_not_applied_twice(booked, member):
    session, lea = booked["session"], booked["people"][0]
    cancellations.session_cancel(actor=member, session=session, reason="room")
    after = credit(lea)
    mail.outbox.clear()
    with pytest.raises(Refusal, match="déjà annulée") as exc:
        cancellations.session_cancel(actor=member, session=session, reason="room")
    assert exc.value.code == "session.already_cancelled"
    assert credit(lea) == after
    assert Session.objects.get(pk=session.pk).sequence == 1
    assert Transition.objects.filter(action=Action.SESSION_CANCELLED).count() == 1


def test_a_validated_booking_refuses_the_whole_cancellation(booked, member):
    session = booked["session"]
    b1 = past_its_cancellation_deadline(booked["bookings"][0])
    booking_services.booking_validate(actor=member, booking=b1)
    with pytest.raises(Refusal) as exc:
        cancellations.session_cancel(actor=member, session=session, reason="room")
    assert exc.value.code == "session.has_validated"
    assert "1 contremarque validée" in exc.value.message
    assert "« Annuler la validation »" in exc.value.message
    session.refresh_from_db()
    assert not session.is_cancelled and session.booked_count == 2
    assert Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED).count() == 1
    # undone, the session may be cancelled
    booking_services.booking_unvalidate(actor=member, booking=b1)
    cancellations.session_cancel(actor=member, session=session, reason="room")
    assert not Booking.objects.filter(session=session).exclude(status="cancelled").exists()


def test_a_started_session_cannot_be_cancelled(space, member):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART")
    session = make_session(offer, days=1)
    Session.objects.filter(pk=session.pk).update(
        starts_at=session.starts_at.replace(year=2020),
        booking_limit_at=session.starts_at.replace(year=2020),
    )
    with pytest.raises(Refusal) as exc:
        cancellations.session_cancel(actor=member, session=session, reason="room")
    assert exc.value.code == "session.started"
    assert not Session.objects.get(pk=session.pk).is_cancelled


@pytest.mark.parametrize(
    "reason, comment, code",
    [
        ("nope", "", "session.cancel_reason"),
        ("", "", "session.cancel_reason"),
        ("room", "x" * 501, "session.cancel_comment"),
        ("room", "salle\x00", "session.cancel_comment"),
    ],
)
def test_hostile_reason_or_comment_is_refused_nothing_written(
    booked, member, reason, comment, code
):
    with pytest.raises(Refusal) as exc:
        cancellations.session_cancel(
            actor=member, session=booked["session"], reason=reason, comment=comment
        )
    assert exc.value.code == code
    assert not Session.objects.get(pk=booked["session"].pk).is_cancelled


def test_a_cancelled_session_can_no_longer_be_booked_joined_or_validated(booked, member):
    session = booked["session"]
    b1 = past_its_cancellation_deadline(booked["bookings"][0])
    cancellations.session_cancel(actor=member, session=session, reason="closure")
    newcomer = make_beneficiary(17)
    Session.objects.filter(pk=session.pk).update(total_places=10)
    with pytest.raises(Refusal) as exc:
        booking_services.booking_create(user=newcomer, offer=booked["offer"], session=session)
    assert exc.value.code == "booking.session_cancelled"
    with pytest.raises(Refusal) as exc:
        waitlist.waitlist_join(user=newcomer, offer=booked["offer"], session=session)
    assert exc.value.code == "waitlist.session_cancelled"
    with pytest.raises(Refusal) as exc:
        booking_services.booking_validate(actor=member, booking=b1)
    assert exc.value.code == "booking.session_cancelled"


def test_a_place_held_for_the_line_is_released_and_never_offered_again(
    booked, member, django_capture_on_commit_callbacks
):
    session, (lea, _tom, ines) = booked["session"], booked["people"]
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel_by_beneficiary(user=lea, booking=booked["bookings"][0])
    entry = WaitlistEntry.objects.get(person=ines)
    assert entry.status == WaitlistStatus.OFFERED
    cancellations.session_cancel(actor=member, session=session, reason="too_few")
    session.refresh_from_db()
    assert (session.booked_count, session.held_count) == (0, 0)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.CLOSED
    with pytest.raises(Refusal) as exc:
        waitlist.waitlist_confirm(user=ines, entry=entry)
    assert "close" in exc.value.message
    assert not Booking.objects.filter(beneficiary=ines).exists()


def test_cancel_an_offer_cancels_its_sessions_to_come_and_keeps_it_published(
    booked, member, django_capture_on_commit_callbacks
):
    offer = booked["offer"]
    past = make_session(offer, days=3)
    Session.objects.filter(pk=past.pk).update(
        starts_at=past.starts_at.replace(year=2020),
        booking_limit_at=past.starts_at.replace(year=2020),
    )
    with django_capture_on_commit_callbacks(execute=True):
        done = cancellations.offer_cancel(actor=member, offer=offer, reason="speaker")
    assert (done.sessions, done.bookings, done.waiting) == (2, 2, 1)
    assert Session.objects.filter(offer=offer, cancelled_at__isnull=False).count() == 2
    assert not Session.objects.get(pk=past.pk).is_cancelled
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED  # its page and the feeds say « Annulée »
    assert len(mail.outbox) == 3
    with pytest.raises(Refusal) as exc:
        cancellations.offer_cancel(actor=member, offer=offer, reason="speaker")
    assert exc.value.code == "offer.no_session_to_cancel"


def test_cancel_an_offer_is_all_or_nothing(booked, member):
    offer, later = booked["offer"], booked["later"]
    other = make_booking(offer, session=later, beneficiary=make_beneficiary(17))
    Booking.objects.filter(pk=other.pk).update(
        status=BookingStatus.VALIDATED, validated_at=timezone.now()
    )
    with pytest.raises(Refusal) as exc:
        cancellations.offer_cancel(actor=member, offer=offer, reason="speaker")
    assert exc.value.code == "session.has_validated"
    assert not Session.objects.filter(offer=offer, cancelled_at__isnull=False).exists()
    assert Booking.objects.filter(session=booked["session"], status="confirmed").count() == 2
    assert Offer_status(offer) == OfferStatus.PUBLISHED


def Offer_status(offer):
    offer.refresh_from_db()
    return offer.status
