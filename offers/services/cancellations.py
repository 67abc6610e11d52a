"""The venue cancels a session, or every session to come of an offer (issue 28, SPEC §9).

Rules (docs/bookings.md « Annuler une séance »):
- a reason from the short list (`SessionCancelReason`) and a free text (500
  characters) passed on to the participants, optional except with « Autre motif »;
- only a session to come: one that started can no longer be cancelled;
- never a validated (or reimbursed) booking cancelled: a session that has some is
  refused as a whole, with how many and how to undo it (« Annuler la validation »);
- in one transaction, the session's row locked first (as every booking, validation and
  waiting-list change does): the session is stamped (who, when, why) and its SEQUENCE
  raised; every confirmed booking is cancelled « Annulée par le lieu », its place freed
  and its credit refunded (offers/services/bookings.py `cancel_confirmed_set`, the one
  rule); the waiting list is closed, its held places released and never offered again
  (offers/services/holds.py skips a cancelled session);
- each young person is e-mailed once, with a calendar file that cancels the event
  (same UID, higher SEQUENCE, METHOD:CANCEL), each person waiting once;
- cancelling twice is answered (« déjà annulée »), not applied twice.

Cancelling an offer cancels each of its sessions to come by the same rule, all or
nothing; the offer stays published so that its page and the public feeds say
« Annulée » (docs/decisions.md, issue 28).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from offers import history
from offers.models import (
    Action,
    Booking,
    BookingStatus,
    CancellationReason,
    Channel,
    Offer,
    Registration,
    RegistrationStatus,
    Session,
    SessionCancelReason,
    WaitlistEntry,
    WaitlistStatus,
)
from offers.services import bookings, next_sessions, registrations
from passlib.counts import counts_changed
from passlib.emails import send_on_commit
from passlib.formats import count_fr, datetime_fr
from passlib.refusal import Refusal
from passlib.text import clean_text

COMMENT_MAX = 500


@dataclass(frozen=True)
class Cancelled:
    """What a cancellation did: sessions cancelled, bookings cancelled (and refunded),
    people on the waiting lists told."""

    sessions: int
    bookings: int
    waiting: int


def clean_reason(reason: str, comment: str) -> tuple[str, str]:
    """The reason must be one of the list; the free text, one paragraph of printable
    characters, at most 500, required with « Autre motif ». Refused with the field's
    French message."""
    if reason not in SessionCancelReason.values:
        raise Refusal("Choisissez un motif dans la liste.", code="session.cancel_reason")
    text = clean_text(comment or "")
    if "\x00" in (comment or "") or len(text) > COMMENT_MAX:
        raise Refusal(
            f"Les précisions tiennent en {COMMENT_MAX} caractères au plus, sans caractère "
            "de contrôle.",
            code="session.cancel_comment",
        )
    if reason == SessionCancelReason.OTHER and not text.strip():
        # « Autre motif » alone tells the participants nothing.
        raise Refusal(
            "Avec « Autre motif », dites en quelques mots pourquoi la séance est annulée : "
            "ces précisions sont transmises aux participants.",
            code="session.cancel_comment",
        )
    return reason, text


def booking_comment(reason: str, comment: str) -> str:
    """What the booking keeps and the young person reads: the reason's label, then the
    free text (« Salle indisponible — dégât des eaux »)."""
    label = SessionCancelReason(reason).label
    return f"{label} — {comment}" if comment else label


def impact(sessions) -> dict:
    """What the confirmation page says will happen: bookings cancelled and refunded,
    people waiting told, validated bookings that stop it. One query."""
    rows = Booking.objects.filter(session__in=sessions).values_list("status", flat=True)
    statuses = list(rows)
    return {
        "confirmed": statuses.count(BookingStatus.CONFIRMED),
        "validated": sum(
            s in (BookingStatus.VALIDATED, BookingStatus.REIMBURSED) for s in statuses
        ),
        "waiting": WaitlistEntry.objects.filter(
            session__in=sessions, status__in=(WaitlistStatus.WAITING, WaitlistStatus.OFFERED)
        ).count(),
        # Registered from other channels (or waiting): cancelled too, to be told.
        "others": Registration.objects.filter(
            session__in=sessions,
            status__in=(RegistrationStatus.REGISTERED, RegistrationStatus.WAITING),
        )
        .exclude(channel=Channel.WALK_IN)
        .count(),
    }


def _locked(session_ids: list[int]) -> list[Session]:
    """The sessions' rows, locked in id order (two cancellations never deadlock)."""
    return list(
        Session.objects.select_for_update(of=("self",))
        .select_related("offer__venue")
        .filter(pk__in=session_ids)
        .order_by("pk")
    )


