"""« Annuler la séance » and « Annuler toutes les séances à venir » through the test
client: the librarian (member of the venue), an outsider, an officer; what the young
person and the participants page show afterwards."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import Beneficiary
from offers.models import Booking, BookingStatus, OfferStatus, Session, WaitlistEntry
from offers.services import bookings as booking_services
from offers.services import waitlist
from tests.factories import make_beneficiary, make_offer, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(space, django_capture_on_commit_callbacks):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", price_cents=300, title="Atelier BD")
    session = make_session(offer, days=10, total_places=1)
    other = make_session(offer, days=20, total_places=10)
    lea = make_beneficiary(17, first_name="Léa", email="lea@exemple.fr")
    ines = make_beneficiary(17, first_name="Inès", email="ines@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_services.booking_create(user=lea, offer=offer, session=session)
        waitlist.waitlist_join(user=ines, offer=offer, session=session)
    mail.outbox.clear()
    return {
        "offer": offer,
        "session": session,
        "other": other,
        "lea": lea,
        "ines": ines,
        "booking": booking,
    }


def url(offer, session=None) -> str:
    if session is None:
        return f"/offres/{offer.public_id}/seances/annuler/"
    return f"/offres/{offer.public_id}/seances/{session.public_id}/annuler/"


def test_the_offer_page_and_the_edit_page_lead_to_the_confirmation(login, setup, member):
    offer, session = setup["offer"], setup["session"]
    client = login(member)
    html = client.get(f"/offres/{offer.public_id}/").content.decode()
    assert url(offer, session) in html and "Annuler la séance" in html
    assert url(offer) in html and "Annuler toutes les séances à venir" in html
    edit = client.get(f"/offres/{offer.public_id}/seances/{session.public_id}/").content.decode()
    assert url(offer, session) in edit
    page = client.get(url(offer, session))
    assert page.status_code == 200
    text = page.content.decode()
    assert "1 réservation sera annulée" in text
    assert "1 personne inscrite en liste d&#x27;attente sera prévenue" in text
    assert "Précisions (transmises telles quelles aux participants)" in text
    assert not Session.objects.get(pk=session.pk).is_cancelled  # GET changes nothing


def test_cancel_through_the_page(login, setup, member, django_capture_on_commit_callbacks):
    offer, session, lea = setup["offer"], setup["session"], setup["lea"]
    client = login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(offer, session),
            {"reason": "speaker", "comment": "L'autrice est malade"},
            follow=True,
        )
    assert response.redirect_chain[-1][0] == f"/offres/{offer.public_id}/"
    html = response.content.decode()
    assert (
        "Séance annulée : 1 réservation annulée et remboursée, 1 personne de la liste "
        "d&#x27;attente prévenue." in html
    )
    assert "Annulée</strong>" in html
    assert Beneficiary.objects.get(user=lea).credit_cents == 5000
    assert sorted(m.to[0] for m in mail.outbox) == ["ines@exemple.fr", "lea@exemple.fr"]
    # the session stays listed, marked, without « Modifier » nor « Annuler la séance »
    assert url(offer, session) not in html
    assert f"/seances/{session.public_id}/participants/" in html
    participants = client.get(
        f"/offres/{offer.public_id}/seances/{session.public_id}/participants/"
    )
    text = participants.content.decode()
    assert (
        "Annulée</strong>" in text
        and "Intervenant indisponible — L&#x27;autrice est malade" in text
    )
    # not editable any more
    edit = client.get(f"/offres/{offer.public_id}/seances/{session.public_id}/", follow=True)
    assert "ne peut plus être modifiée" in edit.content.decode()
    delete = client.post(
        f"/offres/{offer.public_id}/seances/{session.public_id}/supprimer/", follow=True
    )
    assert "ne peut plus être modifiée ni supprimée" in delete.content.decode()
    assert Session.objects.filter(pk=session.pk).exists()


def test_double_submit_acts_once(login, setup, member, django_capture_on_commit_callbacks):
    offer, session = setup["offer"], setup["session"]
    client = login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(offer, session), {"reason": "room"})
        second = client.post(url(offer, session), {"reason": "room"}, follow=True)
    assert "est déjà annulée" in second.content.decode()
    assert len(mail.outbox) == 2
    assert Beneficiary.objects.get(user=setup["lea"]).credit_cents == 5000


@pytest.mark.parametrize(
    "data, message",
    [
        ({"reason": "unknown"}, "Choisissez un motif dans la liste."),
        ({"reason": ""}, "Choisissez un motif dans la liste."),
        ({"reason": "room", "comment": "x" * 600}, "500 caractères"),
        ({"reason": "room", "comment": "salle\x00"}, "caractère"),
    ],
)
def test_hostile_posts_get_a_french_message_and_write_nothing(login, setup, member, data, message):
    offer, session = setup["offer"], setup["session"]
    response = login(member).post(url(offer, session), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    if data.get("comment"):
        assert data["comment"].replace("\x00", "")[:50] in response.content.decode()  # kept
    assert not Session.objects.get(pk=session.pk).is_cancelled
    assert Booking.objects.get(pk=setup["booking"].pk).status == BookingStatus.CONFIRMED
    assert not mail.outbox


def test_outsider_gets_404_and_officer_403(login, setup, outsider, officer):
    offer, session = setup["offer"], setup["session"]
    for user, status in ((outsider, 404), (officer, 403)):
        client = login(user)
        assert client.get(url(offer, session)).status_code == status
        assert client.post(url(offer, session), {"reason": "room"}).status_code == status
        assert client.post(url(offer), {"reason": "room"}).status_code == status
    assert not Session.objects.filter(cancelled_at__isnull=False).exists()


def test_member_of_another_venue_gets_404(login, setup, space, member):
    other = make_offer(space["other_venue"], "ATELIER_PRATIQUE_ART")
    session = make_session(other)
    client = login(member)
    assert client.post(url(other, session), {"reason": "room"}).status_code == 404
    # the other venue's session under an offer the member manages: 404 too
    mixed = f"/offres/{setup['offer'].public_id}/seances/{session.public_id}/annuler/"
    assert client.post(mixed, {"reason": "room"}).status_code == 404
    assert not Session.objects.filter(cancelled_at__isnull=False).exists()


def test_validated_booking_refuses_with_how_to_undo(login, setup, member):
    from django.utils import timezone

    offer, session = setup["offer"], setup["session"]
    Booking.objects.filter(pk=setup["booking"].pk).update(
        status=BookingStatus.VALIDATED, validated_at=timezone.now()
    )
    client = login(member)
    page = client.get(url(offer, session)).content.decode()
    assert "1 contremarque est déjà validée" in page
    response = client.post(url(offer, session), {"reason": "room"})
    assert response.status_code == 400
    assert "« Annuler la validation »" in response.content.decode()
    assert not Session.objects.get(pk=session.pk).is_cancelled


def test_cancel_every_session_to_come(login, setup, member, django_capture_on_commit_callbacks):
    offer = setup["offer"]
    client = login(member)
    page = client.get(url(offer)).content.decode()
    assert "2 séances à venir seront annulées" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(offer), {"reason": "closure"}, follow=True)
    assert "2 séances annulées : 1 réservation annulée et remboursée" in response.content.decode()
    assert Session.objects.filter(offer=offer, cancelled_at__isnull=False).count() == 2
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED
    # its page, for young people, lists both dates « Annulée », nothing to book
    page = login(setup["lea"]).get(f"/jeunes/offres/{offer.public_id}/").content.decode()
    assert page.count("Annulée</strong>") == 2 and 'name="session"' not in page
    client = login(member)
    again = client.post(url(offer), {"reason": "closure"}, follow=True)
    assert "aucune séance à venir" in again.content.decode()


def test_the_young_person_sees_the_cancelled_session(login, setup, member):
    from offers.services import cancellations

    offer, session = setup["offer"], setup["session"]
    cancellations.session_cancel(actor=member, session=session, reason="room", comment="Travaux")
    client = login(setup["lea"])
    mine = client.get("/jeunes/reservations/").content.decode()
    assert "Séance annulée</strong>" in mine
    assert "Annulée par le lieu : Salle indisponible — Travaux" in mine
    page = client.get(f"/jeunes/offres/{offer.public_id}/").content.decode()
    assert "Annulée</strong>" in page
    assert page.count('name="session"') == 1  # only the other date can be booked
    assert str(session.public_id) not in page
    assert WaitlistEntry.objects.get(person=setup["ines"]).status == "closed"
