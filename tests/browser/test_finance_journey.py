"""Reimbursements in Chromium (issue 17), through what people see: an administrator
adds the collectivité's bank details, confirmed by her password; a librarian validates a
paid booking at the guichet; the fortnight is closed by the run; the administrator
downloads the statement's justificatif and its detail, read back outside the app.
Every page is audited by axe (screenshots under test-artifacts/screenshots/finance-*).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from finance.models import BankAccount, Statement
from finance.services.runs import close_period
from offers.models import Booking, BookingStatus
from tests.browser.labels import field, log_in_from_home, log_out
from tests.conftest import assert_accessible
from tests.factories import PASSWORD, make_beneficiary, make_offer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def step(page, name: str) -> None:
    page.wait_for_load_state()
    assert_accessible(page, f"finance-{name}")


def nav(page):
    return page.get_by_role("navigation", name="Navigation principale")


def test_bank_details_a_validated_booking_the_run_and_the_statement(page, space, owner, member):
    space["collectivite"].name = "Ville de L'Haÿ-les-Roses"
    space["collectivite"].save()
    offer = make_offer(
        space["venue"], "ESCAPE_GAME", title="Escape game « L'énigme »", price_cents=850
    )
    young = make_beneficiary(18, first_name="Chloé", last_name="d'Arc")
    from offers.services.bookings import booking_create

    booking = booking_create(user=young, offer=offer)

    # The administrator adds the bank details.
    log_in_from_home(page, owner.email)
    page.get_by_role("link", name="Ville de L'Haÿ-les-Roses", exact=True).click()
    step(page, "01-space")
    page.get_by_role("link", name="Gestion financière").click()
    step(page, "02-finance-empty")
    assert page.get_by_text("Ajoutez vos coordonnées bancaires pour être remboursé").is_visible()
    page.get_by_role("link", name="Ajouter des coordonnées bancaires").click()
    step(page, "03-account-form")
    field(page, "Libellé du compte").fill("Trésor public — budget principal")
    field(page, "Titulaire du compte").fill("Trésorerie de L'Haÿ-les-Roses")
    field(page, "IBAN").fill("fr76 3000 6000 0112 3456 7890 188")  # one digit wrong
    field(page, "BIC").fill("agrifrpp")
    page.get_by_label("Médiathèque Part-Dieu").check()
    field(page, "Votre mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Enregistrer le compte").click()
    step(page, "04-iban-error")
    assert page.get_by_text("La clé de contrôle de l'IBAN est fausse").is_visible()
    assert field(page, "Titulaire du compte").input_value() == "Trésorerie de L'Haÿ-les-Roses"
    assert not BankAccount.objects.exists()
    field(page, "IBAN").fill("fr76 3000 6000 0112 3456 7890 189")
    field(page, "Votre mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Enregistrer le compte").click()
    page.wait_for_selector("text=Le compte « Trésor public — budget principal » est enregistré.")
    step(page, "05-account-added")
    assert page.get_by_text("•••• 0189").first.is_visible()
    assert "30006000011234567890189" not in page.content()
    [warning] = [m for m in mail.outbox if m.subject.startswith("Coordonnées bancaires")]
    assert warning.subject == "Coordonnées bancaires ajoutées : Ville de L'Haÿ-les-Roses"
    log_out(page)

    # The librarian validates the paid booking at the guichet.
    log_in_from_home(page, member.email)
    nav(page).get_by_role("link", name="Guichet").click()
    field(page, "Contremarque").fill(booking.code.lower())
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_selector("text=Chloé d'Arc")
    page.get_by_role("button", name="Valider la contremarque").click()
    page.wait_for_selector(f"text=Contremarque {booking.code} validée.")
    step(page, "06-validated")
    log_out(page)

    # The fortnight ends; the scheduler's run closes it.
    run = close_period(now=timezone.now() + timedelta(days=17))
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.REIMBURSED
    statement = Statement.objects.get(run=run)

    # The administrator downloads the statement.
    log_in_from_home(page, owner.email)
    page.get_by_role("link", name="Ville de L'Haÿ-les-Roses", exact=True).click()
    page.get_by_role("link", name="Gestion financière").click()
    step(page, "07-statement")
    assert page.get_by_role("cell", name=statement.number, exact=True).is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Justificatif PDF du relevé {statement.number}").click()
    with open(download.value.path(), "rb") as pdf:
        text = " ".join(
            " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.read())).pages
        )
    assert f"Relevé de remboursement n° {statement.number}" in text
    assert "Ville de L'Haÿ-les-Roses" in text
    assert "Montant total remboursé : 8,50 €" in text
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Détail CSV du relevé {statement.number}").click()
    with open(download.value.path(), encoding="utf-8-sig") as detail:
        rows = list(csv.reader(detail, delimiter=";"))
    assert rows[1][3] == "Escape game « L'énigme »"
    assert rows[1][4] == booking.code and rows[1][9] == "8,50"


def test_staff_reach_remboursements_from_their_menu(page, space):
    """Site staff land on « Mon espace » and reach « Remboursements » from the menu (issue
    27: only its address led there), then its SEPA file; « Mon espace » and the admin's
    index link it too."""
    from tests.factories import UserFactory
    from tests.finance.helpers import account_for, validated

    account_for(space["collectivite"], space["venue"])
    validated(space["venue"], price_cents=1200)
    close_period()
    staff = UserFactory(first_name="Sami", last_name="Benali", is_staff=True, is_superuser=True)

    log_in_from_home(page, staff.email)
    page.wait_for_url("**/espace/")
    assert page.get_by_role("heading", name="Équipe nationale").is_visible()
    step(page, "20-staff-home")
    nav(page).get_by_role("link", name="Remboursements").click()
    page.wait_for_url("**/equipe/remboursements/")
    assert page.get_by_role("heading", name="Remboursements", level=1).is_visible()
    assert page.get_by_role("link", name=re.compile("^Fichier de virements SEPA")).is_visible()
    step(page, "21-staff-runs")
    # a period's statements, each with its PDF and CSV (read only)
    page.get_by_role("link", name=re.compile(r"^du .* : ses relevés$")).click()
    page.wait_for_url("**/equipe/remboursements/periodes/*/")
    assert page.get_by_role("heading", name=re.compile("^Relevés du "), level=1).is_visible()
    step(page, "22-staff-run-statements")
    with page.expect_download() as pdf:
        page.get_by_role("link", name=re.compile(r"^PDF du relevé ")).first.click()
    assert PdfReader(pdf.value.path()).pages
    with page.expect_download() as detail:
        page.get_by_role("link", name=re.compile(r"^CSV du relevé ")).first.click()
    with open(detail.value.path(), encoding="utf-8-sig") as lines:
        rows = list(csv.reader(lines, delimiter=";"))
    assert len(rows) >= 2 and "12,00" in ";".join(rows[1])
    page.get_by_role("link", name="Retour aux remboursements").click()
    nav(page).get_by_role("link", name="Mon espace").click()
    page.get_by_role("link", name="Administration du site").click()
    page.wait_for_url("**/admin/")
    page.get_by_role("link", name="Ouvrir la page des remboursements").click()
    assert page.get_by_role("heading", name="Remboursements", level=1).is_visible()
