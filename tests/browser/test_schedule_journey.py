"""Scheduled publication in Chromium (issue 19, point 3), through visible labels: a
librarian creates an escape game whose bookings open in two days, typing the price as
French people do, and publishes it; a young person finds it in the catalog and is told
when the bookings open. Axe audits each page (screenshots test-artifacts/screenshots/
schedule-*)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from offers.models import Offer
from tests.browser.labels import field, log_in_from_home, log_out
from tests.conftest import assert_accessible
from tests.factories import make_beneficiary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def step(page, name: str) -> None:
    page.wait_for_load_state()
    assert_accessible(page, f"schedule-{name}")


def nav(page):
    return page.get_by_role("navigation", name="Navigation principale")


def test_a_librarian_schedules_the_opening_and_a_young_person_is_told_when(page, space, member):
    young = make_beneficiary(17, first_name="Chloé", last_name="d'Arc")
    opens = timezone.localtime() + timedelta(days=2)

    log_in_from_home(page, member.email)
    nav(page).get_by_role("link", name="Offres", exact=True).click()
    page.get_by_role("link", name="Créer une offre").click()
    page.wait_for_url("**/offres/nouvelle/")
    field(page, "Catégorie et sous-catégorie").select_option(label="Escape game")
    page.wait_for_selector("text=Quantité disponible")
    field(page, "Titre").fill("Escape game « L'énigme de Chloé »")
    field(page, "Prix (€)").fill("4,50 €")
    field(page, "Quantité disponible").fill("6")
    field(page, "Ouverture des réservations le").fill(opens.strftime("%Y-%m-%dT%H:%M"))
    step(page, "01-form")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/offres/*/")
    step(page, "02-draft")
    offer = Offer.objects.get(title="Escape game « L'énigme de Chloé »")
    assert offer.booking_opens_at == opens.replace(second=0, microsecond=0)
    assert page.get_by_role("heading", name="Publication programmée").is_visible()
    page.get_by_role("button", name="Publier").click()
    page.wait_for_selector("text=publiée")
    log_out(page)

    log_in_from_home(page, young.email)
    page.goto("/jeunes/offres/")
    page.get_by_role("link", name="Escape game « L'énigme de Chloé »").click()
    step(page, "03-young-offer")
    assert page.get_by_text("Les réservations ouvrent le").is_visible()
    assert page.get_by_role("button", name="Réserver").count() == 0
