"""A full session, through visible French labels only (issue 16): Inès joins the waiting
list from the offer page; the librarian sees her in the session's line; Léa, who holds
the last place, cancels it; Inès gets the e-mail, follows its link and confirms the place
held for her. Axe on every page."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from offers.models import Booking, BookingStatus, WaitlistEntry
from tests.browser.labels import field, log_in_from_home, log_out
from tests.conftest import assert_accessible
from tests.factories import PASSWORD, make_beneficiary, make_offer, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_join_the_list_someone_cancels_the_first_in_line_confirms(page, space, member):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier BD d'Angoulême")
    full = make_session(offer, days=9, total_places=1)
    make_session(offer, days=16, total_places=10)  # another date, with places
    lea = make_beneficiary(16, first_name="Léa", last_name="L'Haÿ", email="lea@exemple.fr")
    from offers.services import bookings as booking_services

    held = booking_services.booking_create(user=lea, offer=offer, session=full)
    ines = make_beneficiary(17, first_name="Inès", last_name="N'Diaye", email="ines@exemple.fr")

    # Inès finds the offer on her phone; its first date is full.
    page.set_viewport_size({"width": 375, "height": 812})
    log_in_from_home(page, ines.email)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Offres pour les jeunes"
    ).click()
    page.get_by_role("link", name="Atelier BD d'Angoulême").click()
    page.wait_for_url("**/jeunes/offres/*/")
    assert_accessible(page, "waitlist-01-offer-full")
    page.get_by_role("button", name=re.compile("^Rejoindre la liste d'attente")).click()
    page.wait_for_selector("text=en position 1")
    assert_accessible(page, "waitlist-02-joined")
    assert page.get_by_role("button", name=re.compile("^Quitter la liste d'attente")).is_visible()
    # « Mes réservations » leads to her place in line (issue 27: only an e-mail did)
    page.get_by_role("link", name="Mes réservations").click()
    page.get_by_role("link", name="Atelier BD d'Angoulême").click()
    page.wait_for_url("**/jeunes/liste-attente/*/")
    assert page.get_by_text("Tu es sur la liste d'attente, en position 1").is_visible()
    assert_accessible(page, "waitlist-02a-her-entry")
    log_out(page)

    # The librarian sees who waits, under the session's participants.
    log_in_from_home(page, member.email)
    page.get_by_role("link", name="Offres", exact=True).click()
    page.get_by_role("link", name="Atelier BD d'Angoulême").click()
    page.get_by_role("link", name=re.compile(r"^Participants de la séance du")).first.click()
    page.wait_for_url("**/participants/")
    assert page.get_by_role("heading", name="Liste d'attente (1)").is_visible()
    assert page.get_by_role("cell", name="N'Diaye Inès").is_visible()
    assert page.get_by_role("cell", name="En attente (n° 1)").is_visible()
    assert_accessible(page, "waitlist-02b-librarian-sees-the-line")
    log_out(page)

    # Léa cannot come after all: she cancels from her bookings.
    log_in_from_home(page, lea.email)
    page.get_by_role("link", name="Mes réservations").click()
    page.get_by_text(f"Annuler la réservation {held.code}", exact=True).click()
    page.get_by_role("button", name=re.compile("^Oui, annuler")).click()
    page.wait_for_selector(f"text=Réservation {held.code} annulée.")
    assert_accessible(page, "waitlist-03-lea-cancelled")
    log_out(page)

    # Inès reads the e-mail as she would, and follows its link.
    message = [m for m in mail.outbox if m.to == [ines.email]][-1]
    assert message.subject.startswith("Une place s'est libérée : Atelier BD d'Angoulême")
    assert not re.search(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", message.subject + message.body)
    path = re.search(r"https?://[^/\s]+(/jeunes/liste-attente/\S+/)", message.body).group(1)
    page.goto(path)  # not logged in: the login page, then back to the link
    field(page, "Adresse électronique").fill(ines.email)
    field(page, "Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"**{path}")
    assert page.get_by_text("Une place s'est libérée pour toi").is_visible()
    assert_accessible(page, "waitlist-04-place-offered")
    page.get_by_role("button", name="Confirmer ma réservation").click()
    page.wait_for_url("**/jeunes/reservations/")
    assert page.get_by_text(re.compile("Réservation confirmée. Ta contremarque")).is_visible()
    assert_accessible(page, "waitlist-05-confirmed")

    booking = Booking.objects.get(beneficiary=ines, session=full)
    assert booking.status == BookingStatus.CONFIRMED
    assert WaitlistEntry.objects.get(person=ines).status == "booked"
    full.refresh_from_db()
    assert (full.booked_count, full.held_count) == (1, 0)
