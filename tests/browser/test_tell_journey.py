"""Telling people (issue 28), through visible French labels only, axe on every page:
(a) a librarian writes to a session's participants and its waiting list, reads « Message
envoyé à 5 personnes » and finds it in the offer's history; each person gets one e-mail;
(b) a young person on her phone asks « Me prévenir » on an offer whose bookings open
later; the periodic command, run after the opening, sends her exactly one e-mail, whose
link leads to the booking."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from offers.models import Offer, OpeningAlert, WaitlistEntry
from offers.services import bookings as booking_services
from tests.browser.labels import field, log_in_from_home
from tests.conftest import assert_accessible
from tests.factories import make_beneficiary, make_offer, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);")


def test_a_librarian_writes_to_the_participants_and_the_waiting_list(page, space, member):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier BD d'Angoulême")
    session = make_session(offer, days=9, total_places=3)
    make_session(offer, days=16, total_places=10)
    people = []
    for i, name in enumerate(("Léa", "Sami", "Noé")):
        young = make_beneficiary(16, first_name=name, email=f"jeune{i}@exemple.fr")
        booking_services.booking_create(user=young, offer=offer, session=session)
        people.append(young)
    for i, name in enumerate(("Inès", "Yanis")):
        young = make_beneficiary(17, first_name=name, email=f"attente{i}@exemple.fr")
        WaitlistEntry.objects.create(offer=offer, session=session, person=young)
        people.append(young)

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in_from_home(page, member.email)
    page.get_by_role("link", name="Offres", exact=True).click()
    page.get_by_role("link", name="Atelier BD d'Angoulême").click()
    page.get_by_role("link", name=re.compile(r"^Participants de la séance du")).first.click()
    page.wait_for_url("**/participants/")
    page.get_by_role("link", name="Écrire aux participants").click()
    page.wait_for_url("**/message/")
    assert page.get_by_text("3 personnes aujourd'hui, 5 avec la liste d'attente").is_visible()
    assert_accessible(page, "tell-01-message-form")

    # Sent empty: told next to the field, nothing sent.
    mail.outbox.clear()
    page.get_by_role("button", name="Envoyer le message").click()
    assert page.locator("#id_message_error").get_by_text("Ce champ est obligatoire.").is_visible()
    assert_accessible(page, "tell-02-message-empty")
    assert mail.outbox == []

    text = "Apportez votre carte de bibliothèque.\nSalle changée : auditorium, 2e étage."
    field(page, "Message").fill(text)
    page.get_by_label("L'envoyer aussi aux personnes en liste d'attente").check()
    page.get_by_role("button", name="Envoyer le message").click()
    page.wait_for_url("**/participants/")
    assert page.get_by_text("Message envoyé à 5 personnes.").is_visible()
    assert_accessible(page, "tell-03-message-sent")

    page.get_by_role("link", name="Revenir à l'offre").click()
    history = page.locator("ol.history")
    assert history.get_by_text("Message aux participants").first.is_visible()
    assert history.get_by_text(re.compile(r"Séance du .* — envoyé à 5 personnes")).is_visible()
    assert history.get_by_text("Salle changée : auditorium").is_visible()
    assert_accessible(page, "tell-04-history")

    for person in people:
        (message,) = [m for m in mail.outbox if m.to == [person.email]]
        assert message.subject == "Atelier BD d'Angoulême : un message de Médiathèque Part-Dieu"
        assert not ENTITY.search(message.subject + message.body)
        assert f"Bonjour {person.first_name}," in message.body
        assert text in message.body
        assert "Lieu : Médiathèque Part-Dieu" in message.body
    assert len(mail.outbox) == 5
    waiting = next(m for m in mail.outbox if m.to == ["attente0@exemple.fr"])
    assert "tu es sur la liste d'attente de cette séance" in waiting.body


def test_a_young_person_asks_to_be_told_and_is_told_once(page, space):
    offer = make_offer(
        space["venue"],
        "ATELIER_PRATIQUE_ART",
        title="Atelier manga d'Angoulême",
        booking_opens_at=timezone.now() + timedelta(days=2),
    )
    make_session(offer, days=20, total_places=12)
    ines = make_beneficiary(17, first_name="Inès", email="ines@exemple.fr")

    page.set_viewport_size({"width": 375, "height": 812})
    log_in_from_home(page, ines.email)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Offres pour les jeunes"
    ).click()
    page.get_by_role("link", name="Atelier manga d'Angoulême").click()
    page.wait_for_url("**/jeunes/offres/*/")
    assert page.get_by_text(re.compile("^Les réservations ouvrent le")).is_visible()
    assert_accessible(page, "tell-05-offer-opens-later")
    other_tab = page.context.new_page()
    other_tab.set_viewport_size({"width": 375, "height": 812})
    other_tab.goto(page.url)
    page.get_by_role("button", name="Me prévenir à l'ouverture des réservations").click()
    page.wait_for_selector("text=C'est noté : on t'écrira à l'ouverture des réservations")
    assert page.get_by_role("button", name="Ne plus me prévenir").is_visible()
    assert_accessible(page, "tell-06-alert-set")
    # The same page left open in another tab, a second click: told so, still one alert.
    other_tab.get_by_role("button", name="Me prévenir à l'ouverture des réservations").click()
    other_tab.wait_for_selector("text=C'est déjà noté : on t'écrira à l'ouverture des réservations")
    other_tab.close()
    assert OpeningAlert.objects.filter(person=ines).count() == 1

    # Before the opening, the scheduler sends nothing; after it, one e-mail, once.
    mail.outbox.clear()
    call_command("send_opening_alerts", stdout=io.StringIO())
    assert mail.outbox == []
    Offer.objects.filter(pk=offer.pk).update(booking_opens_at=timezone.now() - timedelta(minutes=1))
    call_command("send_opening_alerts", stdout=io.StringIO())
    call_command("send_opening_alerts", stdout=io.StringIO())
    (message,) = mail.outbox
    assert message.to == ["ines@exemple.fr"]
    assert message.subject == "Les réservations de « Atelier manga d'Angoulême » sont ouvertes"
    assert not ENTITY.search(message.subject + message.body)
    assert "Bonjour Inès," in message.body and "Tu nous as demandé de te prévenir" in message.body
    path = re.search(r"https?://[^/\s]+(/jeunes/offres/\S+/)", message.body).group(1)
    page.goto(path)
    assert page.get_by_role("button", name=re.compile("^Réserver")).first.is_visible()
    assert page.get_by_role("button", name="Ne plus me prévenir").count() == 0
    assert_accessible(page, "tell-07-bookings-open")
