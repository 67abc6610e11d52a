"""A librarian, through visible labels only: publishes, deactivates and reactivates an
offer and reads its history; at the guichet validates a code, undoes it, validates it
again and reads who did what. Axe audit on every page."""

import pytest

from offers.models import Booking, BookingStatus
from offers.services.bookings import booking_create
from tests.conftest import assert_accessible
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    make_beneficiary,
    make_offer,
    make_session,
    past_its_cancellation_deadline,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email):
    page.goto("/")
    navigation = page.get_by_role("navigation", name="Navigation principale")
    navigation.get_by_role("link", name="Se connecter").click()
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def test_a_librarian_reads_the_history_of_an_offer_and_of_a_code(page, space):
    librarian = MembershipFactory(
        collectivite=space["collectivite"],
        user__first_name="Chloé",
        user__last_name="d'Arc",
    ).user
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier d'écriture")
    make_session(offer, days=6, total_places=12, quota=8)
    offer.status = "draft"
    offer.save()

    log_in(page, librarian.email)
    page.get_by_role("link", name="Offres", exact=True).click()
    page.get_by_role("link", name="Atelier d'écriture").click()
    page.get_by_role("button", name="Publier").click()
    page.get_by_role("button", name="Désactiver").click()
    page.get_by_role("button", name="Réactiver").click()
    page.wait_for_selector("text=Offre « Atelier d'écriture » réactivée.")
    history = page.locator("ol.history")
    for text in (
        "Offre publiée",
        "(brouillon → publiée)",
        "Offre désactivée",
        "Offre réactivée",
        "(désactivée → publiée)",
    ):
        assert history.get_by_text(text).first.is_visible(), text
    assert history.get_by_text("par Chloé d'Arc").count() == 3
    assert_accessible(page, "history-01-offer")

    young = make_beneficiary(17, first_name="Léa", last_name="Martin")
    booking = booking_create(user=young, offer=offer, session=offer.sessions.first())
    past_its_cancellation_deadline(booking)
    page.get_by_role("link", name="Guichet").click()
    page.get_by_label("Contremarque").fill(booking.code.lower())
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("button", name="Valider la contremarque").click()
    page.wait_for_selector(f"text=Contremarque {booking.code} validée.")
    page.get_by_role("button", name="Invalider").click()
    page.get_by_role("button", name="Oui, invalider").click()
    page.wait_for_selector(f"text=Validation de la contremarque {booking.code} annulée.")
    page.get_by_role("button", name="Valider la contremarque").click()
    page.wait_for_selector(f"text=Contremarque {booking.code} validée.")

    history = page.locator("#result ol.history")
    assert history.locator("li").count() == 4  # booked, validated, unvalidated, validated
    assert history.get_by_text("Validation annulée").is_visible()
    assert history.get_by_text("par le jeune").is_visible()
    assert history.get_by_text("par Chloé d'Arc").count() == 3
    assert history.get_by_text("Validée le").is_visible()  # the undo keeps who had validated
    assert_accessible(page, "history-02-guichet")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.VALIDATED

    # The bookings list: rows rendered by the template, a cancel form in each.
    other = make_beneficiary(16, first_name="Noé", last_name="O'Brien & fils")
    second = booking_create(user=other, offer=offer, session=offer.sessions.first())
    page.get_by_role("link", name="Réservations").click()
    row = page.get_by_role("row").filter(has_text=second.code)
    assert row.get_by_text("Noé O'Brien & fils").is_visible()
    assert page.get_by_role("row").filter(has_text=booking.code).get_by_text("par Chloé d'Arc")
    assert_accessible(page, "history-03-bookings")
    # Cancelling asks first: the row's button opens the reason and the confirmation.
    page.get_by_text(f"Annuler la réservation {second.code}").click()
    page.get_by_label(f"Motif d'annulation de {second.code}").fill("Atelier reporté")
    page.get_by_role("button", name=f"Confirmer l'annulation de {second.code}").click()
    page.wait_for_selector(f"text=Réservation {second.code} annulée")
    assert Booking.objects.get(pk=second.pk).status == BookingStatus.CANCELLED
    assert_accessible(page, "history-04-cancelled")