def _check_cancellable(sessions: list[Session], now) -> None:
    """Refused as a whole: a session already cancelled, started, or with a validated
    booking (never cancelled: SPEC §9)."""
    tz = sessions[0].offer.venue.time_zone
    for s in sessions:
        when = datetime_fr(s.starts_at, tz=tz)
        if s.cancelled_at is not None:
            raise Refusal(
                f"La séance du {when} est déjà annulée (le "
                f"{datetime_fr(s.cancelled_at, tz=tz)}) : rien n'a été refait.",
                code="session.already_cancelled",
            )
        if s.starts_at <= now:
            raise Refusal(
                f"La séance du {when} a déjà commencé : elle ne peut plus être annulée.",
                code="session.started",
            )
    validated = (
        Booking.objects.filter(
            session__in=sessions,
            status__in=(BookingStatus.VALIDATED, BookingStatus.REIMBURSED),
        )
        .values_list("session__starts_at", flat=True)
        .order_by("session__starts_at")
    )
    starts = list(validated)
    if starts:
        raise Refusal(
            f"La séance du {datetime_fr(starts[0], tz=tz)} a "
            f"{count_fr(len(starts), 'contremarque validée', 'contremarques validées')} : une "
            "réservation validée n'est jamais annulée. Si ces jeunes ne sont pas venus, "
            "ouvrez les participants de la séance ou le guichet et cliquez « Annuler la "
            "validation » pour chacune, puis annulez la séance. Rien n'a été annulé.",
            code="session.has_validated",
        )


def _cancel_locked(
    sessions: list[Session], *, actor: User, reason: str, comment: str, now
) -> Cancelled:
    """Cancel the locked sessions (checked): see the module docstring."""
    ids = [s.pk for s in sessions]
    Session.objects.filter(pk__in=ids, cancelled_at__isnull=True).update(
        cancelled_at=now,
        cancelled_by=actor,
        cancellation_reason=reason,
        cancellation_comment=comment,
        sequence=F("sequence") + 1,
    )
    said = booking_comment(reason, comment)
    rows = bookings.cancel_confirmed_set(
        Booking.objects.filter(session_id__in=ids),
        actor=actor,
        reason=CancellationReason.VENUE,
        comment=said,
        now=now,
    )
    waiting = list(
        WaitlistEntry.objects.select_for_update(of=("self",))
        .filter(session_id__in=ids, status__in=(WaitlistStatus.WAITING, WaitlistStatus.OFFERED))
        .select_related("person", "offer__venue", "session")
        .order_by("pk")
    )
    WaitlistEntry.objects.filter(pk__in=[e.pk for e in waiting]).update(
        status=WaitlistStatus.CLOSED, ended_at=now
    )
    # Places held for the line are released with it (never offered again: cancelled).
    Session.objects.filter(pk__in=ids).update(held_count=0)
    registrations.close_for_cancelled_sessions(ids, said=said, now=now)
    next_sessions.next_sessions_changed(s.offer_id for s in sessions)
    for s in sessions:
        cancelled = sum(r["session_id"] == s.pk for r in rows)
        history.record_offer(
            s.offer,
            Action.SESSION_CANCELLED,
            actor,
            label=f"Séance du {datetime_fr(s.starts_at, tz=s.offer.venue.time_zone)}",
            comment=f"{said} — "
            + count_fr(cancelled, "réservation annulée", "réservations annulées"),
        )
    for booking in Booking.objects.filter(id__in=[r["id"] for r in rows]).select_related(
        "offer__venue", "venue", "beneficiary", "session__offer"
    ):
        send_on_commit(
            to=[booking.beneficiary.email],
            template="session_cancelled",
            context={"booking": booking, "session": booking.session, "said": said},
            attachments=bookings.cancelling_calendar(booking),
        )
    for entry in waiting:
        entry.status = WaitlistStatus.CLOSED
        send_on_commit(
            to=[entry.person.email],
            template="session_cancelled",
            context={"entry": entry, "session": entry.session, "said": said},
        )
    counts_changed()
    return Cancelled(sessions=len(sessions), bookings=len(rows), waiting=len(waiting))


@transaction.atomic
def session_cancel(*, actor: User, session: Session, reason: str, comment: str = "") -> Cancelled:
    """Cancel one session to come: see the module docstring."""
    reason, comment = clean_reason(reason, comment)
    now = timezone.now()
    locked = _locked([session.pk])
    _check_cancellable(locked, now)
    return _cancel_locked(locked, actor=actor, reason=reason, comment=comment, now=now)


def sessions_to_come(offer: Offer, now):
    """The offer's sessions an offer-wide cancellation concerns: not started, not
    cancelled."""
    return Session.objects.filter(offer=offer, starts_at__gt=now, cancelled_at__isnull=True)


@transaction.atomic
def offer_cancel(*, actor: User, offer: Offer, reason: str, comment: str = "") -> Cancelled:
    """Cancel every session to come of an event offer, all or nothing (a validated
    booking on any of them refuses the whole). The offer stays published: its page and
    the public programme feeds keep its dates marked « Annulée » / cancelled, so a city
    agenda that copied them learns it (`policy.offers_in_programme`); with nothing open
    left, nobody can book it, and the librarian's list shows it expired."""
    reason, comment = clean_reason(reason, comment)
    if not offer.is_event:
        raise Refusal("Seules les séances d'un événement s'annulent.", code="offer.not_event")
    now = timezone.now()
    Offer.objects.select_for_update().filter(pk=offer.pk).first()  # one at a time
    locked = _locked(list(sessions_to_come(offer, now).values_list("pk", flat=True)))
    if not locked:
        raise Refusal(
            "Cette offre n'a aucune séance à venir à annuler.", code="offer.no_session_to_cancel"
        )
    _check_cancellable(locked, now)
    return _cancel_locked(locked, actor=actor, reason=reason, comment=comment, now=now)
