"""Issue 13 as people meet it, in Chromium, through visible French labels (axe at 0):
- someone signs up with an address that already has an account: the same "check your
  mailbox" page, and the owner's e-mail offers to log in or reset;
- a young person types her address in capitals, confirms, and later the lockout counts
  her address whatever its case;
- a librarian types a session date far away: a French message next to the field, what
  she typed kept, then the corrected date is saved.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from offers.models import Session
from tests.conftest import assert_accessible
from tests.factories import PASSWORD, UserFactory, make_offer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_signup(page, *, first, last, email, email_label):
    page.get_by_label("Prénom").fill(first)
    page.get_by_label(re.compile(r"^Nom\b")).fill(last)
    page.get_by_label(email_label).fill(email)
    page.get_by_label(re.compile(r"^Mot de passe\b")).fill("lecture-publique-2026")
    page.get_by_label("Confirmation du mot de passe").fill("lecture-publique-2026")
    page.get_by_label("J'accepte les conditions générales").check()


def test_a_known_address_gets_the_same_page_and_its_owner_an_email(page):
    UserFactory(email="claire.martin@mediatheque.fr")
    page.goto("/")
    page.get_by_role("link", name="Inscrire ma bibliothèque").click()
    page.wait_for_url("**/inscription/")
    _fill_signup(
        page,
        first="Chloé",
        last="d'Arc",
        email="Claire.Martin@Mediatheque.fr",
        email_label="Adresse électronique professionnelle",
    )
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url("**/inscription/envoyee/")
    assert page.get_by_role("heading", name="Confirmez votre adresse électronique").is_visible()
    assert page.get_by_text("Si cette adresse avait déjà un compte").is_visible()
    assert_accessible(page, "hostile-01-known-address-same-page")

    message = mail.outbox[-1]
    assert message.to == ["claire.martin@mediatheque.fr"]
    assert message.subject == "Vous avez déjà un compte passlib"
    assert "aucun nouveau compte n'a été créé" in message.body
    reset = re.search(r"https?://[^/\s]+(/mot-de-passe/oubli/)", message.body).group(1)

    page.get_by_role("button", name="Renvoyer le lien").click()
    page.wait_for_url("**/inscription/envoyee/")
    assert page.get_by_text("un nouveau lien vient d'y être envoyé").is_visible()

    page.goto(reset)
    page.get_by_label("Adresse électronique").fill(" CLAIRE.MARTIN@mediatheque.fr ")
    page.get_by_role("button", name=re.compile("Recevoir|Envoyer")).click()
    page.wait_for_url("**/mot-de-passe/oubli/envoye/")
    assert_accessible(page, "hostile-02-reset-sent")
    assert mail.outbox[-1].to == ["claire.martin@mediatheque.fr"]


def test_a_young_person_in_capitals_is_one_identity_for_login_and_lockout(page, settings):
    settings.BENEFICIARY_MIN_AGE, settings.BENEFICIARY_MAX_AGE = 15, 18
    born = (timezone.localdate() - timedelta(days=16 * 366)).strftime("%Y-%m-%d")
    page.goto("/jeunes/inscription/")
    _fill_signup(
        page,
        first="Chloé",
        last="d'Arc",
        email="Chloe.DArc@Exemple.fr",
        email_label="Adresse électronique",
    )
    page.get_by_label("Date de naissance").fill(born)
    page.get_by_role("button", name=re.compile("Créer")).click()
    page.wait_for_url("**/inscription/envoyee/")
    link = re.search(r"https?://[^/\s]+(/inscription/confirmer/\S+/)", mail.outbox[-1].body)
    page.goto(link.group(1))
    page.get_by_role("button", name="Confirmer mon adresse").click()
    page.wait_for_load_state()
    assert page.get_by_text("Ton adresse électronique est confirmée.").is_visible()
    page.get_by_role("button", name="Se déconnecter").click()

    def wrong_password(variant: str) -> None:
        page.goto("/connexion/")
        page.get_by_label("Adresse électronique").fill(variant)
        page.get_by_label("Mot de passe").fill("pas-le-bon-mot-de-passe")
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()

    for variant in ["chloe.darc@exemple.fr", "CHLOE.DARC@EXEMPLE.FR", " Chloe.Darc@exemple.fr"]:
        wrong_password(variant)
    assert page.get_by_text("Adresse électronique ou mot de passe incorrect").is_visible()
    assert_accessible(page, "hostile-03-login-refused")
    for variant in ["chloe.DARC@exemple.fr", "Chloe.darc@Exemple.FR"]:
        wrong_password(variant)
    assert page.get_by_text("temporairement bloquée").is_visible()
    assert_accessible(page, "hostile-04-locked-whatever-the-case")


def test_a_librarian_typing_a_far_date_is_told_next_to_the_field(page, space, member):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier d'écriture")
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(member.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espace/")
    page.goto(f"/offres/{offer.public_id}/")
    page.get_by_label("Début").fill("2099-05-01T10:00")
    page.get_by_label("Nombre total de places").fill("12")
    page.get_by_label("Quota pass Culture").fill("8")
    page.get_by_role("button", name="Ajouter la séance").click()
    page.wait_for_load_state()
    error = page.locator("#id_starts_at_error")
    assert "Saisissez une date entre le" in error.inner_text()
    assert page.get_by_label("Nombre total de places").input_value() == "12"
    assert page.get_by_label("Quota pass Culture").input_value() == "8"
    assert_accessible(page, "hostile-05-far-date-refused")
    assert not Session.objects.exists()

    soon = timezone.localtime() + timedelta(days=20)
    page.get_by_label("Début").fill(soon.strftime("%Y-%m-%dT10:00"))
    page.get_by_role("button", name="Ajouter la séance").click()
    page.wait_for_load_state()
    assert page.get_by_text("Séance ajoutée.").is_visible()
    assert_accessible(page, "hostile-06-session-added")
    assert Session.objects.get().total_places == 12


def test_a_young_person_confirms_before_cancelling(page, space):
    from offers.models import Booking, BookingStatus
    from offers.services.bookings import booking_create
    from tests.factories import make_beneficiary, make_session

    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier BD")
    young = make_beneficiary(17, first_name="Chloé")
    booking = booking_create(user=young, offer=offer, session=make_session(offer, days=10))
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(young.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/jeunes/reservations/")
    page.get_by_text(f"Annuler la réservation {booking.code}", exact=True).click()
    assert page.get_by_text("Tu ne pourras pas revenir en arrière.").is_visible()
    assert_accessible(page, "hostile-07-cancel-asks-first")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
    page.get_by_role("button", name=f"Oui, annuler la réservation {booking.code}").click()
    page.wait_for_load_state()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    assert_accessible(page, "hostile-08-cancelled")
