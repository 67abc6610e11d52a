"""An event's length typed as people type it (issue 28, « Must show » 3): on the offer
(prefilled with the subcategory's usual length), on a session, on a series; nonsense gets
a French message next to the field, what was typed stays, nothing is written; a
duplicate keeps the durations."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Venue
from offers.forms import OfferForm, RecurrenceForm, SessionForm
from offers.models import Offer, Session
from offers.services import offers as offer_services
from tests.factories import make_offer, make_session

pytestmark = pytest.mark.django_db

UNDERSTOOD = [("1h30", 90), ("90 min", 90), ("2 h", 120), ("1,5 h", 90), ("45", 45)]
NONSENSE = [
    ("-1", "Indiquez une durée, par exemple 1h30, 90 min ou 2 h."),
    ("25h", "Indiquez une durée entre 5 min et 24 h, par exemple 1h30, 90 min ou 2 h."),
    ("99999 min", "Indiquez une durée entre 5 min et 24 h, par exemple 1h30, 90 min ou 2 h."),
    ("1\x00h30", "Indiquez une durée, par exemple 1h30, 90 min ou 2 h."),
    ("1h\x0730", "Indiquez une durée, par exemple 1h30, 90 min ou 2 h."),
    ("١h٣٠", "Indiquez une durée, par exemple 1h30, 90 min ou 2 h."),  # Arabic-Indic digits
    ("１h３０", "Indiquez une durée, par exemple 1h30, 90 min ou 2 h."),  # full-width digits
    ("9" * 60, "Indiquez une durée, par exemple 1h30, 90 min ou 2 h."),
]


def offer_data(venue, **changes):
    data = {
        "venue": venue.pk,
        "subcategory": "RENCONTRE",
        "title": "Rencontre avec une autrice",
        "speaker": "Anne Libraire",
        "price": "0",
        "duration_minutes": "1h30",
    }
    return {**data, **changes}


def field_errors(html: str, name: str) -> list[str]:
    """The messages printed next to the field (includes/field.html)."""
    block = re.search(rf'<div class="errors" id="id_{name}_error">(.*?)</div>', html, re.S)
    return re.findall(r'<p class="error-text">(.*?)</p>', block.group(1)) if block else []


def typed_value(html: str, name: str) -> str:
    return re.search(rf'<input type="text" name="{name}" value="([^"]*)"', html).group(1)


# --- the forms -------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "minutes"), UNDERSTOOD)
@pytest.mark.parametrize("form_class", [SessionForm, RecurrenceForm])
def test_session_forms_understand_a_duration_as_typed(form_class, typed, minutes):
    form = form_class({"duration_minutes": typed})
    form.is_valid()
    assert "duration_minutes" not in form.errors
    assert form.cleaned_data["duration_minutes"] == minutes


@pytest.mark.parametrize(("typed", "message"), NONSENSE)
def test_the_offer_form_refuses_nonsense_in_french(space, typed, message):
    venue = space["venue"]
    form = OfferForm(offer_data(venue, duration_minutes=typed), venues=Venue.objects.all())
    assert not form.is_valid()
    assert form.errors["duration_minutes"] == [message]
    assert form["duration_minutes"].value() == typed  # what was typed, shown back


def test_an_empty_session_duration_is_the_offers():
    form = SessionForm({"starts_at": "", "duration_minutes": ""})
    form.is_valid()
    assert form.cleaned_data["duration_minutes"] is None


# --- the offer, through its views ------------------------------------------------------


@pytest.mark.parametrize(("typed", "minutes"), UNDERSTOOD)
def test_the_offer_stores_the_typed_duration_in_minutes(login, space, owner, typed, minutes):
    response = login(owner).post(
        "/offres/nouvelle/", offer_data(space["venue"], duration_minutes=typed)
    )
    assert response.status_code == 302
    assert Offer.objects.get().duration_minutes == minutes


@pytest.mark.parametrize(("typed", "message"), NONSENSE)
def test_nonsense_is_said_next_to_the_field_keeps_the_input_and_writes_nothing(
    login, space, owner, typed, message
):
    response = login(owner).post(
        "/offres/nouvelle/", offer_data(space["venue"], duration_minutes=typed)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert field_errors(html, "duration_minutes") == [message]
    assert response.context["form"]["duration_minutes"].value() == typed
    assert "Anne Libraire" in html  # the rest of the form too
    assert not Offer.objects.exists()


def test_a_new_event_offers_its_subcategorys_usual_length(login, space, owner):
    client = login(owner)
    # The subcategory chosen (htmx or the no-JS button): the usual length appears.
    html = client.get(
        "/offres/nouvelle/?refresh=1&subcategory=SEANCE_CINE", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert typed_value(html, "duration_minutes") == "2 h"
    html = client.get("/offres/nouvelle/?modele=visite").content.decode()
    assert typed_value(html, "duration_minutes") == "1 h 30"
    # A physical offer has no length: no field, and nothing stored if one is posted.
    html = client.get("/offres/nouvelle/?refresh=1&subcategory=ESCAPE_GAME").content.decode()
    assert 'name="duration_minutes"' not in html
    client.post(
        "/offres/nouvelle/",
        offer_data(space["venue"], subcategory="ESCAPE_GAME", title="Escape", quantity="3"),
    )
    assert Offer.objects.get().duration_minutes is None


def test_editing_shows_the_duration_and_changes_it(login, space, owner):
    offer = make_offer(space["venue"], "RENCONTRE", duration_minutes=75, speaker="Anne")
    client = login(owner)
    html = client.get(f"/offres/{offer.public_id}/modifier/").content.decode()
    assert typed_value(html, "duration_minutes") == "1 h 15"
    response = client.post(
        f"/offres/{offer.public_id}/modifier/",
        offer_data(space["venue"], duration_minutes="2 h 30"),
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.duration_minutes == 150
    response = client.post(
        f"/offres/{offer.public_id}/modifier/", offer_data(space["venue"], duration_minutes="25h")
    )
    assert response.status_code == 400
    offer.refresh_from_db()
    assert offer.duration_minutes == 150


# --- sessions, through their views -----------------------------------------------------


def _start(days=20, hour=15):
    day = timezone.localdate() + timedelta(days=days)
    return f"{day:%Y-%m-%d}T{hour:02d}:00"


def test_a_session_may_say_its_own_length_else_it_is_the_offers(login, space, owner):
    offer = make_offer(space["venue"], "RENCONTRE", duration_minutes=60)
    client = login(owner)
    url = f"/offres/{offer.public_id}/seances/"
    assert (
        client.post(url, {"starts_at": _start(20), "duration_minutes": "1,5 h"}).status_code == 302
    )
    assert client.post(url, {"starts_at": _start(21), "duration_minutes": ""}).status_code == 302
    own, plain = Session.objects.order_by("starts_at")
    assert (own.duration_minutes, own.duration) == (90, 90)
    assert (plain.duration_minutes, plain.duration) == (None, 60)
    assert own.ends_at - own.starts_at == timedelta(minutes=90)


@pytest.mark.parametrize(("typed", "message"), NONSENSE)
def test_a_sessions_nonsense_duration_is_refused_next_to_the_field(
    login, space, owner, typed, message
):
    offer = make_offer(space["venue"])
    response = login(owner).post(
        f"/offres/{offer.public_id}/seances/",
        {"starts_at": _start(), "total_places": "12", "duration_minutes": typed},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert field_errors(html, "duration_minutes") == [message]
    assert response.context["session_form"]["duration_minutes"].value() == typed
    assert 'name="total_places" value="12"' in html
    assert not Session.objects.exists()


def test_editing_a_session_changes_its_length(login, space, owner):
    offer = make_offer(space["venue"])
    session = make_session(offer, days=10)
    client = login(owner)
    url = f"/offres/{offer.public_id}/seances/{session.public_id}/"
    starts_at = timezone.localtime(session.starts_at).strftime("%Y-%m-%dT%H:%M")
    assert client.get(url).context["form"]["duration_minutes"].value() is None
    response = client.post(url, {"starts_at": starts_at, "duration_minutes": "2 h"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.duration_minutes == 120
    assert typed_value(client.get(url).content.decode(), "duration_minutes") == "2 h"
    response = client.post(url, {"starts_at": starts_at, "duration_minutes": "-1"})
    assert response.status_code == 400
    session.refresh_from_db()
    assert session.duration_minutes == 120


def test_a_series_gets_its_length(login, space, owner):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART")
    client = login(owner)
    first = timezone.localdate() + timedelta(days=10)
    data = {
        "frequency": "daily",
        "first_day": f"{first:%Y-%m-%d}",
        "count": "3",
        "times": "10:00",
        "duration_minutes": "45 min",
    }
    url = f"/offres/{offer.public_id}/seances/serie/"
    preview = client.post(url, data)
    dates = [row["value"] for row in preview.context["preview"] if row["checked"]]
    response = client.post(url, {**data, "dates": dates, "creer": "1"})
    assert response.status_code == 302
    assert sorted(Session.objects.values_list("duration_minutes", flat=True)) == [45, 45, 45]
    bad = client.post(url, {**data, "duration_minutes": "25h"})
    assert bad.status_code == 400
    assert field_errors(bad.content.decode(), "duration_minutes")


def test_a_duplicate_keeps_the_offers_and_each_sessions_length(space, owner):
    offer = make_offer(space["venue"], "RENCONTRE", duration_minutes=100)
    session = make_session(offer, days=10)
    Session.objects.filter(pk=session.pk).update(duration_minutes=40)
    copy = offer_services.offer_duplicate(actor=owner, offer=offer)
    assert copy.duration_minutes == 100
    assert list(copy.sessions.values_list("duration_minutes", flat=True)) == [40]
