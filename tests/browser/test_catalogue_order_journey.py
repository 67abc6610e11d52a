"""The catalogue by date and nearest first (issue 29), through visible French labels only,
with the order read from the stored next session (offers/services/next_sessions.py):

- Inès, on her phone, sorts the catalogue by « Date la plus proche »: the soonest first;
- she books the last place of the first one: once her booking has committed, that offer
  leaves the head of the list for the waiting-list part, the next date comes first;
- the librarian, at her desk, brings another workshop forward to tomorrow: it comes first;
- Inès types « Villeurbanne » and sorts by « Distance »: nearest first, « à … km »
  growing down the list.

Axe on every page; no page scrolls sideways at 375 px."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from offers.models import Booking
from passlib.formats import datetime_fr
from tests.browser.labels import field, log_in_from_home, log_out, open_young_catalogue
from tests.conftest import assert_accessible
from tests.factories import VenueFactory, make_beneficiary, make_offer, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def titles(page) -> list[str]:
    return page.locator("li.card h2").all_inner_texts()


def km(page) -> list[float]:
    """The distance of each card, « à 3,1 km » → 3.1 (« à moins d'1 km » → 0)."""
    found = []
    for text in page.locator("li.card").all_inner_texts():
        if "à moins d'1 km" in text:
            found.append(0.0)
            continue
        match = re.search(r"à (\d+(?:,\d)?) km", text)
        found.append(float(match.group(1).replace(",", ".")) if match else float("inf"))
    return found


def sort_by(page, label: str) -> None:
    field(page, "Trier par").select_option(label=label)
    with page.expect_navigation():
        page.get_by_role("button", name="Rechercher").click()


def test_the_catalogue_by_date_and_nearest_first_follows_bookings_and_moves(page, space, member):
    lyon = space["venue"]  # Médiathèque Part-Dieu, Lyon
    collectivite = space["collectivite"]
    tonkin = VenueFactory(
        collectivite=collectivite,
        name="Médiathèque du Tonkin",
        city="Villeurbanne",
        postal_code="69100",
    )
    tarare = VenueFactory(
        collectivite=collectivite,
        name="Médiathèque de Tarare",
        city="Tarare",
        postal_code="69170",
    )
    slam = make_offer(lyon, "ATELIER_PRATIQUE_ART", title="Atelier slam")
    make_session(slam, days=3, total_places=1)
    manga = make_offer(tonkin, "ATELIER_PRATIQUE_ART", title="Club manga")
    make_session(manga, days=5, total_places=10)
    conte = make_offer(tarare, "ATELIER_PRATIQUE_ART", title="Contes d'hiver")
    make_session(conte, days=9, total_places=10)
    bd = make_offer(lyon, "ATELIER_PRATIQUE_ART", title="Rencontre BD")
    bd_session = make_session(bd, days=12, total_places=10)
    ines = make_beneficiary(17, first_name="Inès", last_name="N'Diaye")

    # Inès, on her phone: the soonest first.
    page.set_viewport_size(PHONE)
    log_in_from_home(page, ines.email)
    open_young_catalogue(page)
    sort_by(page, "Date la plus proche")
    assert titles(page) == ["Atelier slam", "Club manga", "Contes d'hiver", "Rencontre BD"]
    first = page.locator("li.card").first
    assert first.get_by_text(re.compile("^Prochaine date : ")).is_visible()
    assert first.get_by_text("1 place restante").is_visible()
    assert fits(page)
    assert_accessible(page, "catalogue-order-01-by-date")

    # She takes the last place of the first one.
    page.get_by_role("link", name="Atelier slam").click()
    page.wait_for_url("**/jeunes/offres/*/")
    page.get_by_role("button", name="Réserver").click()
    page.wait_for_url("**/jeunes/reservations/")
    assert Booking.objects.filter(beneficiary=ines, offer=slam).exists()
    open_young_catalogue(page)
    sort_by(page, "Date la plus proche")
    # Full now: after the bookable offers, with its waiting list.
    assert titles(page) == ["Club manga", "Contes d'hiver", "Rencontre BD", "Atelier slam"]
    assert page.locator("li.card").last.get_by_text("Complet — liste d'attente").is_visible()
    assert fits(page)
    assert_accessible(page, "catalogue-order-02-after-booking")
    log_out(page)

    # The librarian brings « Rencontre BD » forward to tomorrow at 17:30.
    page.set_viewport_size(DESKTOP)
    log_in_from_home(page, member.email)
    page.get_by_role("link", name="Offres", exact=True).click()
    page.get_by_role("link", name="Rencontre BD").click()
    page.get_by_role(
        "link", name=f"Modifier la séance du {datetime_fr(bd_session.starts_at, tz=lyon.time_zone)}"
    ).click()
    page.wait_for_url("**/seances/*/")
    tomorrow = timezone.localtime(timezone.now() + timedelta(days=1)).replace(
        hour=17, minute=30, second=0, microsecond=0
    )
    field(page, "Début").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    field(page, "Date limite de réservation").fill("")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector("text=Séance modifiée")
    assert_accessible(page, "catalogue-order-03-moved")
    log_out(page)

    # Inès again: the workshop moved forward comes first.
    page.set_viewport_size(PHONE)
    log_in_from_home(page, ines.email)
    open_young_catalogue(page)
    sort_by(page, "Date la plus proche")
    assert titles(page) == ["Rencontre BD", "Club manga", "Contes d'hiver", "Atelier slam"]
    assert (
        page.locator("li.card")
        .first.get_by_text(re.compile(r"^Prochaine date : .* de 17:30 à "))
        .is_visible()
    )

    # Near Villeurbanne, nearest first.
    field(page, "Près de (commune ou code postal)").fill("Villeurbanne")
    sort_by(page, "Distance")
    # Villeurbanne, then Lyon, then Tarare; the full one after the bookable ones.
    assert titles(page) == ["Club manga", "Rencontre BD", "Contes d'hiver", "Atelier slam"]
    distances = km(page)[:3]
    assert distances == sorted(distances) and distances[-1] > 20  # Tarare, far west
    assert fits(page)
    assert_accessible(page, "catalogue-order-04-nearest")
