"""Teacher request → bookable offer for the school → pre-booking → confirmation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from offers.models import CollectiveBooking
from offers.services import collective_bookings
from passlib.refusal import Refusal
from tests.conftest import assert_accessible
from tests.factories import (
    PASSWORD,
    make_collective_offer,
    make_school,
    make_showcase,
    make_teacher,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email):
    page.goto("/connexion/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/")


def test_teacher_request_to_confirmed_booking(page, space, member):
    make_showcase(space["venue"], title="Club de lecture pour une classe")
    school = make_school(name="Collège Jean Moulin")
    teacher = make_teacher(school, first_name="Marc", last_name="Lefort")

    log_in(page, teacher.email)
    page.get_by_role("link", name="Offres pour ma classe").click()
    page.wait_for_url("**/enseignants/offres/")
    assert_accessible(page, "collective-01-teacher-offers")
    page.get_by_role("link", name="Club de lecture pour une classe").click()
    assert_accessible(page, "collective-02-showcase")
    page.fill("#id_message", "Pour ma classe de 6e B, autour des romans d'aventure.")
    page.fill("#id_students", "26")
    page.fill("#id_preferred_dates", "en février")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url("**/enseignants/offres/")
    assert page.get_by_text("Votre demande a été envoyée").is_visible()
    log_out(page)

    log_in(page, member.email)
    page.get_by_role("link", name="Offres collectives").click()
    assert_accessible(page, "collective-03-pro-list")
    page.get_by_role("link", name="Club de lecture pour une classe").click()
    assert page.get_by_text("romans d'aventure").is_visible()
    assert_accessible(page, "collective-04-pro-showcase")
    page.get_by_role("link", name="Créer une offre réservable pour Collège Jean Moulin").click()
    assert page.input_value("#id_school_uai") == school.uai
    start = timezone.localtime(timezone.now() + timedelta(days=45)).replace(hour=9, minute=0)
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ends_at", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_price", "120")
    page.fill("#id_price_details", "Deux séances avec une autrice")
    assert_accessible(page, "collective-05-bookable-form")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/collectif/offres/*/")
    page.get_by_role("button", name="Publier").click()
    page.wait_for_load_state()
    assert_accessible(page, "collective-06-bookable-published")
    log_out(page)

    log_in(page, teacher.email)
    page.goto("/enseignants/offres/")
    page.get_by_role("link", name="Club de lecture pour une classe").first.click()
    page.wait_for_url("**/enseignants/offres/*/")
    assert_accessible(page, "collective-07-teacher-bookable")
    page.get_by_role("button", name="Préréserver pour Collège Jean Moulin").click()
    page.wait_for_url("**/enseignants/reservations/")
    assert page.get_by_text("Préréservée", exact=True).is_visible()
    assert_accessible(page, "collective-08-school-bookings")
    page.get_by_role("button", name="Confirmer la réservation").click()
    page.wait_for_load_state()
    assert page.get_by_text("Statut : Réservée").is_visible()
    log_out(page)

    log_in(page, member.email)
    page.goto("/collectif/")
    row = page.get_by_role("row").filter(has_text="Collège Jean Moulin")
    assert row.get_by_text("Réservée").is_visible()
    page.goto("/reservations/collectives/")
    assert page.get_by_role("cell", name="Réservée").is_visible()
    assert_accessible(page, "collective-09-pro-bookings")
    assert CollectiveBooking.objects.get().status == "booked"


def test_a_teacher_is_told_before_that_the_school_can_no_longer_cancel(page, space):
    """Issue 27, section 4: an offer starting in 20 days says, before « Préréserver »,
    that the school will not be able to cancel it; on the school's bookings, « Annuler »
    is disabled with the date it was possible until."""
    school = make_school(name="Collège Jean Moulin")
    teacher = make_teacher(school, first_name="Marc", last_name="Lefort")
    make_collective_offer(space["venue"], days=20, title="Visite contée de la médiathèque")
    log_in(page, teacher.email)
    page.get_by_role("link", name="Offres pour ma classe").click()
    page.get_by_role("link", name="Visite contée de la médiathèque").click()
    warning = page.get_by_text("cette offre commence dans moins de 30 jours")
    assert warning.is_visible()
    prebook = page.get_by_role("button", name="Préréserver pour Collège Jean Moulin")
    assert page.locator(f"#{prebook.get_attribute('aria-describedby')}").inner_text() == (
        warning.inner_text()
    )
    assert_accessible(page, "collective-told-01-prebook-within-30-days")
    prebook.click()
    page.wait_for_url("**/enseignants/reservations/")
    cancel = page.get_by_role("button", name="Annuler la réservation de Visite contée")
    assert cancel.is_disabled()
    reason = page.locator(f"#{cancel.get_attribute('aria-describedby')}").inner_text()
    assert "L'établissement pouvait annuler jusqu'au" in reason and "contactez le lieu" in reason
    assert_accessible(page, "collective-told-02-cancel-disabled")
    with pytest.raises(Refusal, match="30 jours"):  # the service still refuses
        collective_bookings.cancel_by_school(user=teacher, booking=CollectiveBooking.objects.get())
