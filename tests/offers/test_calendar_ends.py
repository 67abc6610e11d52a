"""Every calendar file says when the session ends (issue 28): DTEND = DTSTART + the
session's length — its own, else its offer's, else its subcategory's usual one — at the
venue's wall time (Paris and La Réunion), in the booking's file (the e-mail's attachment
and « Ajouter à mon agenda »), the venue's private feed and the public programme."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from offers.models import Session
from offers.services import bookings as booking_services
from offers.services.calendar import feed_renew
from tests.factories import VenueFactory, make_beneficiary, make_offer

pytestmark = pytest.mark.django_db


def _wall(tz: str, hour: int, days: int = 12) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=ZoneInfo(tz))


def _session(offer, start, minutes=None):
    return Session.objects.create(
        offer=offer, starts_at=start, booking_limit_at=start, duration_minutes=minutes
    )


@pytest.fixture
def sessions(space):
    """Three sessions, three ways to know their length."""
    reunion = VenueFactory(
        collectivite=space["collectivite"],
        name="Médiathèque de Saint-Denis",
        postal_code="97400",
        city="Saint-Denis",
        departement="974",
        time_zone="Indian/Reunion",
    )
    film = make_offer(reunion, "SEANCE_CINE", title="Ciné-club")  # usual: 2 h
    talk = make_offer(reunion, "RENCONTRE", title="Rencontre", duration_minutes=75)
    workshop = make_offer(
        space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier", duration_minutes=60
    )
    return {
        # name: (session, venue's zone, wall time it starts, wall time it ends)
        "subcategory": (_session(film, _wall("Indian/Reunion", 18)), "Indian/Reunion", 18, (20, 0)),
        "offer": (_session(talk, _wall("Indian/Reunion", 10)), "Indian/Reunion", 10, (11, 15)),
        "own": (_session(workshop, _wall("Europe/Paris", 23), 40), "Europe/Paris", 23, (23, 40)),
    }


def _events(content) -> dict:
    content = content.encode() if isinstance(content, str) else content
    return {str(e["SUMMARY"]): e for e in Calendar.from_ical(content).walk("VEVENT")}


def _check(event, session, tz, hour, end):
    start, finish = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == session.starts_at and start.tzinfo.key == tz and start.hour == hour
    assert finish - start == timedelta(minutes=session.duration)
    assert finish.tzinfo.key == tz and (finish.hour, finish.minute) == end


def test_the_bookings_file_in_the_email_and_from_the_page_ends_right(
    sessions, login, django_capture_on_commit_callbacks
):
    for session, tz, hour, end in sessions.values():
        young = make_beneficiary(17)
        with django_capture_on_commit_callbacks(execute=True):
            booking = booking_services.booking_create(
                user=young, offer=session.offer, session=session
            )
        message = next(m for m in mail.outbox if m.to == [young.email])
        [(_, content, _)] = message.attachments
        [event] = _events(content).values()
        _check(event, session, tz, hour, end)
        download = login(young).get(reverse("offers:booking_calendar", args=[booking.public_id]))
        [event] = _events(download.content).values()
        _check(event, session, tz, hour, end)


def test_the_venues_private_feed_ends_right(sessions, owner):
    for session, tz, hour, end in sessions.values():
        feed = feed_renew(actor=owner, venue=session.offer.venue)
        events = _events(Client().get(f"/agenda/{feed.token}.ics").content)
        _check(events[session.offer.title], session, tz, hour, end)


def test_the_public_programme_ends_right(client, space, sessions):
    url = reverse("offers:programme", args=["collectivite", space["collectivite"].public_id, "ics"])
    events = _events(client.get(url).content)
    assert set(events) == {"Ciné-club", "Rencontre", "Atelier"}
    for session, tz, hour, end in sessions.values():
        _check(events[session.offer.title], session, tz, hour, end)
