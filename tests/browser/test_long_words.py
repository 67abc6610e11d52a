"""A title made of one long unbroken word (90 characters, the most a title holds) wraps
on a phone instead of pushing the page sideways: the catalogue, the offer page and the
young person's bookings at 375 px (found by a new user in issue 28's tryout)."""

from __future__ import annotations

import pytest

from tests.browser.labels import log_in_from_home
from tests.conftest import assert_accessible
from tests.factories import make_beneficiary, make_booking, make_offer, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
TITLE = "Atelier-" + "fanzine" * 11 + "-fina"  # 90 characters, no space


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_long_word_in_a_title_wraps_on_a_phone(page, space):
    assert len(TITLE) == 90
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title=TITLE)
    session = make_session(offer, days=9, total_places=8)
    young = make_beneficiary(16, first_name="Chloé", last_name="d'Arc")
    make_booking(offer, session=session, beneficiary=young)
    page.set_viewport_size(PHONE)
    log_in_from_home(page, young.email)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Offres pour les jeunes"
    ).click()
    page.wait_for_selector("li.card")
    assert fits(page)
    page.get_by_role("link", name=TITLE).first.click()
    page.wait_for_url("**/jeunes/offres/*/")
    assert fits(page)
    assert_accessible(page, "long-word-01-offer")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Mes réservations"
    ).click()
    page.wait_for_url("**/jeunes/reservations/")
    assert fits(page)
    assert_accessible(page, "long-word-02-my-bookings")
