"""Offers that look like the real thing, in Chromium through visible labels (issue 19):
a librarian adds a picture to an offer and schedules its publication, publishes two
drafts at once from the list, writes the venue's public page; a young person searches
« club lecture » near Villeurbanne and books; a teacher searches « theatre ». Axe audits
each page (screenshots test-artifacts/screenshots/showcase-*)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import OpeningHours
from offers.models import Booking, Offer
from tests.browser.labels import field, log_in_from_home, log_out
from tests.conftest import assert_accessible
from tests.factories import (
    CollectiviteFactory,
    VenueFactory,
    make_beneficiary,
    make_collective_offer,
    make_offer,
    make_school,
    make_session,
    make_teacher,
)
from tests.images import picture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def step(page, name: str) -> None:
    page.wait_for_load_state()
    assert_accessible(page, f"showcase-{name}")


def nav(page):
    return page.get_by_role("navigation", name="Navigation principale")


def test_a_librarian_adds_a_picture_schedules_publishes_in_bulk_and_writes_the_venue_page(
    page, space, member, tmp_path
):
    venue = space["venue"]
    for title in ("Heure du conte", "Atelier origami"):
        make_session(make_offer(venue, title=title, status="draft"))
    photo = tmp_path / "club-lecture.jpg"
    photo.write_bytes(picture("JPEG", (2400, 1600)))
    publish_at = timezone.localtime() + timedelta(days=3)

    log_in_from_home(page, member.email)
    nav(page).get_by_role("link", name="Offres", exact=True).click()
    page.get_by_role("link", name="Créer une offre").click()
    field(page, "Catégorie et sous-catégorie").select_option(label="Rencontre")
    field(page, "Titre").fill("Club de lecture ados « L'Haÿ »")
    field(page, "Prix (€)").fill("0")
    field(page, "Publication programmée le").fill(publish_at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/offres/*/")
    offer = Offer.objects.get(title="Club de lecture ados « L'Haÿ »")
    assert offer.publish_at == publish_at.replace(second=0, microsecond=0)

    page.get_by_role("link", name="Ajouter une image").click()
    step(page, "01-image-form")
    # A wrong file first: refused in French, the text typed kept.
    bad = tmp_path / "affiche.svg"
    bad.write_text("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")
    field(page, "Image").set_input_files(str(bad))
    field(page, "Texte alternatif").fill("Des adolescents lisent en cercle")
    page.get_by_role("button", name="Enregistrer l'image").click()
    step(page, "02-image-refused")
    assert page.get_by_text("Ce fichier n'est pas une image JPEG, PNG ou WebP.").is_visible()
    assert field(page, "Texte alternatif").input_value() == "Des adolescents lisent en cercle"
    field(page, "Image").set_input_files(str(photo))
    field(page, "Crédit (facultatif)").fill("© Ville de L'Haÿ-les-Roses")
    page.get_by_role("button", name="Enregistrer l'image").click()
    page.wait_for_url(f"**/offres/{offer.public_id}/")
    step(page, "03-offer-with-image")
    picture_on_page = page.get_by_role("img", name="Des adolescents lisent en cercle")
    assert picture_on_page.get_attribute("width") == "400"
    assert picture_on_page.evaluate("img => img.complete && img.naturalWidth") == 400
    assert page.get_by_role("heading", name="Publication programmée").is_visible()

    # Two drafts published at once from the list, after a confirmation.
    nav(page).get_by_role("link", name="Offres", exact=True).click()
    page.get_by_label("Sélectionner « Heure du conte »").check()
    page.get_by_label("Sélectionner « Atelier origami »").check()
    page.get_by_label("Action sur la sélection").select_option(label="Publier")
    step(page, "04a-list-selection")
    page.get_by_role("button", name="Appliquer à la sélection").click()
    step(page, "04-bulk-confirm")
    assert page.get_by_role("heading", name="Publier 2 offres ?").is_visible()
    page.get_by_role("button", name="Confirmer : publier 2 offres").click()
    step(page, "05-bulk-result")
    assert page.get_by_text("2 offres publiées.").is_visible()
    assert set(
        Offer.objects.filter(title__in=["Heure du conte", "Atelier origami"]).values_list(
            "status", flat=True
        )
    ) == {"published"}

    # The venue's public page: hours typed as people write them.
    nav(page).get_by_role("link", name="Mon espace").click()
    page.get_by_role("link", name="Ville de Lyon", exact=True).click()
    page.get_by_role("link", name=f"Page publique de {venue.name}").click()
    step(page, "06-venue-page-form")
    field(page, "Présentation").fill("La médiathèque du quartier : livres, jeux, ateliers.")
    field(page, "Mardi").fill("18h-10h")
    page.get_by_role("button", name="Enregistrer la page").click()
    step(page, "07-venue-page-error")
    assert page.get_by_text("l'heure de fermeture doit suivre").is_visible()
    assert field(page, "Présentation").input_value().startswith("La médiathèque du quartier")
    field(page, "Mardi").fill("10h-12h30, 14h-18h")
    field(page, "Samedi").fill("9h30-17h")
    field(page, "Téléphone").fill("04 72 00 00 00")
    page.get_by_label("Accessible aux personnes en situation de handicap moteur").check()
    page.get_by_role("button", name="Enregistrer la page").click()
    page.get_by_text("Page du lieu enregistrée.").wait_for()
    assert OpeningHours.objects.filter(venue=venue).count() == 3
    page.get_by_role("link", name="Voir la page publique du lieu").click()
    step(page, "08-venue-public-page")
    assert page.get_by_role("cell", name="10:00 – 12:30, 14:00 – 18:00").is_visible()
    assert page.get_by_role("link", name="Heure du conte").is_visible()
    log_out(page)


def test_a_young_person_searches_near_her_commune_and_books(page, db):
    villeurbanne = VenueFactory(
        name="Médiathèque du Tonkin",
        collectivite=CollectiviteFactory(
            name="Ville de Villeurbanne", city="Villeurbanne", postal_code="69100"
        ),
    )
    marseille = VenueFactory(
        name="Alcazar",
        collectivite=CollectiviteFactory(
            name="Ville de Marseille", city="Marseille", departement="13", postal_code="13001"
        ),
    )
    near = make_offer(villeurbanne, title="Club de lecture ados")
    make_session(near, days=5, total_places=12)
    far = make_offer(marseille, title="Club de lecture du samedi")
    make_session(far, days=2, total_places=8)
    make_session(make_offer(villeurbanne, title="Concert jazz"), days=3)
    young = make_beneficiary(16, first_name="Chloé", last_name="d'Arc")

    log_in_from_home(page, young.email)
    nav(page).get_by_role("link", name="Offres pour les jeunes").click()
    field(page, "Rechercher").fill("club lecture")
    field(page, "Près de (commune ou code postal)").fill("Villeurbane")  # a typo
    page.get_by_role("button", name="Rechercher").click()
    step(page, "10-young-place-unknown")
    assert page.get_by_role("alert").get_by_text("Commune ou code postal introuvable").is_visible()
    assert field(page, "Rechercher").input_value() == "club lecture"
    field(page, "Près de (commune ou code postal)").fill("69100")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_text("triées par distance depuis le code postal 69100").wait_for()
    step(page, "11-young-results")
    cards = page.locator(".card h2").all_inner_texts()
    assert cards == ["Club de lecture ados", "Club de lecture du samedi"]  # nearest first
    assert page.get_by_text("12 places restantes").is_visible()
    assert page.get_by_text(re.compile(r"^Prochaine date : ")).first.is_visible()
    page.get_by_role("link", name="Club de lecture ados").click()
    step(page, "12-young-offer")
    page.get_by_role("button", name=re.compile("^Réserver le ")).click()
    page.wait_for_url("**/jeunes/reservations/")
    step(page, "13-young-booked")
    booking = Booking.objects.get(beneficiary=young)
    assert booking.offer == near
    assert page.get_by_text(booking.code, exact=True).first.is_visible()


def test_a_teacher_finds_a_theatre_workshop_without_typing_the_accents(page, space):
    school = make_school(name="Collège Jean Moulin", city="Lyon")
    teacher = make_teacher(school)
    make_collective_offer(space["venue"], title="Atelier théâtre d'ombres", status="published")
    make_collective_offer(space["venue"], title="Visite des réserves", status="published")

    log_in_from_home(page, teacher.email)
    nav(page).get_by_role("link", name="Offres pour ma classe").click()
    field(page, "Rechercher").fill("theatre")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state()
    step(page, "20-teacher-search")
    assert page.get_by_role("link", name="Atelier théâtre d'ombres").is_visible()
    assert page.get_by_role("link", name="Visite des réserves").count() == 0
