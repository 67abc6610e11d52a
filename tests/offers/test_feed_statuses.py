"""The feeds when the programme changes (issue 28, « Must show » 4): each session of the
public JSON carries its status and real end, each event OpenAgenda's `age`, and the
document validates against docs/feeds.schema.json for every status; every iCal event of
the public programme and of a venue's private feed has its DTEND in the venue's time
zone, a SEQUENCE and a STATUS; a session's statuses follow its life in both feeds
(scheduled → full → scheduled → rescheduled → cancelled); a full or cancelled session
is marked, never dropped; the queries stay bounded."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from jsonschema import Draft202012Validator

from offers.models import Session, SessionCancelReason, VenueCalendar
from offers.services import bookings
from tests.factories import VenueFactory, make_beneficiary, make_booking, make_offer, make_session

pytestmark = pytest.mark.django_db
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "feeds.schema.json").read_text()
)
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _url(kind, obj, fmt):
    return reverse("offers:programme", args=[kind, obj.public_id, fmt])


def _json(client, collectivite) -> dict:
    response = client.get(_url("collectivite", collectivite, "json"))
    assert response.status_code == 200
    document = json.loads(response.content)
    VALIDATOR.validate(document)
    return document


def _events(content: bytes) -> list:
    return Calendar.from_ical(content).walk("VEVENT")


def _venue_feed(venue) -> str:
    feed = VenueCalendar.objects.get_or_create(venue=venue)[0]
    return f"/agenda/{feed.token}.ics"


def _move(session, days: int) -> None:
    """What the move service will write (branch i28-move): new start, moved_at, SEQUENCE+1."""
    start = timezone.now() + timedelta(days=days)
    Session.objects.filter(pk=session.pk).update(
        starts_at=start, booking_limit_at=start, moved_at=timezone.now(), sequence=F("sequence") + 1
    )


def _cancel(session) -> None:
    """What the cancel service will write (branch i28-cancel)."""
    Session.objects.filter(pk=session.pk).update(
        cancelled_at=timezone.now(),
        cancellation_reason=SessionCancelReason.SPEAKER,
        sequence=F("sequence") + 1,
    )


@pytest.fixture
def changes(space):
    """An offer with a session of each status, one cancelled for good, one full."""
    venue = space["venue"]
    club = make_offer(venue, "RENCONTRE", title="Club de lecture", age_min=16, age_max=17)
    scheduled = make_session(club, days=3, total_places=12)
    moved = make_session(club, days=4, total_places=12)
    _move(moved, days=6)
    full = make_session(club, days=5, total_places=2, booked=2)
    cancelled = make_session(club, days=8, total_places=12)
    _cancel(cancelled)
    only_cancelled = make_offer(venue, "RENCONTRE", title="Rencontre avec l'autrice")
    _cancel(make_session(only_cancelled, days=9, total_places=20))
    only_full = make_offer(
        venue, "ATELIER_PRATIQUE_ART", title="Atelier manga", duration_minutes=45
    )
    make_session(only_full, days=2, total_places=1, booked=1)
    return {
        "club": club,
        "scheduled": scheduled,
        "moved": moved,
        "full": full,
        "cancelled": cancelled,
        "only_cancelled": only_cancelled,
        "only_full": only_full,
    }


def _event(document, offer) -> dict:
    return next(e for e in document["events"] if e["uid"] == str(offer.public_id))


def test_the_json_validates_with_every_status_the_real_end_and_the_age(client, space, changes):
    document = _json(client, space["collectivite"])
    assert document["schemaVersion"] == 2
    club = _event(document, changes["club"])
    assert [t["status"] for t in club["timings"]] == [
        "scheduled",
        "full",
        "rescheduled",
        "cancelled",
    ]
    assert [t["placesLeft"] for t in club["timings"]] == [12, 0, 12, 0]
    for timing in club["timings"]:  # a « Rencontre » lasts 90 minutes (its subcategory)
        begin, end = (datetime.fromisoformat(timing[k]) for k in ("begin", "end"))
        assert end - begin == timedelta(minutes=90)
    assert club["age"] == {"min": 16, "max": 17}
    # no range set by the venue: the scheme's bounds, as OpenAgenda's min/max
    assert _event(document, changes["only_full"])["age"] == {"min": 15, "max": 18}


def test_a_full_or_cancelled_offer_stays_in_both_feeds_marked(client, space, changes):
    """An offer whose only session is full, one whose only session is cancelled (an offer
    cancelled as a whole): listed, marked; the iCal events keep their place with
    STATUS:CANCELLED and « Annulé : » / « Complet : » in words."""
    document = _json(client, space["collectivite"])
    cancelled = _event(document, changes["only_cancelled"])
    assert [(t["status"], t["placesLeft"]) for t in cancelled["timings"]] == [("cancelled", 0)]
    [full] = _event(document, changes["only_full"])["timings"]
    assert full["status"] == "full" and full["placesLeft"] == 0
    begin, end = (datetime.fromisoformat(full[k]) for k in ("begin", "end"))
    assert end - begin == timedelta(minutes=45)  # the offer's own length

    events = _events(client.get(_url("lieu", space["venue"], "ics")).content)
    by_summary = {str(e["SUMMARY"]): e for e in events}
    assert set(by_summary) == {
        "Club de lecture",
        "Complet : Club de lecture",
        "Annulé : Club de lecture",
        "Annulé : Rencontre avec l'autrice",
        "Complet : Atelier manga",
    }
    assert len(events) == 6  # the club's scheduled and moved sessions share its title
    assert str(by_summary["Annulé : Rencontre avec l'autrice"]["STATUS"]) == "CANCELLED"
    assert "Séance annulée." in str(by_summary["Annulé : Rencontre avec l'autrice"]["DESCRIPTION"])
    assert str(by_summary["Complet : Atelier manga"]["STATUS"]) == "CONFIRMED"
    assert "liste d'attente" in str(by_summary["Complet : Atelier manga"]["DESCRIPTION"])


def test_only_cancelled_sessions_to_come_of_published_offers_widen_the_feed(client, space):
    """Deactivated or draft offers with a cancelled session stay out; so does an offer
    whose cancelled session is past (nothing to come to tell a city agenda)."""
    venue = space["venue"]
    for status in ("deactivated", "draft"):
        _cancel(make_session(make_offer(venue, status=status, title=status), days=4))
    past = make_session(make_offer(venue, title="Passée"), days=4)
    _cancel(past)
    gone = timezone.now() - timedelta(days=1)
    Session.objects.filter(pk=past.pk).update(starts_at=gone, booking_limit_at=gone)
    pending = VenueFactory(collectivite=space["collectivite"], status="new", name="Annexe")
    _cancel(make_session(make_offer(pending, title="Lieu en attente"), days=4))
    assert _json(client, space["collectivite"])["events"] == []
    assert _events(client.get(_url("collectivite", space["collectivite"], "ics")).content) == []


def test_every_ical_event_of_both_feeds_has_its_end_in_the_venue_zone(client, space, changes):
    reunion = VenueFactory(
        collectivite=space["collectivite"],
        time_zone="Indian/Reunion",
        name="Médiathèque de Saint-Denis",
        postal_code="97400",
    )
    atelier = make_offer(reunion, "ATELIER_PRATIQUE_ART", title="Atelier BD")
    own = make_session(atelier, days=5)
    Session.objects.filter(pk=own.pk).update(duration_minutes=150)
    make_session(atelier, days=6)
    zones = {space["venue"].pk: "Europe/Paris", reunion.pk: "Indian/Reunion"}
    sessions = {str(s.public_id): s for s in Session.objects.select_related("offer")}
    feeds = {
        "programme": client.get(_url("collectivite", space["collectivite"], "ics")).content,
        "lieu Lyon": Client().get(_venue_feed(space["venue"])).content,
        "lieu La Réunion": Client().get(_venue_feed(reunion)).content,
    }
    seen = set()
    for name, content in feeds.items():
        events = _events(content)
        assert events, name
        for event in events:
            session = sessions[str(event["UID"]).split("-", 1)[1].removesuffix("@passlib")]
            start, end = event.decoded("DTSTART"), event.decoded("DTEND")
            assert start.tzinfo.key == end.tzinfo.key == zones[session.offer.venue_id], name
            assert start == session.starts_at.replace(microsecond=0)
            assert end - start == timedelta(minutes=session.duration), name
            assert event["SEQUENCE"] == session.sequence
            expected = "CANCELLED" if session.cancelled_at else "CONFIRMED"
            assert str(event["STATUS"]) == expected, name
            seen.add((name, session.duration))
    assert ("lieu La Réunion", 150) in seen and ("programme", 150) in seen
    assert ("lieu La Réunion", 120) in seen  # an « Atelier » lasts 2 h (its subcategory)


def _statuses(client, space, session) -> tuple[str, str, str]:
    """(JSON status, programme iCal STATUS + SUMMARY, venue feed STATUS + SUMMARY)."""
    document = _json(client, space["collectivite"])
    [timing] = _event(document, session.offer)["timings"]
    session.refresh_from_db()
    assert datetime.fromisoformat(timing["begin"]) == session.starts_at.replace(microsecond=0)
    states = [timing["status"]]
    for content in (
        client.get(_url("collectivite", space["collectivite"], "ics")).content,
        Client().get(_venue_feed(space["venue"])).content,
    ):
        [event] = _events(content)
        assert event.decoded("DTSTART") == session.starts_at.replace(microsecond=0)
        assert event["SEQUENCE"] == session.sequence
        states.append(f"{event['STATUS']} {event['SUMMARY']}")
    return tuple(states)


def test_both_feeds_follow_a_session_through_its_life(client, space):
    """Scheduled → full (its last place booked) → scheduled (the booking cancelled) →
    rescheduled (moved) → cancelled: the JSON's status and both iCal feeds' STATUS,
    SUMMARY and SEQUENCE follow."""
    offer = make_offer(space["venue"], "RENCONTRE", title="Club de lecture")
    session = make_session(offer, days=10, total_places=3)
    make_booking(offer, session=session)
    make_booking(offer, session=session)
    title = "Club de lecture"
    confirmed = f"CONFIRMED {title}"
    assert _statuses(client, space, session) == ("scheduled", confirmed, confirmed)

    young = make_beneficiary(17, first_name="Inès")
    booking = bookings.booking_create(user=young, offer=offer, session=session)
    full = f"CONFIRMED Complet : {title}"
    assert _statuses(client, space, session) == ("full", full, full)

    bookings.booking_cancel_by_beneficiary(user=young, booking=booking)
    assert _statuses(client, space, session) == ("scheduled", confirmed, confirmed)

    _move(session, days=12)
    assert _statuses(client, space, session) == ("rescheduled", confirmed, confirmed)
    assert session.sequence == 1

    _cancel(session)
    gone = f"CANCELLED Annulé : {title}"
    assert _statuses(client, space, session) == ("cancelled", gone, gone)
    assert session.sequence == 2


def test_the_feeds_read_the_same_number_of_queries_with_50_offers(
    client, space, django_assert_max_num_queries
):
    """50 offers × 3 sessions (open, full, cancelled) and 10 offers cancelled as a whole:
    no query per offer or session in the JSON, the programme iCal or the venue feed."""
    venue = space["venue"]
    url_feed = _venue_feed(venue)
    urls = [
        _url("collectivite", space["collectivite"], "json"),
        _url("lieu", venue, "ics"),
        url_feed,
    ]
    counts = {url: [] for url in urls}
    sizes = (1, 50)
    for n in sizes:
        for i in range(n):
            offer = make_offer(venue, "RENCONTRE", title=f"Offre {n}-{i}")
            make_session(offer, days=3, total_places=5)
            make_session(offer, days=4, total_places=1, booked=1)
            _cancel(make_session(offer, days=5))
            if i % 5 == 0:
                _cancel(make_session(make_offer(venue, title=f"Annulée {n}-{i}"), days=6))
        for url in urls:
            with django_assert_max_num_queries(10) as captured:
                response = Client().get(url)
            assert response.status_code == 200
            counts[url].append(len(captured))
    assert all(c[0] == c[1] for c in counts.values()), counts
    document = json.loads(Client().get(urls[0]).content)
    assert len(document["events"]) == 1 + 1 + 50 + 10
    assert sum(len(e["timings"]) for e in document["events"]) == 3 * 51 + 11


@pytest.mark.parametrize(
    "path",
    [
        "/programme/collectivite/pas-un-uuid.json",
        "/programme/collectivite/00000000-0000-0000-0000-000000000000.json",
        "/programme/lieu/{venue}.xml",
        "/programme/lieu/{venue}.json.ics",
        "/programme/lieu/{venue}",
        "/programme/seance/{venue}.json",
        "/agenda/" + "x" * 5000 + ".ics",
    ],
)
def test_hostile_feed_urls_are_not_found(client, space, path):
    assert client.get(path.format(venue=space["venue"].public_id)).status_code == 404


def test_a_huge_query_string_changes_nothing(client, space, changes):
    """The feeds read no parameter: a huge or odd query string gets the same document
    (or a 400), never a 500 nor another answer."""
    url = _url("lieu", space["venue"], "json")
    plain = json.loads(client.get(url).content)
    for query in ("?" + "&".join(f"p{i}=x" for i in range(5000)), "?status=%00" + "a" * 20000):
        response = client.get(url + query)
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            document = json.loads(response.content)
            assert document["events"] == plain["events"]


@pytest.mark.django_db
def test_the_librarians_offer_page_links_the_venues_public_programme(login, space, owner):
    """Found by a new user: the offer page linked only the team's private agenda."""
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier fanzine")
    make_session(offer, days=9, total_places=8)
    page = login(owner).get(f"/offres/{offer.public_id}/").content.decode()
    venue = space["venue"].public_id
    assert f'href="/programme/lieu/{venue}.ics"' in page
    assert f'href="/programme/lieu/{venue}.json"' in page
