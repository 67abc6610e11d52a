"""The two onboarding journeys in real Chromium, with an axe audit on every page.

Case A: sign-up → email confirmation → SIRET → register the collectivité and its
library → the territory officer validates it.
Case B: sign-up → confirmation → SIRET of a registered collectivité → join request →
the collectivité's administrator approves it and sees the new member and venue.
"""

import re

import pytest
from django.core import mail

from accounts.models import Collectivite, Membership, Status
from tests.conftest import assert_accessible
from tests.factories import PASSWORD, valid_siret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_up_and_confirm(page, *, first, last, email, prefix):
    page.goto("/")
    assert_accessible(page, f"{prefix}-01-home")
    page.get_by_role("link", name="Inscrire ma bibliothèque").click()
    page.wait_for_url("**/inscription/")
    assert_accessible(page, f"{prefix}-02-signup")
    page.fill("#id_first_name", first)
    page.fill("#id_last_name", last)
    page.fill("#id_email", email)
    page.fill("#id_password", "lecture-publique-2026")
    page.fill("#id_password_confirm", "lecture-publique-2026")
    page.check("#id_accept_terms")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url("**/inscription/envoyee/")
    assert_accessible(page, f"{prefix}-03-signup-sent")
    link = re.search(r"https?://[^/\s]+(/inscription/confirmer/\S+/)", mail.outbox[-1].body)
    page.goto(link.group(1))
    assert_accessible(page, f"{prefix}-04-confirm")
    page.get_by_role("button", name="Confirmer mon adresse").click()
    page.wait_for_url("**/espace/")
    assert_accessible(page, f"{prefix}-05-dashboard")


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/")


def log_in(page, email, prefix):
    page.goto("/connexion/")
    assert_accessible(page, f"{prefix}-login")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espace/")


def enter_siret(page, siret, prefix):
    page.get_by_role("link", name="Rattacher ma bibliothèque (SIRET)").click()
    page.wait_for_url("**/structure/siret/")
    assert_accessible(page, f"{prefix}-06-siret")
    page.fill("#id_siret", siret)
    page.get_by_role("button", name="Continuer").click()


def fill_venue(page, name):
    page.fill("#id_venue-name", name)
    page.fill("#id_venue-address", "1 place Xavier Ricard")
    page.fill("#id_venue-postal_code", "69110")
    page.fill("#id_venue-city", "Sainte-Foy-lès-Lyon")
    page.fill("#id_venue-booking_email", "reservations@saintefoy.fr")
    page.check("#id_venue-accessibility_motor")


def test_case_a_from_signup_to_validation_by_the_officer(page, officer):
    sign_up_and_confirm(
        page, first="Camille", last="Durand", email="camille@saintefoy.fr", prefix="a"
    )
    siret = valid_siret(777)
    enter_siret(page, siret[:3] + " " + siret[3:6] + " " + siret[6:9] + " " + siret[9:], "a")
    page.wait_for_url("**/structure/nouvelle/**")
    assert page.get_by_text("service culturel de votre collectivité").is_visible()
    assert_accessible(page, "a-07-register")

    # a wrong postal code keeps everything typed
    page.fill("#id_col-name", "Commune de Sainte-Foy-lès-Lyon")
    page.fill("#id_col-address", "10 rue Commandant Charcot")
    page.fill("#id_col-postal_code", "99999")
    page.fill("#id_col-city", "Sainte-Foy-lès-Lyon")
    page.select_option("#id_col-legal_category_code", "7210")
    fill_venue(page, "Médiathèque de Sainte-Foy")
    page.get_by_role("button", name="Inscrire la collectivité et mon lieu").click()
    page.wait_for_load_state()
    assert page.get_by_text("ne correspond à aucun département").first.is_visible()
    assert page.input_value("#id_venue-name") == "Médiathèque de Sainte-Foy"
    assert page.input_value("#id_col-name") == "Commune de Sainte-Foy-lès-Lyon"
    assert_accessible(page, "a-08-register-error")
    # the officer of the Rhône is shown once the postal code is known
    page.fill("#id_col-postal_code", "69110")
    page.get_by_role("button", name="Inscrire la collectivité et mon lieu").click()
    page.wait_for_url("**/collectivites/**")
    assert page.get_by_text("en attente de validation").first.is_visible()
    assert_accessible(page, "a-09-space-pending")
    collectivite = Collectivite.objects.get(siren=siret[:9])
    assert collectivite.status == Status.NEW
    log_out(page)

    log_in(page, officer.email, "a-10-officer")
    page.get_by_role("link", name="Revue des inscriptions").first.click()
    page.wait_for_url("**/revue/")
    assert_accessible(page, "a-11-review-queue")
    page.get_by_role("link", name="Commune de Sainte-Foy-lès-Lyon").click()
    page.wait_for_url("**/revue/collectivite/**")
    assert_accessible(page, "a-12-review-detail")
    page.fill("#validate-comment", "Dossier complet")
    page.get_by_role("button", name="Valider", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("h1 + p .badge").inner_text() == "Validé"
    assert page.get_by_text("Dossier complet").first.is_visible()
    assert_accessible(page, "a-13-validated")
    collectivite.refresh_from_db()
    assert collectivite.status == Status.VALIDATED
    assert collectivite.venues.get().status == Status.VALIDATED


def test_case_b_from_signup_to_approval_by_the_administrator(page, space, owner):
    collectivite = space["collectivite"]
    sign_up_and_confirm(page, first="Léa", last="Petit", email="lea@lyon.fr", prefix="b")
    enter_siret(page, collectivite.siret, "b")
    page.wait_for_url("**/rejoindre/**")
    assert page.get_by_role("heading", name="Cette collectivité est déjà inscrite").is_visible()
    assert page.get_by_text(owner.display_name).is_visible()
    assert_accessible(page, "b-07-join")
    fill_venue(page, "Bibliothèque de la Croix-Rousse")
    page.fill("#id_join-message", "Je gère la bibliothèque du quartier.")
    page.get_by_role("button", name="Rejoindre cet espace").click()
    page.wait_for_url("**/espace/")
    assert page.get_by_text("demande de rattachement").first.is_visible()
    assert_accessible(page, "b-08-dashboard-pending")
    log_out(page)

    log_in(page, owner.email, "b-09-owner")
    page.get_by_role("link", name=collectivite.name, exact=True).click()
    page.wait_for_url("**/collectivites/**")
    assert_accessible(page, "b-10-space-with-request")
    page.get_by_role("button", name="Approuver la demande de Léa Petit").click()
    page.wait_for_load_state()
    assert page.get_by_text("La demande de Léa Petit est approuvée").is_visible()
    members = page.locator("#h-members").locator("..")
    assert members.get_by_role("heading", name="Léa Petit").is_visible()
    venues = page.locator("#h-venues").locator("..")
    assert venues.get_by_role(
        "cell", name="Bibliothèque de la Croix-Rousse", exact=True
    ).is_visible()
    assert_accessible(page, "b-11-space-approved")
    membership = Membership.objects.get(user__email="lea@lyon.fr")
    assert membership.status == Status.VALIDATED
    assert membership.requested_venue.status == Status.VALIDATED
