"""Calendar files in Chromium, through visible labels (issue 16, the calendar part): a
librarian creates the venue's iCal link from an offer's sessions, then revokes it; a
young person downloads her booking's .ics with "Ajouter à mon agenda". Axe at 0."""

from __future__ import annotations

import re

import pytest
from icalendar import Calendar

from offers.models import VenueCalendar
from offers.services.bookings import booking_create
from tests.conftest import assert_accessible
from tests.factories import PASSWORD, make_beneficiary, make_offer, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email: str) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Se connecter"
    ).click()
    page.get_by_label(re.compile(r"^Adresse électronique")).fill(email)
    page.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def test_a_venue_feed_and_a_booking_in_the_calendar(page, space, member):
    offer = make_offer(space["venue"], "RENCONTRE", title="Club de lecture")
    session = make_session(offer, days=5, total_places=12, quota=8)
    log_in(page, member.email)
    page.get_by_role("link", name="Offres", exact=True).click()
    page.get_by_role("link", name="Club de lecture").click()
    page.get_by_role("link", name="Agenda des séances du lieu (iCal)").click()
    assert_accessible(page, "calendar-01-venue-empty")
    page.get_by_role("button", name="Créer le lien d'agenda").click()
    page.wait_for_selector("text=Lien d'agenda créé.")
    feed = VenueCalendar.objects.get(venue=space["venue"])
    assert (
        page.get_by_label("Lien d'abonnement (iCal)")
        .input_value()
        .endswith(f"/agenda/{feed.token}.ics")
    )
    assert_accessible(page, "calendar-02-venue-link")
    page.get_by_role("button", name="Révoquer le lien").click()
    page.wait_for_selector("text=Lien d'agenda révoqué")
    assert not VenueCalendar.objects.exists()
    page.get_by_role("button", name="Se déconnecter").click()

    young = make_beneficiary(16, first_name="Chloé", last_name="d'Arc")
    booking = booking_create(user=young, offer=offer, session=session)
    log_in(page, young.email)
    page.get_by_role("link", name="Mes réservations").click()
    assert_accessible(page, "calendar-03-my-bookings")
    with page.expect_download() as download:
        page.get_by_role("link", name="Ajouter à mon agenda : Club de lecture").click()
    with open(download.value.path(), "rb") as ics:
        [event] = Calendar.from_ical(ics.read()).walk("VEVENT")
    assert booking.code in str(event["description"])
    assert event.decoded("dtstart").replace(microsecond=0) == session.starts_at.replace(
        microsecond=0
    )
