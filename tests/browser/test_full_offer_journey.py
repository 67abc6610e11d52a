"""A full offer found in the catalogue (issue 27), on a phone, through visible French
labels only: Inès searches « bande dessinée », finds the workshop whose only date is
full, marked « Complet — liste d'attente » after the bookable offers, opens it — its
date written once — and joins its waiting list. Axe on every page; no page scrolls
sideways at 375 px."""

from __future__ import annotations

import re

import pytest

from offers.models import WaitlistEntry
from tests.browser.labels import field, log_in_from_home
from tests.conftest import assert_accessible
from tests.factories import make_beneficiary, make_booking, make_offer, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_young_person_finds_a_full_offer_and_joins_its_waiting_list(page, space):
    venue = space["venue"]
    full = make_offer(venue, "ATELIER_PRATIQUE_ART", title="Atelier bande dessinée")
    session = make_session(full, days=9, total_places=1)
    make_booking(full, session=session, beneficiary=make_beneficiary(16, first_name="Léa"))
    bookable = make_offer(venue, "ATELIER_PRATIQUE_ART", title="Bande dessinée : le strip")
    make_session(bookable, days=12, total_places=8)
    ines = make_beneficiary(17, first_name="Inès", last_name="N'Diaye")

    page.set_viewport_size(PHONE)
    log_in_from_home(page, ines.email)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Offres pour les jeunes"
    ).click()
    field(page, "Rechercher").fill("bande dessinée")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_selector("text=2 offres")
    cards = page.locator("li.card h2")
    assert cards.all_inner_texts() == ["Bande dessinée : le strip", "Atelier bande dessinée"]
    full_card = page.locator("li.card").filter(has_text="Atelier bande dessinée").last
    assert full_card.get_by_text("Complet — liste d'attente").is_visible()
    assert full_card.get_by_text(re.compile("^Prochaine date : ")).is_visible()
    assert fits(page)
    assert_accessible(page, "full-offer-01-catalogue")

    page.get_by_role("link", name="Atelier bande dessinée", exact=True).click()
    page.wait_for_url("**/jeunes/offres/*/")
    assert page.get_by_role("heading", name="Dates").count() == 0  # written once, below
    assert fits(page)
    assert_accessible(page, "full-offer-02-offer-page")
    page.get_by_role("button", name=re.compile("^Rejoindre la liste d'attente")).click()
    page.wait_for_selector("text=en position 1")
    assert fits(page)
    assert_accessible(page, "full-offer-03-joined")
    assert WaitlistEntry.objects.get(person=ines).session == session
