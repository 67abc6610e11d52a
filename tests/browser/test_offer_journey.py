"""A librarian publishes a free reading club with two sessions and a pass Culture quota."""

from datetime import timedelta

import pytest
from django.utils import timezone

from offers.models import Offer, OfferStatus
from tests.conftest import assert_accessible
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_librarian_publishes_a_free_reading_club(page, space, member):
    page.goto("/connexion/")
    page.fill("#id_username", member.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espace/")

    page.get_by_role("link", name="Offres", exact=True).click()
    page.wait_for_url("**/offres/")
    assert_accessible(page, "offer-01-list-empty")
    page.get_by_role("link", name="Publier une offre gratuite").click()
    assert_accessible(page, "offer-02-free-models")
    page.get_by_role("link", name="Clubs de lecture").click()
    page.wait_for_url("**/offres/nouvelle/?modele=club-lecture")
    assert page.input_value("#id_title") == "Club de lecture"
    assert page.input_value("#id_price") == "0,00"
    # the reading-club guidance and the speaker field of "Rencontre"
    assert page.locator("#dependent").get_by_text("Un club de lecture se publie").is_visible()
    assert page.locator("#id_speaker").is_visible()
    assert_accessible(page, "offer-03-form-rencontre")

    # the form narrows itself with htmx: a subscription asks for a stock, no speaker
    page.select_option("#id_subcategory", "ABO_BIBLIOTHEQUE")
    page.wait_for_selector("#id_quantity")
    assert page.locator("#id_speaker").count() == 0
    assert page.locator("#dependent").get_by_text("emprunt de CD").is_visible()
    page.select_option("#id_subcategory", "RENCONTRE")
    page.wait_for_selector("#id_speaker")
    assert page.locator("#id_quantity").count() == 0

    page.fill("#id_title", "Club de lecture ados")
    page.fill("#id_description", "Chaque mois, on partage nos lectures.\nGoûter offert.")
    page.fill("#id_speaker", "Hugo, bibliothécaire")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/offres/*/")
    assert_accessible(page, "offer-04-detail-draft")

    base = timezone.localtime(timezone.now() + timedelta(days=10)).replace(hour=17, minute=30)
    for i in range(2):
        start = base + timedelta(days=7 * i)
        page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
        page.fill("#id_total_places", "12")
        page.fill("#id_quota", "8")
        page.get_by_role("button", name="Ajouter la séance").click()
        page.wait_for_load_state()
        assert page.get_by_text("Séance ajoutée.").is_visible()
    assert page.locator("tbody tr").count() == 2
    page.get_by_role("button", name="Publier").click()
    page.wait_for_load_state()
    assert page.get_by_text("Offre « Club de lecture ados » publiée.").is_visible()
    assert_accessible(page, "offer-05-detail-published")

    page.get_by_role("link", name="Toutes les offres").click()
    page.wait_for_url("**/offres/")
    row = page.get_by_role("row").filter(has_text="Club de lecture ados")
    assert row.get_by_text("Publiée").is_visible()
    assert row.get_by_text("Gratuit").is_visible()
    assert_accessible(page, "offer-06-list")

    row.get_by_role("link", name="Club de lecture ados").click()
    page.get_by_role("link", name="Aperçu").click()
    page.wait_for_url("**/apercu/")
    assert page.get_by_text("8 places restantes").count() == 2
    assert_accessible(page, "offer-07-preview")

    offer = Offer.objects.get(title="Club de lecture ados")
    assert offer.status == OfferStatus.PUBLISHED and offer.price_cents == 0
    assert [(s.total_places, s.quota) for s in offer.sessions.all()] == [(12, 8), (12, 8)]
