"""Requests and bookings of collective offers: the school's side and the lifecycle.

Rules (SPEC §6):
- teachers see published offers whose intervention area covers their school's
  département (and, when targeted, only their school), of validated venues
  (offers/rules.py: visible_to_school; offers/policy.py);
- lifecycle: publiée → préréservée (a teacher pre-books) → réservée (the school
  confirms) → terminée (automatically 48 h after the end) → remboursée;
- a bookable offer takes one booking: the offer row is locked while pre-booking and a
  partial unique index backs it;
- the school cancels until 30 days before the start; the venue until terminée, with a
  reason; every step emails the other party and is written in the history.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Teacher, User
from accounts.policy import teacher_of as teacher_record
from offers import history, policy, rules
from offers.models import (
    Action,
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
    CollectiveRequest,
    CollectiveShowcase,
    Transition,
)
from offers.models.collective import CollectiveCancellationReason
from passlib.counts import counts_changed
from passlib.emails import send_on_commit
from passlib.refusal import Refusal

END_DELAY = timedelta(hours=48)
END_LOCK = 0x70A55_0006


def teacher_of(user: User) -> Teacher:
    """The acting teacher, or a refusal (services are also called outside views)."""
    teacher = teacher_record(user)
    if teacher is None:
        raise Refusal("Cette action est réservée aux enseignants.", code="collective.teachers_only")
    return teacher


def _log(booking: CollectiveBooking, action: Action, actor, from_status: str, to_status: str, **kw):
    history.record_collective_booking(
        booking, action=action, actor=actor, from_status=from_status, to_status=to_status, **kw
    )


def _venue_contacts(obj) -> list[str]:
    return [obj.contact_email, obj.venue.booking_email]


@transaction.atomic
def request_create(
    *,
    user: User,
    showcase: CollectiveShowcase,
    message: str,
    students: int,
    preferred_dates: str = "",
) -> CollectiveRequest:
    """A teacher asks the venue, through a showcase, for an offer for their class."""
    teacher = teacher_of(user)
    policy.check_visible_to_school(showcase, teacher.school)
    errors = {}
    if not message.strip():
        errors["message"] = "Décrivez votre projet en quelques mots."
    if students < 1:
        errors["students"] = "Indiquez au moins un élève."
    if errors:
        raise ValidationError(errors)
    req = CollectiveRequest.objects.create(
        showcase=showcase,
        teacher=user,
        school=teacher.school,
        message=message.strip(),
        students=students,
        preferred_dates=preferred_dates.strip(),
    )
    send_on_commit(
        to=_venue_contacts(showcase),
        template="collective_request",
        context={"request": req, "showcase": showcase},
    )
    return req


@transaction.atomic
def prebook(*, user: User, offer: CollectiveOffer) -> CollectiveBooking:
    """Pre-book for the teacher's school; the offer row is locked: one booking only."""
    teacher = teacher_of(user)
    offer = (
        CollectiveOffer.objects.select_for_update(of=("self",))
        .select_related("venue__collectivite")
        .get(pk=offer.pk)
    )
    policy.check_visible_to_school(offer, teacher.school)
    if offer.school_id and offer.school_id != teacher.school_id:
        raise Refusal(
            "Cette offre est réservée à un autre établissement.", code="collective.other_school"
        )
    if offer.booking_limit_at <= timezone.now():
        raise Refusal("La date limite de réservation est passée.", code="collective.limit_passed")
    if rules.active_collective_bookings().filter(offer=offer).exists():
        raise Refusal(
            "Cette offre vient d'être réservée par un autre établissement.",
            code="collective.already_booked",
        )
    try:
        with transaction.atomic():
            booking = CollectiveBooking.objects.create(
                offer=offer,
                venue=offer.venue,
                school=teacher.school,
                teacher=user,
            )
    except IntegrityError:
        raise Refusal(
            "Cette offre vient d'être réservée par un autre établissement.",
            code="collective.already_booked",
        ) from None
    _log(booking, Action.COLLECTIVE_PREBOOKED, user, "", CollectiveBookingStatus.PREBOOKED)
    counts_changed()
    send_on_commit(
        to=_venue_contacts(offer),
        template="collective_booking_step",
        context={"booking": booking, "step": "prebooked"},
    )
    return booking


def _same_school(user: User, booking: CollectiveBooking) -> Teacher:
    teacher = teacher_of(user)
    if teacher.school_id != booking.school_id:
        raise Refusal("Réservation introuvable.", code="collective.not_found")
    return teacher


@transaction.atomic
def confirm(*, user: User, booking: CollectiveBooking) -> CollectiveBooking:
    """The school confirms a pre-booking: préréservée → réservée."""
    _same_school(user, booking)
    updated = CollectiveBooking.objects.filter(
        pk=booking.pk, status=CollectiveBookingStatus.PREBOOKED
    ).update(status=CollectiveBookingStatus.BOOKED, confirmed_at=timezone.now(), confirmed_by=user)
    if not updated:
        raise Refusal(
            "Seule une préréservation peut être confirmée.", code="collective.not_prebooked"
        )
    booking.refresh_from_db()
    _log(
        booking,
        Action.COLLECTIVE_CONFIRMED,
        user,
        CollectiveBookingStatus.PREBOOKED,
        CollectiveBookingStatus.BOOKED,
    )
    counts_changed()
    send_on_commit(
        to=_venue_contacts(booking.offer),
        template="collective_booking_step",
        context={"booking": booking, "step": "booked"},
    )
    return booking


