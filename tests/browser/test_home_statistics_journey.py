"""The pro home and the statistics in Chromium (issue 18), through what people see: a
librarian opens « Mon espace » in the morning, follows today's session to its
participants and the to-do to the guichet, where she validates a code; an administrator
opens the statistics (charts audited by axe with the rest), picks a year and downloads
the activity report as PDF and Excel, read back outside the app."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from offers.models import Booking, BookingStatus
from offers.services.bookings import booking_create
from tests.browser.labels import field, log_in_from_home, log_out
from tests.conftest import assert_accessible
from tests.factories import make_beneficiary, make_offer, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def step(page, name: str) -> None:
    page.wait_for_load_state()
    assert_accessible(page, f"home-{name}")


def nav(page):
    return page.get_by_role("navigation", name="Navigation principale")


def _session_later_today(venue):
    offer = make_offer(venue, "RENCONTRE", title="Club de lecture ados")
    session = make_session(offer, days=1, total_places=12)
    now = timezone.localtime()
    end_of_day = now.replace(hour=23, minute=58, second=0, microsecond=0)
    start = min(now + timedelta(hours=2), end_of_day)
    if start <= now:  # the last two minutes of the day: a minute from now
        start = now + timedelta(minutes=1)
    type(session).objects.filter(pk=session.pk).update(starts_at=start, booking_limit_at=start)
    session.refresh_from_db()
    return offer, session


def test_a_librarian_goes_from_her_home_to_todays_session_and_the_guichet(page, space, member):
    offer, session = _session_later_today(space["venue"])
    young = make_beneficiary(16, first_name="Chloé", last_name="d'Arc")
    booking = booking_create(user=young, offer=offer, session=session)

    log_in_from_home(page, member.email)
    nav(page).get_by_role("link", name="Mon espace").click()
    step(page, "librarian-01-home")
    assert page.get_by_text("1 réservation à valider aujourd'hui").is_visible()
    page.get_by_role("link", name="Club de lecture ados — participants de la séance").click()
    step(page, "librarian-02-session")
    assert page.get_by_text("Chloé").first.is_visible()
    nav(page).get_by_role("link", name="Mon espace").click()
    page.get_by_role("link", name="Ouvrir le guichet").click()
    step(page, "librarian-03-guichet")
    field(page, "Contremarque").fill(booking.code.lower())
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_selector("text=Chloé d'Arc")
    page.get_by_role("button", name="Valider la contremarque").click()
    page.wait_for_selector(f"text=Contremarque {booking.code} validée.")
    step(page, "librarian-04-validated")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.VALIDATED
    nav(page).get_by_role("link", name="Mon espace").click()
    assert page.get_by_text("réservation à valider aujourd'hui").count() == 0
    log_out(page)


def test_an_administrator_reads_the_statistics_and_downloads_the_report(page, space, owner):
    offer = make_offer(space["venue"], "ESCAPE_GAME", title="Escape game « L'énigme »")
    for age in (15, 16, 17):
        booking_create(user=make_beneficiary(age), offer=offer)
    year = timezone.localdate().year

    log_in_from_home(page, owner.email)
    nav(page).get_by_role("link", name="Mon espace").click()
    page.get_by_role("link", name="Statistiques de Ville de Lyon").click()
    step(page, "admin-01-statistics")
    assert page.get_by_role("img", name=f"Réservations faites par mois en {year}").is_visible()
    assert page.get_by_role("table", name="Toutes les données par mois").is_visible()
    field(page, "Année").select_option(str(year - 1))
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_selector(f"text=Statistiques {year - 1}")
    step(page, "admin-02-last-year")
    field(page, "Année").select_option(str(year))
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_selector(f"text=Statistiques {year}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le rapport (PDF)").click()
    with open(download.value.path(), "rb") as pdf:
        text = " ".join(
            " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.read())).pages
        )
    assert f"Rapport d'activité pass Culture {year}" in text
    assert "Réservations faites 3" in text and "Jeunes touchés 3" in text
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les chiffres (Excel)").click()
    with open(download.value.path(), "rb") as xlsx:
        book = load_workbook(io.BytesIO(xlsx.read()))
    summary = {r[0].value: r[1].value for r in book["Synthèse"].iter_rows(min_row=3)}
    assert summary["Réservations faites"] == 3
    assert summary["Jeunes touchés"] == 3
