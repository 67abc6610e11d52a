"""Public feeds of a programme (issue 19, point 6): the JSON validates against its
documented schema, the iCal parses back, both list only the offers a young person may
see of that collectivité or venue, with their sessions to come; cacheable, bounded."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from jsonschema import Draft202012Validator

from accounts.models import Status
from tests.factories import VenueFactory, make_offer, make_session

pytestmark = pytest.mark.django_db
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "feeds.schema.json").read_text()
)


def _url(kind, obj, fmt):
    return reverse("offers:programme", args=[kind, obj.public_id, fmt])


@pytest.fixture
def programme(space, other_space):
    venue = space["venue"]
    club = make_offer(venue, "RENCONTRE", title="Club de lecture d'Ulysse")
    soon = make_session(club, days=3, total_places=12)
    past = make_session(club, days=3)
    gone = timezone.now() - timedelta(days=2)
    type(past).objects.filter(pk=past.pk).update(starts_at=gone, booking_limit_at=gone)
    make_session(make_offer(venue, "RENCONTRE", status="draft", title="Brouillon"), days=4)
    make_session(make_offer(venue, "RENCONTRE", status="deactivated", title="Désactivée"), days=4)
    pending = VenueFactory(collectivite=space["collectivite"], status=Status.NEW, name="Annexe")
    make_session(make_offer(pending, "RENCONTRE", title="Lieu en attente"), days=4)
    make_session(make_offer(other_space["venue"], "RENCONTRE", title="Paris"), days=4)
    reunion = VenueFactory(
        collectivite=space["collectivite"],
        time_zone="Indian/Reunion",
        name="Médiathèque de Saint-Denis",
    )
    atelier = make_offer(reunion, "ATELIER_PRATIQUE_ART", title="Atelier BD")
    at_reunion = make_session(atelier, days=5)
    escape = make_offer(venue, "ESCAPE_GAME", title="Escape game", price_cents=450, quantity=5)
    return {
        "club": club,
        "soon": soon,
        "atelier": atelier,
        "at_reunion": at_reunion,
        "escape": escape,
    }


def test_the_json_feed_validates_and_lists_only_what_young_people_see(client, space, programme):
    response = client.get(_url("collectivite", space["collectivite"], "json"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    document = json.loads(response.content)
    Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
        document
    )
    titles = sorted(e["title"]["fr"] for e in document["events"])
    assert titles == ["Atelier BD", "Club de lecture d'Ulysse", "Escape game"]
    club = next(e for e in document["events"] if e["uid"] == str(programme["club"].public_id))
    assert len(club["timings"]) == 1  # the past session is not listed
    begin = datetime.fromisoformat(club["timings"][0]["begin"])
    assert begin == programme["soon"].starts_at.replace(microsecond=0)
    assert club["timings"][0]["placesLeft"] == 12
    atelier = next(e for e in document["events"] if e["title"]["fr"] == "Atelier BD")
    reunion = datetime.fromisoformat(atelier["timings"][0]["begin"])
    assert reunion.utcoffset() == timedelta(hours=4)  # written in La Réunion's time
    escape = next(e for e in document["events"] if e["title"]["fr"] == "Escape game")
    assert escape["timings"] == [] and escape["conditions"]["fr"] == "4,50 €"


def test_the_ical_feed_parses_back_with_the_sessions_to_come(client, space, programme):
    response = client.get(_url("lieu", space["venue"], "ics"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Club de lecture d'Ulysse"]
    assert events[0].decoded("DTSTART") == programme["soon"].starts_at.replace(microsecond=0)
    whole = Calendar.from_ical(
        client.get(_url("collectivite", space["collectivite"], "ics")).content
    )
    starts = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in whole.walk("VEVENT")}
    assert starts["Atelier BD"] == programme["at_reunion"].starts_at.replace(microsecond=0)
    assert starts["Atelier BD"].tzinfo.key == "Indian/Reunion"
    assert set(starts) == {"Club de lecture d'Ulysse", "Atelier BD"}


def test_feeds_are_public_and_cacheable(client, space, programme):
    response = client.get(_url("collectivite", space["collectivite"], "json"))
    assert "public" in response["Cache-Control"] and "max-age=900" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_unknown_or_unvalidated_programmes_are_not_found(client, space):
    space["collectivite"].status = Status.NEW
    space["collectivite"].save()
    assert client.get(_url("collectivite", space["collectivite"], "json")).status_code == 404
    assert client.get("/programme/collectivite/pas-un-uuid.json").status_code == 404
    assert (
        client.get(
            reverse("offers:programme", args=["lieu-inconnu", space["venue"].public_id, "json"])
        ).status_code
        == 404
    )


def test_a_feed_reads_the_same_number_of_queries_at_two_sizes(
    client, space, django_assert_max_num_queries
):
    counts = []
    for n in (1, 20):
        for i in range(n):
            make_session(make_offer(space["venue"], "RENCONTRE", title=f"Offre {n}-{i}"), days=3)
        with django_assert_max_num_queries(10) as captured:
            client.get(_url("collectivite", space["collectivite"], "json"))
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