def _cancel(booking: CollectiveBooking, *, actor: User, reason: str, comment: str):
    before = booking.status
    updated = CollectiveBooking.objects.filter(
        pk=booking.pk,
        status__in=[CollectiveBookingStatus.PREBOOKED, CollectiveBookingStatus.BOOKED],
    ).update(
        status=CollectiveBookingStatus.CANCELLED,
        cancelled_at=timezone.now(),
        cancelled_by=actor,
        cancellation_reason=reason,
        cancellation_comment=comment,
    )
    if not updated:
        booking.refresh_from_db()
        if booking.status == CollectiveBookingStatus.REIMBURSED:
            raise Refusal(
                "Cette réservation figure sur un relevé de remboursement : elle ne peut plus "
                "être annulée.",
                code="collective.reimbursed",
            )
        raise Refusal(
            f"Cette réservation ne peut plus être annulée (statut : "
            f"{booking.get_status_display().lower()}).",
            code="collective.wrong_status",
        )
    booking.refresh_from_db()
    _log(
        booking,
        Action.COLLECTIVE_CANCELLED,
        actor,
        before,
        CollectiveBookingStatus.CANCELLED,
        reason=reason,
        comment=comment,
    )
    counts_changed()
    return booking


@transaction.atomic
def cancel_by_school(
    *, user: User, booking: CollectiveBooking, comment: str = ""
) -> CollectiveBooking:
    """The school cancels until 30 days before the start (offers/rules.py
    `school_may_cancel`); the venue and the teacher who pre-booked are e-mailed."""
    _same_school(user, booking)
    if not rules.school_may_cancel(booking.offer.starts_at, timezone.now()):
        raise Refusal(
            "L'établissement peut annuler jusqu'à 30 jours avant le début : contactez le lieu.",
            code="collective.school_notice_passed",
        )
    booking = _cancel(
        booking, actor=user, reason=CollectiveCancellationReason.SCHOOL, comment=comment.strip()
    )
    send_on_commit(
        to=_venue_contacts(booking.offer),
        template="collective_booking_step",
        context={"booking": booking, "step": "cancelled_by_school"},
    )
    send_on_commit(  # the teacher who pre-booked learns it, even when a colleague cancels
        to=[booking.teacher.email, user.email],
        template="collective_booking_step",
        context={"booking": booking, "step": "school_cancelled"},
    )
    return booking


@transaction.atomic
def cancel_by_venue(*, actor: User, booking: CollectiveBooking, comment: str) -> CollectiveBooking:
    """The venue cancels until the booking is terminée, with a reason for the school."""
    if not comment.strip():
        raise Refusal(
            "Indiquez le motif de l'annulation : il sera transmis à l'établissement.",
            code="collective.reason_required",
        )
    booking = _cancel(
        booking, actor=actor, reason=CollectiveCancellationReason.VENUE, comment=comment.strip()
    )
    send_on_commit(
        to=[booking.teacher.email],
        template="collective_booking_step",
        context={"booking": booking, "step": "cancelled_by_venue"},
    )
    return booking


def end_due_collective_bookings(*, now: datetime | None = None) -> int:
    """Réservée bookings whose offer ended 48 h ago become terminée (idempotent).

    The UPDATE keeps `status = 'booked'` in its own WHERE clause (re-checked by
    PostgreSQL after a concurrent writer) and runs under an advisory lock, so two
    concurrent runs end each booking once.
    """
    now = now or timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [END_LOCK])
        # Strictly after 48 h, as in the scheme: at 48 h exactly it is still réservée.
        due = CollectiveOffer.objects.filter(ends_at__lt=now - END_DELAY).values("pk")
        ending = list(
            CollectiveBooking.objects.select_for_update(of=("self",))
            .filter(status=CollectiveBookingStatus.BOOKED, offer__in=due)
            .select_related("offer")
        )
        ended = CollectiveBooking.objects.filter(
            pk__in=[b.pk for b in ending], status=CollectiveBookingStatus.BOOKED
        ).update(status=CollectiveBookingStatus.ENDED, ended_at=now)
        Transition.objects.bulk_create(
            Transition(
                action=Action.COLLECTIVE_ENDED,
                created_at=now,
                venue_id=b.venue_id,
                label=f"Réservation collective — {b.offer.title}",
                from_status=CollectiveBookingStatus.BOOKED,
                to_status=CollectiveBookingStatus.ENDED,
                collective_offer_id=b.offer_id,
                collective_booking=b,
            )
            for b in ending
        )
        if ended:
            counts_changed()
        return ended
