"""Calendar files (RFC 5545, the `icalendar` package): a young person's booking, and a
venue's private feed of its sessions. Times carry the venue's time zone (a VTIMEZONE is
added), so a phone shows 15:00 in Réunion as 15:00 there.

Every event has its end (DTEND, `Session.ends_at`), the session's
SEQUENCE (raised at each move or cancellation, so a calendar that holds the event by its
UID replaces it: RFC 5546 §2.1.4) and its STATUS (CONFIRMED or CANCELLED). A booking's
file is a REQUEST-free PUBLISH, or a CANCEL once the session or the booking is
cancelled (RFC 5546 §3.2.5)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from offers.models import Booking, Session
from offers.rules import SessionState, session_status
from passlib.formats import count_fr

PRODID = "-//passlib//Bibliothèques et pass Culture//FR"
FEED_PAST = timedelta(days=365)  # a venue's feed: a year back and what is to come


def finished(cal: Calendar) -> bytes:
    """The file's bytes, with a VTIMEZONE for each zone used. `icalendar` writes an
    English COMMENT in each (« This timezone only works from 1970-01-01 to
    2038-01-01 ») that a calendar application may show: dropped (optional, RFC 5545
    §3.6.5), the zone's rules kept."""
    cal.add_missing_timezones()
    for zone in cal.walk("VTIMEZONE"):
        zone.pop("COMMENT", None)
    return cal.to_ical()


def new_calendar(name: str, *, method: str = "PUBLISH") -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", name)
    return cal


# STATUS:CANCELLED is not drawn by every calendar application (a subscribed feed's
# cancelled event often looks like any other), and iCalendar has no « full »: the
# feeds' SUMMARY says both in words.
_SUMMARY_PREFIX = {SessionState.CANCELLED: "Annulé : ", SessionState.FULL: "Complet : "}


def session_summary(session: Session, title: str) -> str:
    """A feed event's title: the offer's, « Annulé : … » or « Complet : … » before it
    when the session is (`offers/rules.py` `session_status`)."""
    return _SUMMARY_PREFIX.get(session_status(session), "") + title


def address_of(venue) -> str:
    return f"{venue.display_name}, {venue.address}, {venue.postal_code} {venue.city}"


def session_event(
    *,
    uid: str,
    session: Session,
    tz: str,
    summary: str,
    location: str,
    description: str,
    cancelled: bool | None = None,
) -> Event:
    """One session as a VEVENT: start and end in the venue's zone, its SEQUENCE, and
    CANCELLED when the session is (or `cancelled` says so: a booking cancelled)."""
    zone = ZoneInfo(tz)
    if cancelled is None:
        cancelled = session.cancelled_at is not None
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(session.starts_at, zone))
    event.add("dtend", timezone.localtime(session.ends_at, zone))
    event.add("sequence", session.sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("summary", summary)
    event.add("location", location)
    event.add("description", description)
    return event


def booking_ics(booking: Booking, *, cancelled: bool = False) -> bytes:
    """The young person's booking of a session, with its code and where to go; with
    `cancelled` (or the session cancelled), the file that removes it from their
    calendar (same UID, METHOD:CANCEL, STATUS:CANCELLED)."""
    venue, session = booking.venue, booking.session
    cancelled = cancelled or session.cancelled_at is not None
    cal = new_calendar(booking.offer.title, method="CANCEL" if cancelled else "PUBLISH")
    cal.add_component(
        session_event(
            uid=f"reservation-{booking.public_id}@passlib",
            session=session,
            cancelled=cancelled,
            tz=venue.time_zone,
            summary=booking.offer.title,
            location=address_of(venue),
            description=_booking_description(booking, cancelled),
        )
    )
    return finished(cal)


def _booking_description(booking: Booking, cancelled: bool) -> str:
    """What the young person reads in the event: the code to show, or, once cancelled,
    that there is nothing to show any more."""
    mine = f"{settings.SITE_URL}/jeunes/reservations/"
    if not cancelled:
        return (
            f"Contremarque {booking.code} : présente-la au guichet avec ta pièce d'identité. {mine}"
        )
    refund = " et ton crédit rendu" if booking.price_cents else ""
    return (
        f"Séance annulée par le lieu. Ta réservation (contremarque {booking.code}) est "
        f"annulée{refund} : tu n'as rien à faire. {mine}"
    )


def venue_feed_ics(venue, sessions: Iterable[Session]) -> bytes:
    """A venue's sessions (a year back and to come), with places booked and left."""
    cal = new_calendar(f"Séances — {venue.display_name}")
    for session in sessions:
        left = session.remaining
        places = (
            "places illimitées"
            if left is None
            else count_fr(left, "place restante", "places restantes")
        )
        cal.add_component(
            session_event(
                uid=f"seance-{session.public_id}@passlib",
                session=session,
                tz=venue.time_zone,
                summary=session_summary(session, session.offer.title),
                location=address_of(venue),
                description=f"{count_fr(session.booked_count, 'réservation')}, {places}.",
            )
        )
    return finished(cal)
