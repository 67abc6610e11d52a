"""Validation at the guichet (SPEC §5): a code marked used, recording who and when,
only once the young person can no longer cancel (offers/rules.py `validation_opens_at`)
and never on a cancelled session; undone while not reimbursed. offers/services/
bookings.py names both functions."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from offers import history, rules
from offers.models import Action, Booking, BookingStatus, Session
from passlib.counts import counts_changed
from passlib.formats import datetime_fr
from passlib.refusal import Refusal


@transaction.atomic
def booking_validate(*, actor: User, booking: Booking) -> Booking:
    """Mark the code used at the guichet; records who and when. An event booking is
    validated only once the young person can no longer cancel it (offers/rules.py). The
    session's row is locked first: a cancellation of the whole session at the same
    instant either comes first (this is refused) or waits and finds it validated (it is
    refused: offers/services/cancellations.py)."""
    now = timezone.now()
    session = None
    if booking.session_id:
        # Its start and move read from the locked row: a move at the same instant comes
        # first (its new deadline applies) or waits (offers/services/moves.py).
        session = (
            Session.objects.select_for_update(of=("self",))
            .filter(pk=booking.session_id)
            .values("cancelled_at", "starts_at", "moved_at")
            .first()
        )
        if session["cancelled_at"] is not None:
            raise Refusal(
                "Cette séance a été annulée par le lieu : la contremarque ne peut pas être "
                "validée.",
                code="booking.session_cancelled",
            )
    opens = rules.validation_opens_at(
        booking.booked_at,
        session["starts_at"] if session else None,
        session["moved_at"] if session else None,
    )
    too_early = opens is not None and not rules.deadline_passed(opens, now)
    if too_early and Booking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMED).exists():
        raise Refusal(
            "Vous pourrez valider cette contremarque à partir du "
            f"{datetime_fr(opens, tz=booking.venue.time_zone)} : jusque-là, le jeune peut "
            "encore annuler.",
            code="booking.too_early",
        )
    updated = Booking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMED).update(
        status=BookingStatus.VALIDATED,
        validated_at=now,
        validated_by=actor,
        validated_auto=False,
        absent_at=None,
        absent_by=None,
    )
    if not updated:
        booking.refresh_from_db()
        if booking.status == BookingStatus.VALIDATED:
            raise Refusal(
                "Cette contremarque a déjà été validée.", code="booking.already_validated"
            )
        raise Refusal(
            f"Cette contremarque ne peut pas être validée (statut : "
            f"{booking.get_status_display().lower()}).",
            code="booking.wrong_status",
        )
    history.record_booking(
        booking,
        action=Action.VALIDATED,
        actor=actor,
        from_status=BookingStatus.CONFIRMED,
        to_status=BookingStatus.VALIDATED,
    )
    counts_changed()
    booking.refresh_from_db()
    return booking


@transaction.atomic
def booking_unvalidate(*, actor: User, booking: Booking) -> Booking:
    """Undo a validation while the booking is not reimbursed. The history keeps who had
    validated it, and when (the booking's own fields are cleared)."""
    before = (
        Booking.objects.select_for_update(of=("self",))
        .filter(pk=booking.pk)
        .values(
            "validated_at", "validated_auto", "validated_by__first_name", "validated_by__last_name"
        )
        .first()
    )
    updated = Booking.objects.filter(pk=booking.pk, status=BookingStatus.VALIDATED).update(
        status=BookingStatus.CONFIRMED,
        validated_at=None,
        validated_by=None,
        validated_auto=False,
    )
    if not updated:
        booking.refresh_from_db()
        if booking.status == BookingStatus.REIMBURSED:
            raise Refusal(
                "Cette réservation figure sur un relevé de remboursement : sa validation ne "
                "peut plus être annulée.",
                code="booking.reimbursed",
            )
        raise Refusal("Cette contremarque n'est pas validée.", code="booking.not_validated")
    history.record_booking(
        booking,
        action=Action.UNVALIDATED,
        actor=actor,
        from_status=BookingStatus.VALIDATED,
        to_status=BookingStatus.CONFIRMED,
        comment=_validation_note(before),
    )
    counts_changed()
    booking.refresh_from_db()
    return booking


def _validation_note(before: dict) -> str:
    """What the undone validation was: by whom (or automatic), and when."""
    when = datetime_fr(before["validated_at"])
    if before["validated_auto"]:
        return f"Validation automatique du {when} annulée."
    name = f"{before['validated_by__first_name'] or ''} {before['validated_by__last_name'] or ''}"
    return f"Validée le {when} par {name.strip() or 'un compte supprimé'}."
