"""A beneficiary books a free workshop; the librarian validates it at the guichet, then
undoes the validation. Axe audit on every page."""

import pytest

from offers.models import Booking, BookingStatus
from passlib.formats import session_time_fr
from tests.browser.labels import field, log_in_from_home
from tests.conftest import assert_accessible
from tests.factories import (
    make_beneficiary,
    make_offer,
    make_session,
    past_its_cancellation_deadline,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


PHONE = {"width": 375, "height": 812}


def test_book_a_free_workshop_then_validate_and_undo_at_the_guichet(page, space, member):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier manga")
    session = make_session(offer, days=6, total_places=10, quota=6)
    young = make_beneficiary(16, first_name="Inès", last_name="Diallo")

    # on her phone, through the menu
    page.set_viewport_size(PHONE)
    log_in_from_home(page, young.email)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Offres pour les jeunes"
    ).click()
    assert_accessible(page, "booking-01-catalog")
    page.get_by_role("link", name="Atelier manga").click()
    page.wait_for_url("**/jeunes/offres/*/")
    assert page.get_by_text("6 places").first.is_visible()
    # its date is written once, in « Réserver », next to its button (issue 27)
    when = session_time_fr(session.starts_at, session.ends_at, weekday=True)
    assert page.get_by_text(when).count() == 1
    assert page.get_by_role("heading", name="Dates").count() == 0
    assert_accessible(page, "booking-02-offer")
    page.get_by_role("button", name="Réserver").click()
    page.wait_for_url("**/jeunes/reservations/")
    booking = Booking.objects.get(beneficiary=young)
    assert page.locator(".code").inner_text() == booking.code
    assert page.locator(".qr svg").is_visible()
    assert_accessible(page, "booking-03-my-bookings")
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/")

    # three days later, she can no longer cancel: the guichet may validate
    past_its_cancellation_deadline(booking)
    log_in_from_home(page, member.email)  # at the door, on the library's phone
    page.get_by_role("link", name="Guichet").click()
    page.wait_for_url("**/guichet/")
    assert_accessible(page, "guichet-01-empty")
    code_input = page.locator("#id_code")
    code_input.type(booking.code[:2].lower())
    assert page.locator("#code-counter").inner_text() == "Il reste 4 caractères à saisir"
    code_input.type(" " + booking.code[2:].lower())
    assert page.locator("#code-counter").inner_text() == "Code complet"
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_selector("#result h2")
    assert page.get_by_text("Inès Diallo").is_visible()
    assert page.get_by_text("Vérifiez la pièce d'identité").is_visible()
    assert_accessible(page, "guichet-02-found")

    page.get_by_role("button", name="Valider la contremarque").click()
    page.wait_for_selector("text=Contremarque " + booking.code + " validée.")
    assert page.get_by_text("Validée le").is_visible()
    assert_accessible(page, "guichet-03-validated")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.VALIDATED

    page.get_by_role("button", name="Invalider").click()
    page.wait_for_selector("text=Confirmez-vous l'invalidation")
    assert_accessible(page, "guichet-04-confirm-undo")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.VALIDATED
    page.get_by_role("button", name="Oui, invalider").click()
    page.wait_for_selector("text=Validation de la contremarque " + booking.code + " annulée.")
    assert page.get_by_role("button", name="Valider la contremarque").is_visible()
    assert_accessible(page, "guichet-05-undone")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_guichet_works_without_javascript(browser, live_server, space, member):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    offer = make_offer(space["venue"], "ESCAPE_GAME", title="Escape")
    young = make_beneficiary(17)
    from offers.services.bookings import booking_create

    booking = booking_create(user=young, offer=offer)
    page.set_viewport_size(PHONE)
    log_in_from_home(page, member.email)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Guichet"
    ).click()
    field(page, "Contremarque").fill(booking.code.lower())
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/guichet/?code=*")
    page.get_by_role("button", name="Valider la contremarque").click()
    page.wait_for_load_state()
    assert page.get_by_text(f"Contremarque {booking.code} validée.").is_visible()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.VALIDATED
    context.close()


def test_on_her_phone_a_young_person_is_told_before_the_click(page, space):
    """Issue 27, section 4: with 0 € of credit, « Réserver » on a paid offer is disabled and
    the reason is next to it (its accessible description); a session less than 48 hours
    away says she will not be able to cancel, before she books it."""
    page.set_viewport_size({"width": 375, "height": 812})
    paid = make_offer(space["venue"], "ESCAPE_GAME", title="Escape game du musée", price_cents=1200)
    soon = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier BD d'Angoulême")
    make_session(soon, days=1, total_places=8)
    young = make_beneficiary(16, first_name="Chloé", last_name="d'Arc")  # 0 € before 17

    log_in_from_home(page, young.email)
    page.goto(f"/jeunes/offres/{paid.public_id}/")
    button = page.get_by_role("button", name="Réserver")
    assert button.is_disabled()
    reason = page.get_by_text("Ton crédit pass Culture ne suffit pas pour cette offre")
    assert reason.is_visible()
    assert "elle coûte 12 € et il te reste 0 €" in reason.inner_text()
    described = button.get_attribute("aria-describedby")
    assert page.locator(f"#{described}").inner_text() == reason.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "booking-told-01-no-credit-phone")

    page.goto("/jeunes/offres/")
    page.get_by_role("link", name="Atelier BD d'Angoulême").click()
    page.wait_for_url("**/jeunes/offres/*/")
    warning = page.get_by_text("cette séance commence dans moins de 48 heures")
    assert warning.is_visible()
    assert "tu ne pourras plus annuler" in warning.inner_text()
    book = page.get_by_role("button", name="Réserver")
    assert book.is_enabled()
    assert page.locator(f"#{book.get_attribute('aria-describedby')}").inner_text() == (
        warning.inner_text()
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "booking-told-02-within-48-hours-phone")
    book.click()
    page.wait_for_url("**/jeunes/reservations/")
    assert page.get_by_text("Le délai d'annulation est dépassé.").is_visible()
    assert_accessible(page, "booking-told-03-booked-phone")
