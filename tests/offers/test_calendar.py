"""Calendar files (issue 16, the calendar part): a booking's .ics parses back (icalendar)
to the session's start in UTC and the venue's time zone, it comes with the confirmation
e-mail and from "Ajouter à mon agenda"; a venue's feed needs its token and stops working
once revoked or renewed."""

from __future__ import annotations

import re
from datetime import UTC

import pytest
from django.core import mail
from django.test import Client
from icalendar import Calendar

from offers.models import VenueCalendar
from offers.services import bookings as services
from tests.factories import VenueFactory, make_beneficiary, make_offer, make_session

pytestmark = pytest.mark.django_db


def _event(content: bytes):
    calendar = Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    return calendar, event


@pytest.fixture
def reunion(space):
    return VenueFactory(
        collectivite=space["collectivite"],
        name="Médiathèque François-Mitterrand",
        address="2 rue Jean Chatel",
        postal_code="97400",
        city="Saint-Denis",
        departement="974",
        time_zone="Indian/Reunion",
    )


def test_the_booking_ics_is_in_the_confirmation_and_parses_back(
    login, reunion, django_capture_on_commit_callbacks
):
    offer = make_offer(reunion, "ATELIER_PRATIQUE_ART", title="Atelier conte d'ici & d'ailleurs")
    session = make_session(offer, days=9)
    young = make_beneficiary(16, first_name="Chloé")
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(user=young, offer=offer, session=session)
    message = next(m for m in mail.outbox if m.to == [young.email])
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"reservation-{booking.code}.ics", "text/calendar")
    calendar, event = _event(content.encode() if isinstance(content, str) else content)
    start = event.decoded("dtstart")
    # iCalendar keeps seconds (a session typed in a form has none)
    assert start.astimezone(UTC) == session.starts_at.astimezone(UTC).replace(microsecond=0)
    assert str(start.tzinfo) == "Indian/Reunion" and start.utcoffset().total_seconds() == 4 * 3600
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Indian/Reunion"]
    assert str(event["summary"]) == "Atelier conte d'ici & d'ailleurs"
    assert "97400 Saint-Denis" in str(event["location"]) and booking.code in str(
        event["description"]
    )

    client = login(young)
    page = client.get("/jeunes/reservations/").content.decode()
    link = re.search(r'href="([^"]+agenda\.ics)">Ajouter à mon agenda', page).group(1)
    response = client.get(link)
    assert response["Content-Type"].startswith("text/calendar")
    assert _event(response.content)[1].decoded("dtstart") == start
    other = login(make_beneficiary(17))
    assert other.get(link).status_code == 404


def test_the_venue_feed_needs_its_token_and_stops_once_revoked(login, space, owner, outsider):
    venue = space["venue"]
    offer = make_offer(venue, "RENCONTRE", title="Club de lecture")
    sessions = [make_session(offer, days=d, total_places=12, quota=8) for d in (3, 10)]
    client = login(owner)
    page_url = f"/lieux/{venue.public_id}/agenda/"
    assert "Créer le lien d&#x27;agenda" in client.get(page_url).content.decode() or (
        "Créer le lien d'agenda" in client.get(page_url).content.decode()
    )
    client.post(page_url, {"action": "create"})
    feed = VenueCalendar.objects.get(venue=venue)
    url = f"/agenda/{feed.token}.ics"
    assert url in client.get(page_url).content.decode()

    anonymous = Client()  # a calendar app: no login, the URL is the key
    response = anonymous.get(url)
    calendar = Calendar.from_ical(response.content)
    starts = [e.decoded("dtstart").astimezone(UTC) for e in calendar.walk("VEVENT")]
    assert starts == [s.starts_at.astimezone(UTC).replace(microsecond=0) for s in sessions]
    assert "8 places restantes" in response.content.decode()
    assert anonymous.get("/agenda/pas-le-bon-jeton.ics").status_code == 404

    client.post(page_url, {"action": "renew"})
    assert anonymous.get(url).status_code == 404  # the old link no longer works
    renewed = VenueCalendar.objects.get(venue=venue)
    assert anonymous.get(f"/agenda/{renewed.token}.ics").status_code == 200
    client.post(page_url, {"action": "revoke"})
    assert anonymous.get(f"/agenda/{renewed.token}.ics").status_code == 404
    assert not VenueCalendar.objects.exists()
    # another collectivité's administrator cannot see or change this venue's feed
    assert login(outsider).get(page_url).status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_renewals_at_once_leave_one_feed(space, member):
    from offers.services.calendar import feed_renew
    from tests.threads import at_once

    venue = space["venue"]
    feeds, errors = at_once([lambda: feed_renew(actor=member, venue=venue)] * 4)
    assert errors == []
    (feed,) = VenueCalendar.objects.filter(venue=venue)
    assert feed.token in {f.token for f in feeds}
