"""An offer's age range (issue 28), through visible French labels only. On a phone, Sofia
(16) ticks « Pour mon âge » and sees the offers meant for her, then finds by search a
« 17–18 ans » writing workshop and reads, where the button would be, why she cannot
book it. On a desktop, a librarian sets « 15 ans » / « 17 ans » in the offer form and
reads « 15–17 ans » on the offer's page. Axe on every page; no sideways scroll."""

from __future__ import annotations

import re

import pytest

from offers.models import Offer
from tests.browser.labels import field, log_in_from_home
from tests.conftest import assert_accessible
from tests.factories import make_beneficiary, make_offer, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_16_year_old_sees_the_offers_for_her_age_and_is_told_why_not_the_others(page, space):
    venue = space["venue"]
    for title, low, high in [
        ("Atelier slam", 15, 17),
        ("Club manga", None, None),
        ("Ciné-débat", 16, None),
        ("Atelier d'écriture lycée", 17, 18),
        ("Heure du conte", None, 15),
    ]:
        offer = make_offer(venue, "ATELIER_PRATIQUE_ART", title=title, age_min=low, age_max=high)
        make_session(offer, days=9, total_places=10)
    sofia = make_beneficiary(16, first_name="Sofia")

    page.set_viewport_size(PHONE)
    log_in_from_home(page, sofia.email)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Offres pour les jeunes"
    ).click()
    page.wait_for_selector("text=5 offres")
    field(page, "Pour mon âge").check()
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_selector("text=3 offres")
    titles = sorted(page.locator("li.card h2").all_inner_texts())
    assert titles == ["Atelier slam", "Ciné-débat", "Club manga"]
    slam = page.locator("li.card").filter(has_text="Atelier slam")
    assert slam.get_by_text("15–17 ans", exact=True).is_visible()
    assert page.locator("li.card").filter(has_text="Ciné-débat").get_by_text("Dès 16 ans").count()
    assert field(page, "Pour mon âge").is_checked()
    assert fits(page)
    assert_accessible(page, "age-01-catalogue-for-my-age")

    # The writing workshop, reached by search (not « Pour mon âge »).
    field(page, "Pour mon âge").uncheck()
    field(page, "Rechercher").fill("écriture")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_selector("text=1 offre")
    card = page.locator("li.card").filter(has_text="Atelier d'écriture lycée")
    assert card.get_by_text("17–18 ans", exact=True).is_visible()
    assert_accessible(page, "age-02-search-result")
    page.get_by_role("link", name="Atelier d'écriture lycée").click()
    page.wait_for_url("**/jeunes/offres/*/")
    assert page.get_by_text(
        "Cette offre est prévue pour les 17–18 ans : tu as 16 ans, tu ne peux pas la réserver."
    ).is_visible()
    assert page.get_by_role("button", name=re.compile("^Réserver")).count() == 0
    assert page.get_by_role("button", name=re.compile("^Rejoindre")).count() == 0
    assert page.get_by_role("heading", name="Dates").is_visible()  # still told when
    assert fits(page)
    assert_accessible(page, "age-03-offer-out-of-range")


def test_a_librarian_sets_15_to_17_and_reads_it_on_the_offer_page(page, space, member):
    page.set_viewport_size(DESKTOP)
    log_in_from_home(page, member.email)
    page.get_by_role("link", name="Offres", exact=True).click()
    page.wait_for_url("**/offres/")
    page.get_by_role("link", name="Créer une offre").first.click()
    page.wait_for_url("**/offres/nouvelle/")
    field(page, "Catégorie et sous-catégorie").select_option("RENCONTRE")
    page.wait_for_selector("text=Type d'offre")
    field(page, "Titre").fill("Atelier slam")
    field(page, "Âge minimum").select_option(label="15 ans")
    field(page, "Âge maximum").select_option(label="17 ans")
    assert_accessible(page, "age-04-offer-form")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/offres/*/")
    assert page.get_by_text(re.compile("— 15–17 ans$")).is_visible()
    assert_accessible(page, "age-05-offer-page")
    offer = Offer.objects.get(title="Atelier slam")
    assert (offer.age_min, offer.age_max) == (15, 17)
