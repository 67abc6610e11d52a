"""Spreadsheet (« CSV ») injection, through every export passlib writes (issue 27).

Titles, names, phones and venue names that a spreadsheet would run as a formula go
through every file a person downloads — the bookings CSV and XLSX, the collective
bookings CSV and XLSX, a statement's CSV, the activity report's XLSX — and each file
is read back: no XLSX cell is a formula, no CSV field made of typed text starts with
a formula trigger, the text still reads as typed (« +33 1 23 45 67 89 »), and numbers
and dates are still numbers and dates. One module writes every cell:
passlib/spreadsheets.py.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from finance.services.runs import close_period
from offers.services import collective_bookings as collective_services
from passlib.spreadsheets import FORMULA_START, csv_field, formula_like, xlsx_row
from tests.factories import (
    make_beneficiary,
    make_booking,
    make_collective_offer,
    make_offer,
    make_school,
    make_teacher,
)
from tests.finance.helpers import account_for, validated

pytestmark = pytest.mark.django_db

FORMULAS = [
    "=1+1",
    "@SUM(A1)",
    "+33 1 23 45 67 89",
    "-2",
    "\t=1",
    '=HYPERLINK("http://x","y")',
    "  =1+1",  # after leading spaces
    "\uff1d1+1",  # full-width equals sign
]


@pytest.fixture
def hostile(space, owner):
    """Each formula as an offer title, a young person's names and phone, a teacher's
    name, a collective offer's title; one venue named like a formula."""
    venue = space["venue"]
    type(venue).objects.filter(pk=venue.pk).update(name="=1+1", public_name="")
    venue.refresh_from_db()
    account_for(space["collectivite"], venue)
    for n, text in enumerate(FORMULAS):
        booking = validated(venue, price_cents=450 + n, title=text)
        young = make_beneficiary(16, first_name=text, last_name=text, phone=text)
        type(booking).objects.filter(pk=booking.pk).update(beneficiary=young)
        make_booking(make_offer(venue, "ESCAPE_GAME", title=text), beneficiary=young)
    school = make_school()
    for n, text in enumerate(FORMULAS):
        teacher = make_teacher(school, first_name=text, last_name=f"Prof {n}")
        offer = make_collective_offer(venue, title=text)
        collective_services.prebook(user=teacher, offer=offer)
    run = close_period()
    return {"owner": owner, "statement": run.statements.get(collectivite=space["collectivite"])}


def _body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _csv(response) -> list[list[str]]:
    text = _body(response).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def _urls(space, statement) -> dict[str, str]:
    col = space["collectivite"].public_id
    return {
        "bookings_csv": "/reservations/export.csv",
        "bookings_xlsx": "/reservations/export.xlsx",
        "collective_csv": "/reservations/collectives/export.csv",
        "collective_xlsx": "/reservations/collectives/export.xlsx",
        "statement_csv": f"/collectivites/{col}/finances/releves/{statement.public_id}.csv",
        "report_xlsx": f"/collectivites/{col}/statistiques/rapport.xlsx",
    }


def _assert_csv_inert(rows: list[list[str]], text_columns: list[int]):
    """No field of typed text starts (after spaces) with a trigger; each formula reads
    back as typed, behind one apostrophe."""
    seen = set()
    for row in rows[1:]:
        for column in text_columns:
            field = row[column]
            assert not field.lstrip().startswith(FORMULA_START), (column, field)
            if field.startswith("'"):
                seen.add(field[1:])
    assert {"=1+1", "@SUM(A1)", "+33 1 23 45 67 89", "-2", '=HYPERLINK("http://x","y")'} <= seen


def _xlsx_cells(response) -> dict[str, list]:
    book = load_workbook(io.BytesIO(_body(response)))
    return {sheet.title: [list(r) for r in sheet.iter_rows()] for sheet in book.worksheets}


def _assert_xlsx_inert(sheets: dict[str, list]):
    texts = set()
    for rows in sheets.values():
        for row in rows:
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.add(cell.value)
                    if formula_like(cell.value):
                        assert cell.quotePrefix, cell.value  # stays text when edited
    return texts


