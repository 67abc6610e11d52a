"""A session moves (issue 28, must show 1a), through visible French labels only: the
librarian, at her desk, moves Wednesday's booked workshop to Saturday from the session's
edit page; Inès reads the e-mail as she would (plain text: both dates), her calendar
file parses back to the same event moved (same UID, higher SEQUENCE, new start and end
in the venue's zone), and on her phone she cancels from the e-mail's link although her
old cancellation deadline had passed. Axe on every page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from accounts.models import Beneficiary
from offers.models import Booking, BookingStatus, Session
from offers.services import bookings as booking_services
from passlib.formats import date_fr, datetime_fr, time_fr
from tests.browser.labels import field, log_in_from_home, log_out
from tests.conftest import assert_accessible
from tests.factories import make_beneficiary, make_offer, past_its_cancellation_deadline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
PARIS = ZoneInfo("Europe/Paris")


def _next_wednesday_at_15() -> datetime:
    """A Wednesday at least 8 days ahead, 15:00 at the venue (Europe/Paris)."""
    day = timezone.localdate(timezone.now() + timedelta(days=8), PARIS)
    day += timedelta(days=(2 - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, 15, 0, tzinfo=PARIS)


def test_a_librarian_moves_a_booked_session_and_the_young_person_cancels_from_the_email(
    page, space, member
):
    offer = make_offer(
        space["venue"],
        "ATELIER_PRATIQUE_ART",
        title="Atelier manga",
        duration_minutes=90,
        price_cents=850,
    )
    wednesday = _next_wednesday_at_15()
    session = Session.objects.create(
        offer=offer, starts_at=wednesday, booking_limit_at=wednesday, total_places=12
    )
    ines = make_beneficiary(17, first_name="Inès", last_name="Diallo", email="ines@exemple.fr")
    booking = booking_services.booking_create(user=ines, offer=offer, session=session)
    past_its_cancellation_deadline(booking)  # booked 3 days ago: her deadline has passed
    credit = Beneficiary.objects.get(user=ines).credit_cents
    mail.outbox.clear()

    # The librarian, at her desk, opens the session from the offer and moves it.
    page.set_viewport_size(DESKTOP)
    log_in_from_home(page, member.email)
    page.get_by_role("link", name="Offres", exact=True).click()
    page.get_by_role("link", name="Atelier manga").click()
    page.get_by_role(
        "link", name=f"Modifier la séance du {datetime_fr(wednesday, tz=PARIS)}"
    ).click()
    page.wait_for_url("**/seances/*/")
    assert page.get_by_text(
        "1 place déjà réservée pass Culture, 0 place déjà prise hors pass Culture."
    ).is_visible()
    assert page.get_by_text(re.compile("^Si vous changez la date ou l'heure")).is_visible()
    assert_accessible(page, "move-01-session-form")
    saturday = (wednesday + timedelta(days=3)).replace(hour=10, minute=30)
    field(page, "Début").fill(saturday.strftime("%Y-%m-%dT%H:%M"))
    field(page, "Date limite de réservation").fill("")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector("text=Séance modifiée : les jeunes qui ont réservé")
    assert page.get_by_text(datetime_fr(saturday, tz=PARIS)).first.is_visible()
    assert_accessible(page, "move-02-moved")
    log_out(page)

    # Inès reads her e-mail as plain text: both dates, with their end.
    (message,) = [m for m in mail.outbox if m.to == [ines.email]]
    assert message.subject == (
        f"Changement de date : Atelier manga, désormais le {datetime_fr(saturday, tz=PARIS)}"
    )
    assert f"Ancienne date : {date_fr(wednesday, weekday=True)} de 15:00 à 16:30" in message.body
    assert f"Nouvelle date : {date_fr(saturday, weekday=True)} de 10:30 à 12:00" in message.body
    assert wednesday.strftime("%A") == "Wednesday" and saturday.strftime("%A") == "Saturday"
    assert "mercredi" in message.body and "samedi" in message.body
    assert time_fr(saturday) == "10:30"
    # Her calendar file replaces the event: same UID, higher SEQUENCE, the new times.
    [ics] = [content for name, content, _ in message.attachments if name.endswith(".ics")]
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["UID"]) == f"reservation-{booking.public_id}@passlib"
    assert int(event["SEQUENCE"]) == 1
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTSTART") == saturday
    assert event.decoded("DTEND") == saturday + timedelta(minutes=90)

    # On her phone she follows « Je ne viendrai pas » and frees her place.
    link = re.search(r"Je ne viendrai pas : (\S+)", message.body).group(1)
    assert link.startswith(settings.SITE_URL)
    page.set_viewport_size(PHONE)
    page.goto(link.removeprefix(settings.SITE_URL))
    assert page.get_by_role("heading", name="Je ne viendrai pas").is_visible()
    assert page.get_by_text(
        f"{date_fr(saturday, weekday=True)} de 10:30 à 12:00"
    ).first.is_visible()
    assert_accessible(page, "move-03-release-page")
    page.get_by_role("button", name="Libérer ma place").click()
    page.wait_for_selector("text=Cette réservation est annulée")
    assert_accessible(page, "move-04-released")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert Beneficiary.objects.get(user=ines).credit_cents == credit + 850  # to the cent
    assert Booking.objects.filter(session=session, status="confirmed").count() == 0
