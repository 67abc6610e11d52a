"""The beneficiaries' side through the test client."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Beneficiary, Status, User
from offers.models import Booking, BookingStatus, OfferStatus
from tests.factories import (
    VenueFactory,
    birth_date_for_age,
    make_beneficiary,
    make_offer,
    make_session,
)

pytestmark = pytest.mark.django_db


def signup_data(age, **changes):
    data = {
        "first_name": "Inès",
        "last_name": "Diallo",
        "email": "ines@exemple.fr",
        "birth_date": birth_date_for_age(age).isoformat(),
        "password": "lecture-publique-2026",
        "password_confirm": "lecture-publique-2026",
        "accept_terms": "on",
    }
    return {**data, **changes}


def test_signup_grants_the_credit_of_the_age_and_asks_to_confirm(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/jeunes/inscription/", signup_data(17))
    assert response.status_code == 302
    beneficiary = Beneficiary.objects.get(user__email="ines@exemple.fr")
    assert beneficiary.credit_cents == 5000 and beneficiary.credit_age == 17
    assert not beneficiary.user.email_confirmed
    assert "/inscription/confirmer/" in mail.outbox[0].body


@pytest.mark.parametrize("age", [14, 19])
def test_signup_outside_15_18_is_refused_and_keeps_the_input(client, age):
    response = client.post("/jeunes/inscription/", signup_data(age))
    html = response.content.decode()
    assert "ouvert aux jeunes de 15 à 18 ans" in html
    assert 'value="Diallo"' in html
    assert not User.objects.exists()


@pytest.fixture
def catalog(space, other_space):
    workshop = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier manga")
    make_session(workshop, days=5, total_places=10)
    paid = make_offer(other_space["venue"], "ESCAPE_GAME", title="Escape", price_cents=800)
    full = make_offer(space["venue"], title="Complet")
    make_session(full, total_places=0)
    draft = make_offer(space["venue"], title="Brouillon", status=OfferStatus.DRAFT)
    make_session(draft)
    pending = make_offer(
        VenueFactory(collectivite=space["collectivite"], status=Status.NEW), title="Lieu en attente"
    )
    make_session(pending)
    return {"workshop": workshop, "paid": paid}


def titles(response):
    return sorted(r["title"] for r in response.context["rows"])


def test_catalog_shows_only_bookable_offers_with_filters(client, catalog):
    assert titles(client.get("/jeunes/offres/")) == ["Atelier manga", "Complet", "Escape"]
    assert titles(client.get("/jeunes/offres/?departement=75")) == ["Escape"]
    assert titles(client.get("/jeunes/offres/?free_only=on")) == ["Atelier manga", "Complet"]
    assert titles(client.get("/jeunes/offres/?category=JEU")) == ["Escape"]
    day = timezone.localtime(catalog["workshop"].sessions.get().starts_at).date()
    assert titles(client.get(f"/jeunes/offres/?day={day.isoformat()}")) == ["Atelier manga"]
    html = client.get("/jeunes/offres/?free_only=on", HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div id="results">')


def test_unbookable_offer_pages_answer_404(client, catalog, space):
    draft = space["venue"].offers.get(title="Brouillon")
    assert client.get(f"/jeunes/offres/{draft.public_id}/").status_code == 404


def test_book_then_see_code_and_qr_then_cancel(login, catalog):
    young = make_beneficiary(16)
    client = login(young)
    workshop = catalog["workshop"]
    session = workshop.sessions.get()
    html = client.get(f"/jeunes/offres/{workshop.public_id}/").content.decode()
    assert "10 places" in html and "Réserver" in html
    response = client.post(
        f"/jeunes/offres/{workshop.public_id}/reserver/", {"session": str(session.public_id)}
    )
    assert response.status_code == 302 and response.url == "/jeunes/reservations/"
    booking = Booking.objects.get(beneficiary=young)
    html = client.get("/jeunes/reservations/").content.decode()
    assert booking.code in html
    assert "<svg" in html and f"QR code {booking.code}" in html
    client.post(f"/jeunes/reservations/{booking.public_id}/annuler/")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED


def test_booking_errors_are_shown(login, catalog):
    young = make_beneficiary(15, credit_cents=100)
    response = login(young).post(
        f"/jeunes/offres/{catalog['paid'].public_id}/reserver/", follow=True
    )
    assert "crédit pass Culture ne suffit pas" in response.content.decode()
    assert not Booking.objects.exists()


def test_only_beneficiaries_book_and_only_their_bookings(login, catalog, owner):
    workshop = catalog["workshop"]
    session = workshop.sessions.get()
    response = login(owner).post(
        f"/jeunes/offres/{workshop.public_id}/reserver/", {"session": str(session.public_id)}
    )
    assert response.status_code == 403
    assert not Booking.objects.exists()
    young, other = make_beneficiary(), make_beneficiary()
    login(young).post(
        f"/jeunes/offres/{workshop.public_id}/reserver/", {"session": str(session.public_id)}
    )
    booking = Booking.objects.get()
    assert (
        login(other).post(f"/jeunes/reservations/{booking.public_id}/annuler/").status_code == 404
    )
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_booking_views_refuse_get(login, catalog):
    client = login(make_beneficiary())
    assert (
        client.get(f"/jeunes/offres/{catalog['workshop'].public_id}/reserver/").status_code == 405
    )


def test_cancel_link_hidden_after_the_deadline(login, space):
    offer = make_offer(space["venue"])
    session = make_session(offer, days=1)  # starts in 24 h: no cancellation once booked
    young = make_beneficiary()
    client = login(young)
    client.post(f"/jeunes/offres/{offer.public_id}/reserver/", {"session": str(session.public_id)})
    Booking.objects.update(booked_at=timezone.now() - timedelta(minutes=5))
    html = client.get("/jeunes/reservations/").content.decode()
    assert (
        "Le délai d&#x27;annulation est dépassé" in html or "délai d'annulation est dépassé" in html
    )


def test_the_offer_page_writes_each_date_once(client, login, catalog):
    """The description's « Dates » and the booking's list were the same dates twice: a
    young person who may book sees them once, with their buttons; a visitor sees them in
    the description (issue 27)."""
    workshop = catalog["workshop"]
    session = workshop.sessions.get()
    url = f"/jeunes/offres/{workshop.public_id}/"
    from passlib.formats import session_time_fr

    # With its end (« … de 15:00 à 16:30 »): the offer's page says when it ends too.
    shown = session_time_fr(session.starts_at, session.ends_at, weekday=True)
    html = client.get(url).content.decode()
    assert html.count(shown) == 1 and "<h2>Dates</h2>" in html
    html = login(make_beneficiary(16)).get(url).content.decode()
    assert html.count(shown) == 1 and "<h2>Dates</h2>" not in html
    assert "Réserver" in html


def test_the_mailbox_page_after_a_young_persons_sign_up_shows_the_young_peoples_menu(client):
    """« Confirme ton adresse » stays in the young people's world: no library menu nor
    the professionals' footer (passlib/context_processors.py `audiences`)."""
    response = client.post("/jeunes/inscription/", signup_data(17), follow=True)
    html = response.content.decode()
    assert "Confirme ton adresse" in html
    for text in (
        "Catégories d&#x27;offres",
        "Trouver la personne chargée de mon territoire",
        "Quelle catégorie pour mon offre ?",
    ):
        assert text not in html, text
    assert "Offres pour les jeunes" in html
