"""One capacity for every channel (issue 30, Must show 1), through visible French labels
only: a reading club of 12 places, quota 8. Inès books on her phone; the librarian adds
a desk family of 3 and a phone registration from the participants page; two more young
people book and the librarian adds two desk registrations until Léa reads « complet »
while only 3 pass Culture places are booked; Léa joins the waiting list; the family
cancels at the desk: the first in line, Léa, gets the place held and the e-mail, and
confirms it; the sign-in sheet lists everyone with their channel. Axe on every page."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from offers.models import Booking, BookingStatus, Registration, Session, WaitlistEntry
from tests.browser.labels import field, log_in_from_home, log_out, open_young_catalogue
from tests.conftest import assert_accessible
from tests.factories import PASSWORD, make_beneficiary, make_offer, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
TITLE = "Club de lecture ados"


def _book_on_phone(page, young, shot: str | None = None) -> None:
    page.set_viewport_size(PHONE)
    log_in_from_home(page, young.email)
    open_young_catalogue(page)
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url("**/jeunes/offres/*/")
    if shot:
        assert_accessible(page, shot)
    page.get_by_role("button", name=re.compile("^Réserver")).click()
    page.wait_for_url("**/jeunes/reservations/")
    if shot:
        assert_accessible(page, shot + "-booked")
    log_out(page)


def _participants_page(page, member) -> None:
    page.set_viewport_size(DESK)
    log_in_from_home(page, member.email)
    page.get_by_role("link", name="Offres", exact=True).click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name=re.compile(r"^Participants de la séance du")).first.click()
    page.wait_for_url("**/participants/")


def _add(page, *, channel, name, places=1, age=None, phone="", shot=None) -> None:
    page.get_by_role("link", name="Ajouter un participant").click()
    page.wait_for_url("**/participants/ajouter/")
    field(page, "Canal").select_option(label=channel)
    field(page, "Nom ou initiales").fill(name)
    if phone:
        field(page, "Téléphone (facultatif)").fill(phone)
        field(page, "La personne accepte d'être contactée pour cette séance").check()
    if age:
        field(page, "Tranche d'âge").select_option(label=age)
    field(page, "Nombre de places").fill(str(places))
    if shot:
        assert_accessible(page, shot)
    page.get_by_role("button", name="Inscrire ce participant").click()
    page.wait_for_url("**/participants/")
    said = f"{name} ({places} place{'s' if places > 1 else ''}) : inscription enregistrée."
    assert page.get_by_text(said).is_visible()


def test_one_list_one_capacity_for_every_channel(page, space, member):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title=TITLE)
    session = make_session(offer, days=9, total_places=12, quota=8)
    ines = make_beneficiary(17, first_name="Inès", last_name="Diallo", email="ines@exemple.fr")
    hugo = make_beneficiary(16, first_name="Hugo", last_name="Bernard", email="hugo@exemple.fr")
    sami = make_beneficiary(17, first_name="Sami", last_name="Haddad", email="sami@exemple.fr")
    lea = make_beneficiary(16, first_name="Léa", last_name="L'Haÿ", email="lea@exemple.fr")

    # Inès books on her phone.
    _book_on_phone(page, ines, "channels-01-ines-offer")

    # The librarian, at the desk, opens the session's one list and adds a family of 3
    # and a person who registered by phone.
    _participants_page(page, member)
    summary = "1 participant attendu — 12 places, pass Culture : 8 au plus"
    assert page.get_by_text(summary).is_visible()
    assert_accessible(page, "channels-02-participants")
    _add(
        page,
        channel="Accueil",
        name="Famille Lefèvre-Ngô",
        places=3,
        age="26 à 64 ans",
        shot="channels-03-add-form",
    )
    _add(page, channel="Téléphone", name="Chloé d'Arc", phone="06 12 34 56 78")
    assert page.get_by_role("cell", name="06 12 34 56 78").is_visible()
    assert_accessible(page, "channels-04-two-added")
    log_out(page)

    # Two more young people book; the librarian adds two desk registrations: 12 taken.
    _book_on_phone(page, hugo)
    _book_on_phone(page, sami)
    _participants_page(page, member)
    _add(page, channel="Accueil", name="Famille Martin", places=3)
    _add(page, channel="Accueil", name="M. Petit", places=2)
    summary = (
        "12 participants attendus — 12 places, pass Culture : 8 au plus — pass Culture : 3, "
        "hors pass Culture : 9 — aucune place restante."
    )
    assert page.get_by_text(summary).is_visible()
    assert_accessible(page, "channels-05-full")
    log_out(page)
    session.refresh_from_db()
    assert (session.booked_count, session.other_count, session.quota) == (3, 9, 8)

    # Léa reads « complet » while the quota still had room, and joins the waiting list.
    page.set_viewport_size(PHONE)
    log_in_from_home(page, lea.email)
    open_young_catalogue(page)
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url("**/jeunes/offres/*/")
    assert page.get_by_text("complet", exact=True).is_visible()
    assert page.get_by_role("button", name=re.compile("^Réserver")).count() == 0
    assert_accessible(page, "channels-06-lea-sees-complet")
    page.get_by_role("button", name=re.compile("^Rejoindre la liste d'attente")).click()
    page.wait_for_selector("text=en position 1")
    assert_accessible(page, "channels-07-lea-in-line")
    log_out(page)

    # The family calls to cancel: the librarian cancels their registration.
    _participants_page(page, member)
    assert page.get_by_role("cell", name="En attente (n° 1)").is_visible()
    mail.outbox.clear()
    page.get_by_role("link", name="Annuler l'inscription : Famille Lefèvre-Ngô").click()
    page.wait_for_url("**/annuler/")
    assert page.get_by_text("elles vont d'abord à la liste d'attente").is_visible()
    assert_accessible(page, "channels-08-cancel-confirm")
    page.get_by_role("button", name="Oui, annuler l'inscription").click()
    page.wait_for_url("**/participants/")
    assert page.get_by_text(
        re.compile("Famille Lefèvre-Ngô .3 places. : inscription annulée")
    ).is_visible()
    assert page.get_by_text(re.compile("Place proposée jusqu'au")).is_visible()
    assert_accessible(page, "channels-09-cancelled-place-offered")
    log_out(page)

    # Léa gets the e-mail and confirms the place held for her.
    (message,) = [m for m in mail.outbox if m.to == [lea.email]]
    assert message.subject.startswith(f"Une place s'est libérée : {TITLE}")
    assert TITLE in message.body
    path = re.search(r"https?://[^/\s]+(/jeunes/liste-attente/\S+/)", message.body).group(1)
    page.set_viewport_size(PHONE)
    page.goto(path)
    field(page, "Adresse électronique").fill(lea.email)
    field(page, "Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"**{path}")
    assert page.get_by_text("Une place s'est libérée pour toi").is_visible()
    assert_accessible(page, "channels-10-lea-place-offered")
    page.get_by_role("button", name="Confirmer ma réservation").click()
    page.wait_for_url("**/jeunes/reservations/")
    log_out(page)
    assert Booking.objects.get(beneficiary=lea).status == BookingStatus.CONFIRMED
    assert WaitlistEntry.objects.get(person=lea).status == "booked"

    # The sign-in sheet lists everyone, each with their channel.
    _participants_page(page, member)
    page.get_by_role("link", name="Feuille d'émargement à imprimer").click()
    page.wait_for_url("**/participants/?feuille=1")
    table = page.get_by_role("table")
    expected = {
        "Bernard Hugo": "pass Culture",
        "Chloé d'Arc": "Téléphone",
        "Diallo Inès": "pass Culture",
        "Famille Martin": "Accueil",
        "Haddad Sami": "pass Culture",
        "L'Haÿ Léa": "pass Culture",
        "M. Petit": "Accueil",
    }
    rows = table.locator("tbody tr")
    assert rows.count() == len(expected)
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        assert expected[cells.nth(0).inner_text()] == cells.nth(1).inner_text()
    assert page.get_by_role("columnheader", name="Signature").is_visible()
    assert page.get_by_text("Famille Lefèvre-Ngô").count() == 0
    assert_accessible(page, "channels-11-sign-in-sheet")
    session = Session.objects.get(pk=session.pk)
    assert (session.booked_count, session.held_count, session.other_count) == (4, 0, 6)
    assert Registration.objects.get(name="Famille Lefèvre-Ngô").status == "cancelled"

    # The librarian at the door holds a phone: the one list does not slide sideways (its
    # table scrolls inside its own box), and the page says it all at 390 px.
    page.set_viewport_size(PHONE)
    page.get_by_role("link", name="Revenir à la liste des participants").click()
    page.wait_for_url("**/participants/?")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, "channels-12-participants-on-a-phone")