def test_bookings_csv_and_xlsx(login, space, hostile):
    client = login(hostile["owner"])
    urls = _urls(space, hostile["statement"])
    rows = _csv(client.get(urls["bookings_csv"]))
    assert len(rows) == 1 + 2 * len(FORMULAS)
    # Structure, Lieu, offer, first name, last name, e-mail, phone
    _assert_csv_inert(rows, [0, 1, 2, 5, 6, 7, 8])
    assert {r[1] for r in rows[1:]} == {"'=1+1"}  # the venue named like a formula
    sheets = _xlsx_cells(client.get(urls["bookings_xlsx"]))
    texts = _assert_xlsx_inert(sheets)
    # Read exactly as typed, without an apostrophe: the phone, the title, the name.
    assert {"+33 1 23 45 67 89", '=HYPERLINK("http://x","y")', "-2", "=1+1"} <= texts
    (rows,) = sheets.values()
    for row in rows[1:]:
        assert isinstance(row[9].value, datetime) and row[9].is_date  # booked at
        assert isinstance(row[13].value, int | float) and row[13].data_type == "n"  # price


def test_collective_csv_and_xlsx(login, space, hostile):
    client = login(hostile["owner"])
    urls = _urls(space, hostile["statement"])
    rows = _csv(client.get(urls["collective_csv"]))
    assert len(rows) == 1 + len(FORMULAS)
    _assert_csv_inert(rows, [0, 1, 3, 4, 5, 6])
    sheets = _xlsx_cells(client.get(urls["collective_xlsx"]))
    texts = _assert_xlsx_inert(sheets)
    assert '=HYPERLINK("http://x","y")' in texts
    (rows,) = sheets.values()
    for row in rows[1:]:
        assert row[2].is_date and isinstance(row[2].value, datetime)  # the event's date
        assert row[9].data_type == "n" and row[10].data_type == "n"  # pupils, price


def test_statement_csv(login, space, hostile):
    statement = hostile["statement"]
    rows = _csv(login(hostile["owner"]).get(_urls(space, statement)["statement_csv"]))
    assert len(rows) == 1 + len(FORMULAS)
    _assert_csv_inert(rows, [2, 3])  # venue, offer
    assert {r[2] for r in rows[1:]} == {"'=1+1"}
    prices = sorted(Decimal(r[6].replace(",", ".")) for r in rows[1:])
    assert prices == [Decimal(450 + n) / 100 for n in range(len(FORMULAS))]  # numbers
    for row in rows[1:]:
        datetime.strptime(row[5], "%d/%m/%Y %H:%M")  # a date


def test_activity_report_xlsx(login, space, hostile):
    sheets = _xlsx_cells(
        login(hostile["owner"]).get(_urls(space, hostile["statement"])["report_xlsx"])
    )
    texts = _assert_xlsx_inert(sheets)
    assert "=1+1" in texts  # the venue, on « Par lieu » and beside each top offer
    top = sheets["Offres les plus réservées"]
    titles = {row[0].value for row in top[1:]}
    assert len(titles & {f.replace("\t", " ") for f in FORMULAS}) >= 5  # the top ten
    assert all(row[0].data_type == "s" for row in top[1:])
    assert all(row[2].data_type == "n" and isinstance(row[2].value, int) for row in top[1:])
    by_venue = sheets["Par lieu"]
    assert by_venue[1][0].value == "=1+1" and by_venue[1][0].data_type == "s"
    assert by_venue[1][4].data_type == "n" and by_venue[1][4].value > 0  # euros, a number


@pytest.mark.parametrize("text", FORMULAS)
def test_the_one_rule_on_each_formula(text):
    field = csv_field(text)
    assert field.startswith("'") and not field[1:].startswith("'")
    assert csv_field(Decimal("-2.50")) == "-2,50"  # a real negative number stays one
    assert csv_field(-2) == "-2"


def test_an_error_code_typed_as_a_title_stays_text():
    """openpyxl would store « #N/A » as an error cell: it is typed text."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("x")
    sheet.append(xlsx_row(sheet, ["#N/A", "=1+1", "texte", 3, None]))
    out = io.BytesIO()
    book.save(out)
    cells = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())
    assert [c.data_type for c in cells[:4]] == ["s", "s", "s", "n"]
    assert [c.value for c in cells[:4]] == ["#N/A", "=1+1", "texte", 3]
