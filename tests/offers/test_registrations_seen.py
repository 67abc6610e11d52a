"""Registrations from other channels as others see them (issue 30): a session cancelled
closes them and writes, in French, to those who gave an address and agreed; the
catalogue shows a session full once other channels filled it; the public feeds and the
young people's pages never show a registration's name, phone, address or note."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from offers.models import Offer, Registration, Session
from offers.services import cancellations, next_sessions
from offers.services import registrations as services
from offers.services.registrations import RegistrationData
from tests.factories import make_beneficiary, make_offer, make_session

pytestmark = pytest.mark.django_db

SECRET = {
    "name": "Gwendoline Kerbrat-Secret",
    "phone": "06 98 76 54 32",
    "email": "gwendoline.secret@exemple.fr",
    "note": "Allergie aux arachides, vient avec sa grand-mère",
}
ENGLISH = re.compile(
    r"\b(the|your|you|registration|cancelled|waiting|list|booking|dear|hello|thanks?)\b", re.I
)
NOT_OUR_WORDS = re.compile(r"e-?mail|courriel|\btu\b|\bton\b|\bta\b|\btes\b", re.I)


@pytest.fixture
def club(space):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Club de lecture")
    return {"offer": offer, "session": make_session(offer, days=10, total_places=12, quota=8)}


def add(member, session, places=1, *, waitlist=False, **fields):
    data = RegistrationData(
        channel=fields.pop("channel", "desk"),
        name=fields.pop("name", "Famille Martin"),
        places=places,
        **fields,
    )
    start = getattr(session, "starts_at", None)  # a stock has no day
    door = start - timedelta(hours=1) if start else None  # a walk-in is counted on the day
    return services.registration_add(
        actor=member,
        target=session,
        data=data,
        waitlist=waitlist,
        now=door if data.channel == "walk_in" else None,
    )


def _read_as_a_librarian_would(message) -> None:
    """French, « vous », none of the words kept off pages, no English."""
    for text in (message.subject, message.body):
        assert not ENGLISH.search(text), text
        assert not NOT_OUR_WORDS.search(text), text
    assert "vous" in message.body


def test_a_cancelled_session_closes_its_registrations_and_tells_those_who_agreed(
    club, member, django_capture_on_commit_callbacks
):
    session = club["session"]
    told = add(member, session, 3, email="martin@exemple.fr", contact_consent=True)
    by_phone = add(member, session, name="M. Dupont", phone="06 12 34 56 78", contact_consent=True)
    add(member, session, 8, name="Groupe")
    waiting = add(
        member,
        session,
        name="Mme Roux",
        email="roux@exemple.fr",
        contact_consent=True,
        waitlist=True,
    )
    walk_in = add(member, session, 2, name="", channel="walk_in")
    with django_capture_on_commit_callbacks(execute=True):
        cancellations.session_cancel(actor=member, session=session, reason="speaker")
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert {statuses[r.pk] for r in (told, by_phone, waiting)} == {"cancelled"}
    assert statuses[walk_in.pk] == "registered"  # counted at the door, kept for statistics
    assert Session.objects.get(pk=session.pk).other_count == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["martin@exemple.fr", "roux@exemple.fr"]
    for message in mail.outbox:
        assert message.subject.startswith("Séance annulée : Club de lecture du ")
        assert "Motif : Intervenant indisponible" in message.body
        assert "Vos coordonnées ne servent qu'à vous prévenir pour cette séance." in message.body
        _read_as_a_librarian_would(message)
    by_address = {m.to[0]: m.body for m in mail.outbox}
    assert "Votre inscription est donc annulée" in by_address["martin@exemple.fr"]
    assert "Vous étiez sur sa liste d'attente" in by_address["roux@exemple.fr"]
    with pytest.raises(Exception, match="annulée"):
        add(member, Session.objects.get(pk=session.pk), name="Trop tard")


def test_the_promotion_e_mail_reads_french(club, member, django_capture_on_commit_callbacks):
    session = club["session"]
    group = add(member, session, 12, name="Groupe")
    add(
        member,
        session,
        2,
        name="Famille Roux",
        email="roux@exemple.fr",
        contact_consent=True,
        waitlist=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=member, registration=group)
    (message,) = mail.outbox
    _read_as_a_librarian_would(message)
    assert "pour 2 personnes" in message.body


def test_the_catalogue_shows_a_session_full_once_other_channels_filled_it(
    client, club, member, django_capture_on_commit_callbacks
):
    offer, session = club["offer"], club["session"]
    assert Offer.objects.get(pk=offer.pk).next_session_id == session.pk
    with django_capture_on_commit_callbacks(execute=True):  # the service asks a refresh
        add(member, session, 12, name="Classe de CM2")
    assert Offer.objects.get(pk=offer.pk).next_session_id is None
    rows = client.get("/jeunes/offres/").context["rows"]
    (card,) = [r for r in rows if r["title"] == "Club de lecture"]
    assert card.get("full")
    young = make_beneficiary(16)
    client.force_login(young)
    page = client.get(reverse("offers:catalog_offer", args=[offer.public_id])).content.decode()
    assert "Rejoindre la liste d'attente" in page
    # Places kept outside free again: the catalogue offers the session, as the rule says.
    group = Registration.objects.get(name="Classe de CM2")
    services.registration_change(
        actor=member,
        registration=group,
        data=RegistrationData(channel="desk", name="CM2", places=9),
    )
    next_sessions.refresh([offer.pk])
    assert Offer.objects.get(pk=offer.pk).next_session_id == session.pk
    Session.objects.filter(pk=session.pk).update(outside_places=3)
    next_sessions.refresh([offer.pk])
    assert Offer.objects.get(pk=offer.pk).next_session_id is None


def _registered_everywhere(member, club, space):
    add(member, club["session"], 2, contact_consent=True, **SECRET)
    add(
        member,
        club["session"],
        12,
        waitlist=True,
        contact_consent=True,
        **{**SECRET, "name": "Famille Secrète-Attente"},
    )
    stock_offer = make_offer(space["venue"], "ESCAPE_GAME", title="Escape game", quantity=5)
    add(member, stock_offer.stock, contact_consent=True, **SECRET)


def _leaks(text: str) -> list[str]:
    values = [*SECRET.values(), "Famille Secrète-Attente", "0698765432", "Kerbrat"]
    return [v for v in values if v.lower() in text.lower()]


def test_the_public_feeds_never_carry_a_registrations_personal_data(client, club, member, space):
    _registered_everywhere(member, club, space)
    for kind, obj in (("lieu", space["venue"]), ("collectivite", space["collectivite"])):
        for fmt in ("json", "ics"):
            response = client.get(reverse("offers:programme", args=[kind, obj.public_id, fmt]))
            assert response.status_code == 200, (kind, fmt)
            text = response.content.decode()
            assert "Club de lecture" in text
            assert _leaks(text) == [], (kind, fmt)


def test_young_peoples_pages_never_show_a_registrations_personal_data(client, club, member, space):
    _registered_everywhere(member, club, space)
    client.force_login(make_beneficiary(16))
    pages = [
        "/jeunes/offres/",
        reverse("offers:catalog_offer", args=[club["offer"].public_id]),
        f"/lieux/{space['venue'].public_id}/",
    ]
    stock_offer = Offer.objects.get(title="Escape game")
    pages.append(reverse("offers:catalog_offer", args=[stock_offer.public_id]))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _leaks(response.content.decode()) == [], url
