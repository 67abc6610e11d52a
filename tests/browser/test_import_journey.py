"""The CSV import of registrations through visible French labels (issue 30): the
librarian opens « Importer des inscriptions (CSV) » from the session's participants,
chooses a file with a malformed line and one too many, reads each error with its line
number, chooses the fixed file, imports it, and is back on the participants page. Axe on
every page."""

from __future__ import annotations

import codecs
import re

import pytest

from offers.models import Action, Registration, Transition
from tests.browser.labels import field, log_in_from_home
from tests.conftest import assert_accessible
from tests.factories import make_offer, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "Nom;Canal;Places;Téléphone;Adresse électronique;Accord contact;Tranche d'âge;Note"


def _csv(tmp_path, name: str, lines: list[str]):
    path = tmp_path / name
    path.write_bytes(codecs.BOM_UTF8 + ("\r\n".join(lines) + "\r\n").encode())
    return path


def test_a_librarian_imports_a_list_after_fixing_it(page, space, member, tmp_path):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Club de lecture")
    session = make_session(offer, days=9, total_places=12, quota=8)
    wrong = _csv(
        tmp_path,
        "inscrits.csv",
        [
            HEADER,
            "Chloé d'Arc;accueil;3;06 12 34 56 78;;oui;26 à 64 ans;Vient de L'Haÿ-les-Roses",
            "",
            "Famille N'Diaye;téléphone;deux;;;;;",
            "Élise Côté;;4;;elise.cote@exemple.fr;oui;65 ans et plus;",
            "Groupe du centre social;autre outil;8;;;;;",
        ],
    )
    fixed = _csv(
        tmp_path,
        "inscrits-corrige.csv",
        [
            HEADER,
            "Chloé d'Arc;accueil;3;06 12 34 56 78;;oui;26 à 64 ans;Vient de L'Haÿ-les-Roses",
            "",
            "Famille N'Diaye;téléphone;2;;;;;",
            "Élise Côté;;4;;elise.cote@exemple.fr;oui;65 ans et plus;",
            "Groupe du centre social;autre outil;3;;;;;",
        ],
    )

    log_in_from_home(page, member.email)
    page.get_by_role("link", name="Offres", exact=True).click()
    page.get_by_role("link", name="Club de lecture").click()
    page.get_by_role("link", name=re.compile(r"^Participants de la séance du")).first.click()
    page.wait_for_url("**/participants/")
    page.get_by_role("link", name="Importer des inscriptions (CSV)").click()
    page.wait_for_url("**/importer/")
    assert page.get_by_text("12 places restantes pour tous les canaux").is_visible()
    assert page.get_by_role("link", name="Télécharger un modèle (CSV)").is_visible()
    assert_accessible(page, "import-01-the-file")

    field(page, "Fichier CSV").set_input_files(wrong)
    field(page, "Canal par défaut").select_option(label="Téléphone")
    page.get_by_role("button", name="Voir l'aperçu").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Rien n'a été importé : 2 erreurs à corriger" in alert.inner_text()
    assert alert.get_by_text(re.compile(r"^Ligne 4 : Places : « deux »")).is_visible()
    assert alert.get_by_text(
        "Ligne 6 : Plus de place : il en reste 12 pour 15 demandées jusqu'ici."
    ).is_visible()
    row = page.get_by_role("row", name=re.compile("^5 Élise Côté"))
    assert "Téléphone" in row.inner_text() and "gardé" in row.inner_text()
    assert page.get_by_role("button", name=re.compile("^Importer")).count() == 0
    assert_accessible(page, "import-02-preview-with-errors")
    assert Registration.objects.count() == 0

    field(page, "Fichier CSV").set_input_files(fixed)
    page.get_by_role("button", name="Voir l'aperçu").click()
    page.get_by_role("button", name="Importer 4 inscriptions").wait_for()
    assert page.get_by_role("alert").count() == 0
    assert_accessible(page, "import-03-preview-right")
    page.get_by_role("button", name="Importer 4 inscriptions").click()
    page.wait_for_url("**/participants/")
    assert page.get_by_text("4 inscriptions importées (12 places).").is_visible()
    assert_accessible(page, "import-04-imported")

    names = list(Registration.objects.order_by("id").values_list("name", flat=True))
    assert names == ["Chloé d'Arc", "Famille N'Diaye", "Élise Côté", "Groupe du centre social"]
    session.refresh_from_db()
    assert session.other_count == 12 and session.places_left == 0
    assert Transition.objects.filter(action=Action.REGISTRATIONS_IMPORTED).count() == 1
