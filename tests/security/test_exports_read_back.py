"""Exports of rows holding every hostile character class open and read back.

The rows are written straight to the database, as data stored before the forms
cleaned input would be (passlib/forms.py cleans it now): control characters, line
breaks, Unicode separators and digits, right-to-left overrides, emoji, formula starts.
Each export — individual and collective, CSV and XLSX — answers 200, its whole body
is read, and every cell reads back with openpyxl or csv as the cleaned text.
"""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from offers.services import collective_bookings as collective_services
from passlib.spreadsheets import csv_field
from tests.conftest import is_postgres
from tests.factories import (
    make_beneficiary,
    make_booking,
    make_collective_offer,
    make_offer,
    make_school,
    make_teacher,
)

pytestmark = pytest.mark.django_db

HOSTILE = [
    "Vertical\x0btab",
    "Unité\x1fséparateur",
    "Effacer\x7f",
    "C1\x85\x9f",
    "Ligne\r\nsuivante",
    "Sépar\u2028ateur",
    "‮evil",
    "069000²B",
    "😀 émoji",
    '=HYPERLINK("x")',
    "@SUM(A1)",
    "Chloé d'Arc",
]


def _stored(value: str) -> str:
    # PostgreSQL text cannot hold NUL at all; SQLite can, so try it there too.
    return value if is_postgres() else value + "\x00"


@pytest.fixture
def hostile_rows(space, owner):
    for n, text in enumerate(HOSTILE):
        offer = make_offer(space["venue"], "ESCAPE_GAME", title=f"Offre {n}")
        type(offer).objects.filter(pk=offer.pk).update(title=_stored(text)[:90])
        young = make_beneficiary(16, first_name=_stored(text), last_name=text[:20])
        make_booking(offer, beneficiary=young)
    school = make_school()
    for n, text in enumerate(HOSTILE):
        teacher = make_teacher(school, first_name=_stored(text), last_name=f"Prof {n}")
        offer = make_collective_offer(space["venue"], title=f"Collective {n}")
        type(offer).objects.filter(pk=offer.pk).update(title=_stored(text)[:110])
        offer.refresh_from_db()
        collective_services.prebook(user=teacher, offer=offer)
    return owner


def _body(response) -> bytes:
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content)
    return b"".join(response)


@pytest.mark.parametrize(
    "url", ["/reservations/export.csv", "/reservations/collectives/export.csv"]
)
def test_csv_exports_read_back_with_every_character_class(login, hostile_rows, url):
    body = _body(login(hostile_rows).get(url)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body, newline=""), delimiter=";"))
    assert len(rows) == 1 + len(HOSTILE)
    cells = {cell for row in rows[1:] for cell in row}
    for cell in cells:
        assert not any(ord(ch) < 32 and ch not in "\t" for ch in cell), repr(cell)
    cut, column = (110, 1) if "collectives" in url else (90, 2)
    assert {row[column] for row in rows[1:]} == {csv_field(_stored(t)[:cut]) for t in HOSTILE}
    assert not any(c.startswith(("=", "@")) for c in cells)


@pytest.mark.parametrize(
    "url", ["/reservations/export.xlsx", "/reservations/collectives/export.xlsx"]
)
def test_xlsx_exports_open_with_every_character_class(login, hostile_rows, url):
    workbook = load_workbook(io.BytesIO(_body(login(hostile_rows).get(url))))
    rows = list(workbook.active.iter_rows())
    assert len(rows) == 1 + len(HOSTILE)
    names = {(row[5] if "collectives" in url else row[6]).value for row in rows[1:]}
    assert any("Chloé d'Arc" in (name or "") for name in names)
    assert any("😀 émoji" in (name or "") for name in names)
    for row in rows[1:]:
        for cell in row:
            assert cell.data_type != "f", cell.value  # a string cell, never a formula
            if isinstance(cell.value, str):
                assert not any(ord(ch) < 32 for ch in cell.value), repr(cell.value)
                if cell.value.startswith(("=", "@")):
                    assert cell.quotePrefix  # and stays text when edited
