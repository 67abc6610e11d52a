"""A session moved to a new date or time (SPEC §9, issue 28): the one place of what a
move does, called by offers/services/sessions.py (`session_update`, `series_update`)
inside their transaction, after the new starts are written.

- the session is marked moved (`moved_at`) and its calendar SEQUENCE raised, so a phone
  holding the event by its UID replaces it;
- the history keeps « ancienne date → nouvelle date » (in the venue's time zone);
- a validated booking goes back to « confirmée », as pass Culture does when an event's
  date changes: the young person has not come to the new date yet;
- the young person's cancellation deadline is recomputed by offers/rules.py
  (`cancellation_deadline_at` with `moved_at`): nothing is stored;
- the reminders: the move e-mail says until when one may cancel and carries the
  « Je ne viendrai pas » link, so it stands for the deadline reminder (stamped); the
  day-before reminder is for the new date (its stamp is cleared);
- every booked young person and every person on the waiting list (waiting or offered)
  of the moved sessions is e-mailed once per move, even when a series move touches
  several of their sessions, with the old and the new date and, when booked, the
  updated `.ics` (same UID, higher SEQUENCE) and the signed cancel link;
- a person registered through another channel who gave an address and agreed to be
  contacted is e-mailed the old and the new date (« vous »).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.urls import reverse

from accounts.models import User
from offers import history, rules
from offers.calendar import booking_ics
from offers.models import (
    Action,
    Booking,
    BookingStatus,
    Offer,
    Registration,
    RegistrationStatus,
    Session,
    WaitlistEntry,
    WaitlistStatus,
)
from offers.services.reminders import release_url
from passlib.emails import send_on_commit
from passlib.formats import datetime_fr

TOLD_WAITING = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


def moved_label(old_start: datetime, new_start: datetime, tz: str) -> str:
    """ "mercredi 10 juin 2026 à 15:00 → samedi 13 juin 2026 à 10:00", in the venue's
    time zone: what the history keeps of a move."""
    return (
        f"{datetime_fr(old_start, weekday=True, tz=tz)} → "
        f"{datetime_fr(new_start, weekday=True, tz=tz)}"
    )


def sessions_moved(
    *, actor: User, offer: Offer, old_starts: dict[int, datetime], now: datetime
) -> int:
    """Everything a move does (see the module), for the sessions of `old_starts`
    (session id → its start before the move) whose new start is already written. Returns
    how many people were e-mailed."""
    if not old_starts:
        return 0
    ids = sorted(old_starts)
    Session.objects.filter(pk__in=ids).update(moved_at=now, sequence=F("sequence") + 1)
    sessions = list(Session.objects.filter(pk__in=ids).select_related("offer__venue"))
    tz = offer.venue.time_zone
    history.record_many(
        [
            {
                "action": Action.SESSION_MOVED,
                "actor": actor,
                "venue_id": offer.venue_id,
                "offer": offer,
                "label": f"Séance du {datetime_fr(session.starts_at, tz=tz)}",
                "comment": moved_label(old_starts[session.pk], session.starts_at, tz),
            }
            for session in sorted(sessions, key=lambda s: s.starts_at)
        ]
    )
    _confirmed_again(actor=actor, session_ids=ids, tz=tz)
    Booking.objects.filter(session_id__in=ids, status=BookingStatus.CONFIRMED).update(
        reminded_at=now, day_before_reminded_at=None
    )
    return _tell(old_starts)


def _confirmed_again(*, actor: User, session_ids: list[int], tz: str) -> None:
    """Validated bookings of the moved sessions go back to « confirmée » (not those
    already reimbursed: the money is paid). The guarded UPDATE re-checks the status."""
    validated = list(
        Booking.objects.select_for_update(of=("self",))
        .filter(session_id__in=session_ids, status=BookingStatus.VALIDATED)
        .select_related("session")
        .order_by("id")
    )
    if not validated:
        return
    Booking.objects.filter(pk__in=[b.pk for b in validated], status=BookingStatus.VALIDATED).update(
        status=BookingStatus.CONFIRMED,
        validated_at=None,
        validated_by=None,
        validated_auto=False,
    )
    history.record_many(
        [
            {
                "action": Action.UNVALIDATED,
                "actor": actor,
                "venue_id": booking.venue_id,
                "offer_id": booking.offer_id,
                "booking": booking,
                "label": f"Contremarque {booking.code}",
                "from_status": BookingStatus.VALIDATED,
                "to_status": BookingStatus.CONFIRMED,
                "comment": (
                    f"Séance déplacée au {datetime_fr(booking.session.starts_at, tz=tz)} : "
                    "la réservation redevient confirmée."
                ),
            }
            for booking in validated
        ]
    )


def moved_item(*, old_start: datetime, booking: Booking | None = None, entry=None) -> dict:
    """What the e-mail says of one moved session for one person: the old and the new
    start and end, and for a booking its new cancellation deadline and the absolute
    « Je ne viendrai pas » link; for a place in line, the link to it."""
    session = booking.session if booking is not None else entry.session
    return {
        "offer": session.offer,
        "venue": session.offer.venue,
        "session": session,
        "old_start": old_start,
        "old_end": old_start + timedelta(minutes=session.duration),
        "booking": booking,
        "entry": entry,
        "deadline": rules.cancellation_deadline(booking) if booking is not None else None,
        "release_url": f"{settings.SITE_URL}{release_url(booking)}" if booking else "",
        "entry_url": (
            f"{settings.SITE_URL}{reverse('offers:waitlist_entry', args=[entry.public_id])}"
            if entry is not None
            else ""
        ),
    }


def _tell(old_starts: dict[int, datetime]) -> int:
    """One e-mail per person, whatever number of their sessions moved."""
    ids = sorted(old_starts)
    people: dict[int, dict] = defaultdict(lambda: {"items": [], "files": []})
    bookings = (
        Booking.objects.filter(session_id__in=ids, status=BookingStatus.CONFIRMED)
        .select_related("beneficiary", "offer", "venue", "session__offer__venue")
        .order_by("id")
    )
    for booking in bookings:
        told = people[booking.beneficiary_id]
        told["person"] = booking.beneficiary
        told["items"].append(moved_item(old_start=old_starts[booking.session_id], booking=booking))
        told["files"].append(
            (f"reservation-{booking.code}.ics", booking_ics(booking), "text/calendar")
        )
    entries = (
        WaitlistEntry.objects.filter(session_id__in=ids, status__in=TOLD_WAITING)
        .select_related("person", "session__offer__venue")
        .order_by("id")
    )
    for entry in entries:
        told = people[entry.person_id]
        told["person"] = entry.person
        told["items"].append(moved_item(old_start=old_starts[entry.session_id], entry=entry))
    for told in people.values():
        items = sorted(told["items"], key=lambda item: item["session"].starts_at)
        send_on_commit(
            to=[told["person"].email],
            template="session_moved",
            context={"person": told["person"], "items": items, "first": items[0]},
            attachments=told["files"],
        )
    return len(people) + _tell_registered(old_starts)


def _tell_registered(old_starts: dict[int, datetime]) -> int:
    """People registered through another channel (or waiting) who gave an address and
    agreed to be contacted for this session: one e-mail per registration, old and new
    date. The others are shown on the participants page, to be called."""
    registrations = (
        Registration.objects.filter(
            session_id__in=sorted(old_starts),
            status__in=(RegistrationStatus.REGISTERED, RegistrationStatus.WAITING),
            contact_consent=True,
        )
        .exclude(email="")
        .select_related("offer__venue", "session")
        .order_by("id")
    )
    told = 0
    for registration in registrations:
        send_on_commit(
            to=[registration.email],
            template="registration_session_moved",
            context={
                "registration": registration,
                "offer": registration.offer,
                "session": registration.session,
                "old_start": old_starts[registration.session_id],
            },
        )
        told += 1
    return told
