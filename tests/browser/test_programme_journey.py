"""A librarian programmes a weekly reading club in one form (issue 15), through visible
labels only: every Wednesday at 15:00 for 6 weeks, 12 places of which 8 pass Culture;
the preview leaves the public holiday unticked; then the places of all the following
sessions change at once. Axe audit on every page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from offers import recurrence
from offers.models import Booking, BookingStatus, Session
from tests.browser.labels import field, log_in_from_home
from tests.conftest import assert_accessible
from tests.factories import make_beneficiary, make_booking, make_offer, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_weekly_reading_club_with_a_holiday_then_more_places_for_all(page, space, member):
    """8 dates asked over a public holiday give 8 sessions: the holiday is skipped, named
    in the preview, and the series goes on one more week (issue 27, section 4)."""
    offer = make_offer(space["venue"], "RENCONTRE", title="Club de lecture du mercredi")
    today = timezone.localdate()
    window = range(today.year, today.year + 3)
    holidays = recurrence.public_holidays("69", window)
    holiday, name = min(
        (d, n) for d, n in holidays.items() if d.weekday() == 2 and d > today + timedelta(days=15)
    )
    first = holiday - timedelta(days=14)  # the holiday is the third Wednesday
    wednesdays = [first + timedelta(days=7 * i) for i in range(20)]
    working = [d for d in wednesdays if d not in holidays][:8]
    shown = [d for d in wednesdays if d <= working[-1]]

    log_in_from_home(page, member.email)
    page.get_by_role("link", name="Offres", exact=True).click()
    page.get_by_role("link", name="Club de lecture du mercredi").click()
    page.get_by_role("link", name="Programmer des séances récurrentes").click()
    page.wait_for_url("**/seances/serie/")
    assert_accessible(page, "programme-01-form")

    page.get_by_label("Chaque semaine, les jours cochés").check()
    page.get_by_label("Mercredi").check()
    field(page, "À partir du").fill(first.isoformat())  # a date picker sends ISO
    field(page, "Nombre de dates").fill("1000")
    field(page, "Heures de début").fill("15h")
    field(page, "Nombre total de places").fill("12")
    field(page, "Quota pass Culture").fill("8")
    page.get_by_role("button", name="Voir les dates").click()
    # the limit explained next to the field at fault, and there only
    page.wait_for_selector("#id_count_error")
    assert page.locator("#id_count_error").inner_text() == (
        "Une offre compte au plus 400 séances : indiquez au plus 400 dates."
    )
    assert page.locator(".field-error").count() == 1
    assert_accessible(page, "programme-01b-too-many-dates")
    field(page, "Nombre de dates").fill("8")
    page.get_by_role("button", name="Voir les dates").click()
    page.wait_for_selector("text=8 séances à créer : chaque mercredi à 15:00")
    note = page.locator("#holidays-note")
    assert (
        re.search(r"Jours? fériés? sautés?", note.inner_text()) and f"({name})" in note.inner_text()
    )
    assert "La série continue jusqu'au" in note.inner_text()
    assert_accessible(page, "programme-02-preview")
    boxes = page.get_by_role("group", name=re.compile("Séances à créer")).get_by_role("checkbox")
    assert boxes.count() == len(shown) > 8
    unticked = page.get_by_label(re.compile(f"jour férié : {re.escape(name)}"))
    assert not unticked.is_checked()
    assert [boxes.nth(i).is_checked() for i in range(len(shown))] == [d in working for d in shown]
    # the rule is still there as typed
    assert field(page, "Heures de début").input_value() == "15h"
    page.get_by_role("button", name="Créer les séances cochées").click()
    page.wait_for_selector("text=séances ajoutées.")
    assert_accessible(page, "programme-03-created")
    sessions = list(Session.objects.filter(offer=offer).order_by("starts_at"))
    created = len(sessions)
    assert [timezone.localtime(s.starts_at).date() for s in sessions] == working
    assert {(s.total_places, s.quota) for s in sessions} == {(12, 8)}
    assert {timezone.localtime(s.starts_at).strftime("%H:%M") for s in sessions} == {"15:00"}

    page.get_by_role("link", name=re.compile(r"^Modifier la séance du")).first.click()
    page.wait_for_url("**/seances/*/")
    assert_accessible(page, "programme-04-edit")
    field(page, "Nombre total de places").fill("15")
    page.get_by_label("Cette séance et les suivantes de la série").check()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector(f"text={created} séances modifiées.")
    assert_accessible(page, "programme-05-all-changed")
    assert set(Session.objects.filter(offer=offer).values_list("total_places", "quota")) == {
        (15, 8)
    }


def test_attendance_is_marked_from_the_participants_list(page, space, member):
    """The venue marks one young person present and one absent, with htmx, through the
    buttons' visible names, once the session has started (an hour ago: « Absent » is
    not offered before); the sign-in sheet is there to print."""
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier d'écriture")
    session = make_session(offer, days=-1 / 24, total_places=20)
    here, away = (
        make_booking(
            offer,
            session=session,
            beneficiary=make_beneficiary(16, first_name=first, last_name=last),
            booked_at=timezone.now() - timedelta(days=3),
        )
        for first, last in (("Chloé", "d'Arc"), ("Noé", "L'Haÿ"))
    )
    log_in_from_home(page, member.email)
    page.get_by_role("link", name="Offres", exact=True).click()
    page.get_by_role("link", name="Atelier d'écriture").click()
    page.get_by_role("link", name=re.compile(r"^Participants de la séance du")).click()
    page.wait_for_url("**/participants/")
    assert_accessible(page, "programme-06-participants")
    page.get_by_role("button", name="Présent : Chloé d'Arc").click()
    page.wait_for_selector("text=Présent (validée)")
    page.get_by_role("button", name="Absent : Noé L'Haÿ").click()
    page.get_by_role("cell", name="Absent", exact=True).wait_for()
    assert_accessible(page, "programme-07-marked")
    assert Booking.objects.get(pk=here.pk).status == BookingStatus.VALIDATED
    assert Booking.objects.get(pk=away.pk).absent_at is not None
    page.get_by_role("link", name="Feuille d'émargement à imprimer").click()
    page.get_by_role("columnheader", name="Signature").wait_for()
    assert_accessible(page, "programme-08-sign-in-sheet")
