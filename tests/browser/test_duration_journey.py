"""A librarian gives an event its length and is warned of an overlap (issue 28), on a
desktop, through visible French labels only: she creates a talk, types « 1h30 » as its
duration, adds a Wednesday session at 15:00, then a workshop's session at 16:00 the same
day — created, with « Attention : cette séance chevauche … » — and the offer page shows
each session's end. Axe on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from offers.models import Offer
from passlib.formats import date_fr
from tests.browser.labels import field, log_in_from_home
from tests.conftest import assert_accessible
from tests.factories import make_offer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


def _next_wednesday(weeks=3):
    day = timezone.localdate() + timedelta(weeks=weeks)
    return day + timedelta(days=(2 - day.weekday()) % 7)


def test_a_librarian_types_a_duration_and_is_warned_of_an_overlap(page, space, member):
    workshop = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier manga")
    day = _next_wednesday()
    page.set_viewport_size(DESKTOP)
    log_in_from_home(page, member.email)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Offres", exact=True
    ).click()
    page.get_by_role("link", name="Créer une offre").click()
    page.wait_for_url("**/offres/nouvelle/")
    field(page, "Catégorie et sous-catégorie").select_option(label="Rencontre")
    duration = field(page, "Durée")
    duration.wait_for()
    assert duration.input_value() == "1 h 30"  # the usual length of a talk, offered
    # Nonsense first: said next to the field, what was typed kept.
    duration.fill("25h")
    field(page, "Titre").fill("Rencontre avec une autrice")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert page.get_by_text("Indiquez une durée entre 5 min et 24 h").first.is_visible()
    assert field(page, "Durée").input_value() == "25h"
    assert not Offer.objects.filter(title="Rencontre avec une autrice").exists()
    assert_accessible(page, "duration-01-nonsense")
    field(page, "Durée").fill("1h30")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/offres/*/")
    talk = Offer.objects.get(title="Rencontre avec une autrice")
    assert talk.duration_minutes == 90

    field(page, "Début").fill(f"{day:%Y-%m-%d}T15:00")
    field(page, "Nombre total de places").fill("20")
    page.get_by_role("button", name="Ajouter la séance").click()
    page.wait_for_load_state()
    assert page.get_by_text("Séance ajoutée.").is_visible()
    when = date_fr(day, weekday=True)
    assert page.get_by_role("cell", name=f"{when} de 15:00 à 16:30").is_visible()
    assert_accessible(page, "duration-02-session-with-its-end")

    # The workshop's page: a session at 16:00 the same day, its own length 45 min.
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Offres", exact=True
    ).click()
    page.get_by_role("link", name="Atelier manga", exact=True).click()
    page.wait_for_url(f"**/offres/{workshop.public_id}/")
    field(page, "Début").fill(f"{day:%Y-%m-%d}T16:00")
    field(page, "Durée de cette séance").fill("45 min")
    page.get_by_role("button", name="Ajouter la séance").click()
    page.wait_for_load_state()
    warning = (
        f"Attention : cette séance chevauche « Rencontre avec une autrice » le {when} "
        "de 15:00 à 16:30."
    )
    assert page.get_by_text(warning).is_visible()
    assert page.get_by_role("cell", name=f"{when} de 16:00 à 16:45").is_visible()
    assert workshop.sessions.count() == 1  # warned, not refused
    assert_accessible(page, "duration-03-overlap-warning")
