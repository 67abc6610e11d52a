"""Attendance marked by the venue on a session's participants page: « Absent » (a
no-show). « Présent » is a validation, as at the guichet (offers/services/bookings.py
`booking_validate`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from offers import history, rules
from offers.models import Action, Booking, BookingStatus
from passlib.formats import datetime_fr
from passlib.refusal import Refusal


@transaction.atomic
def booking_mark_absent(*, actor: User, booking: Booking) -> Booking:
    """The venue says the young person did not come (a no-show): only once the session
    has started (offers/rules.py `absence_open`: before, they may still come or cancel);
    the booking stays confirmed, is never validated automatically, and the history says
    who marked it."""
    now = timezone.now()
    starts_at = booking.session.starts_at if booking.session_id else None
    if not rules.absence_open(starts_at, now):
        if starts_at is None:
            raise Refusal(
                "Seule la réservation d'une séance peut être marquée absente.",
                code="booking.absent_no_session",
            )
        when = datetime_fr(starts_at, tz=booking.venue.time_zone)
        raise Refusal(
            "Vous pourrez marquer ce jeune absent à partir du début de la séance, le "
            f"{when} : jusque-là, il peut encore venir ou annuler.",
            code="booking.absent_too_early",
        )
    # the same rule in SQL (absence_opens_at: the session's start), as the guard
    updated = Booking.objects.filter(
        pk=booking.pk,
        status=BookingStatus.CONFIRMED,
        absent_at__isnull=True,
        session__starts_at__lte=now,
    ).update(absent_at=now, absent_by=actor)
    booking.refresh_from_db()
    if not updated:
        if booking.absent_at is not None and booking.status == BookingStatus.CONFIRMED:
            return booking  # already marked: nothing to do twice
        raise Refusal(
            f"Cette réservation ne peut pas être marquée absente (statut : "
            f"{booking.get_status_display().lower()}).",
            code="booking.wrong_status",
        )
    history.record_booking(
        booking,
        action=Action.MARKED_ABSENT,
        actor=actor,
        from_status=BookingStatus.CONFIRMED,
        to_status=BookingStatus.CONFIRMED,
    )
    return booking
