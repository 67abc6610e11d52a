import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from catalog.categories import (
    CSV_COLUMNS,
    SUBCATEGORIES,
    is_valid_pair,
    subcategory_choices,
    validate_pair,
)

SPEC_ROWS = {
    ("LIVRE", "ABO_BIBLIOTHEQUE", "Offre physique"),
    ("FILM", "ABO_MEDIATHEQUE", "Offre physique"),
    ("CONFERENCE", "CONFERENCE", "Offre événement"),
    ("CONFERENCE", "RENCONTRE", "Offre événement"),
    ("PRATIQUE_ART", "ATELIER_PRATIQUE_ART", "Offre événement"),
    ("MUSEE", "VISITE", "Offre événement"),
    ("CINEMA", "SEANCE_CINE", "Offre événement"),
    ("JEU", "ESCAPE_GAME", "Offre physique"),
}


def test_csv_command_prints_the_eight_rows_of_the_spec():
    out = io.StringIO()
    call_command("catalog", "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert len(rows) == 8
    assert {(r["category_id"], r["subcategory_id"], r["offer_type"]) for r in rows} == SPEC_ROWS
    assert {r["reimbursed"] for r in rows} == {"Oui"}


def test_table_format_is_readable():
    out = io.StringIO()
    call_command("catalog", "--format", "table", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("category_id")
    assert len(lines) == 2 + 8
    assert any("Abonnement (bibliothèques, médiathèques)" in line for line in lines)


@pytest.mark.parametrize(("category", "sub"), [(c, s) for c, s, _ in SPEC_ROWS])
def test_every_pair_of_the_table_is_valid(category, sub):
    assert is_valid_pair(category, sub)
    assert validate_pair(category, sub).id == sub


@pytest.mark.parametrize(
    ("category", "sub"),
    [
        ("LIVRE", "SEANCE_CINE"),  # real subcategory, wrong category
        ("CINEMA", "ABO_BIBLIOTHEQUE"),
        ("LIVRE", "LIVRE_PAPIER"),  # a scheme id outside the libraries' table
        ("MUSIQUE", "CONCERT"),
        ("", ""),
    ],
)
def test_pairs_outside_the_table_are_refused(category, sub):
    assert not is_valid_pair(category, sub)
    with pytest.raises(ValidationError):
        validate_pair(category, sub)


def test_collective_use_is_refused_for_subscriptions():
    with pytest.raises(ValidationError) as exc:
        validate_pair("LIVRE", "ABO_BIBLIOTHEQUE", collective=True)
    assert "groupes scolaires" in exc.value.messages[0]
    assert validate_pair("CONFERENCE", "RENCONTRE", collective=True).collective


def test_choices_are_grouped_and_filtered():
    collective_ids = {sid for _, opts in subcategory_choices(collective=True) for sid, _ in opts}
    assert "ABO_BIBLIOTHEQUE" not in collective_ids
    assert "RENCONTRE" in collective_ids
    all_ids = {sid for _, opts in subcategory_choices() for sid, _ in opts}
    assert all_ids == {s.id for s in SUBCATEGORIES}


def test_speaker_and_cinema_extra_fields():
    by_id = {s.id: s for s in SUBCATEGORIES}
    assert [f.value for f in by_id["CONFERENCE"].extra_fields] == ["speaker"]
    assert [f.value for f in by_id["SEANCE_CINE"].extra_fields] == ["director", "visa"]
    assert by_id["ABO_BIBLIOTHEQUE"].extra_fields == ()


def test_help_page_shows_the_table_and_the_guidance(client):
    response = client.get("/aide/categories/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<tr>") == 1 + 8  # header + the 8 rows
    assert "Abonnement médiathèque" in html
    assert "club de lecture" in html.lower()
    assert "Clubs de lecture" in html
