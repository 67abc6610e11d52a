"""Every cell of every spreadsheet passlib writes (CSV and XLSX), in one place.

Exports build rows of typed values — text, `int`, `Decimal` euros, `datetime`/`date`,
None — and only the two writers below turn them into cells: `csv_field` for a CSV
field, `xlsx_cell` for an XLSX cell. So no export can forget a cell.

Text typed by people (a title, a name, a phone) is made one line without control
characters (passlib/text.py), then made inert: a spreadsheet must never run it as a
formula (OWASP, « CSV injection »). `formula_like` is the rule: the first character
that is not a space is = + - @ (or their full-width forms, which some spreadsheets
read the same), tab or a line break.

- CSV: such a text gets a leading apostrophe (OWASP's advice), so Excel and
  LibreOffice show it as text (« '=1+1 », « '+33 1 23 45 67 89 »).
- XLSX: every text is a string cell (openpyxl would turn a `str` starting with « = »
  into a formula) and a formula-like one also carries Excel's « quotePrefix » style:
  it reads exactly as typed (« +33 1 23 45 67 89 », no apostrophe) and stays text if
  someone edits the cell.

Numbers stay numbers and dates stay dates (XLSX number and date cells; French
« 4,50 » and « 02/12/2026 14:30 » in CSV).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES

from passlib.text import clean_line, printable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
DATE_FORMAT = "DD/MM/YYYY"
EURO_FORMAT = '#,##0.00 "€"'


def cell_text(value: str) -> str:
    """Stored text as one line of a cell: line breaks and controls made spaces or
    removed (what was stored before passlib/forms.py cleaned input may hold them)."""
    return printable(clean_line(value))


def formula_like(text: str) -> bool:
    """Would a spreadsheet read this text as a formula (after any leading spaces)?"""
    return text.lstrip().startswith(FORMULA_START)


def csv_field(value) -> str:
    """A typed value as a CSV field French spreadsheets read: text made inert,
    02/12/2026 14:30, 4,50."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = cell_text(value)
        return "'" + text if formula_like(text) else text
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, int | float):
        return str(value).replace(".", ",")
    raise TypeError(f"no CSV field for {type(value).__name__}")


def xlsx_cell(sheet, value, *, font=None) -> WriteOnlyCell | str | int | float | None:
    """A typed value as an XLSX cell of a write-only sheet: text a string cell (never a
    formula), dates and euros with their formats, numbers as numbers.

    A plain text or number is handed to openpyxl as it is (it stores them as string
    and number cells; a cell object for each costs a third more time on a large
    export); a formula-like text, an error code (« #N/A ») and anything formatted get
    a cell whose type is set here."""
    if font is None and (value is None or type(value) in (int, float)):
        return value
    if isinstance(value, str):
        text = cell_text(value)
        if font is None and not formula_like(text) and text not in ERROR_CODES:
            return text
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        if formula_like(text):
            cell.quotePrefix = True
    elif value is None or isinstance(value, bool | int | float | Decimal | date):
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, date):
            cell.number_format = DATE_FORMAT
        elif isinstance(value, Decimal):
            cell.number_format = EURO_FORMAT
    else:
        raise TypeError(f"no XLSX cell for {type(value).__name__}")
    if font is not None:
        cell.font = font
    return cell


def xlsx_row(sheet, row) -> list:
    return [xlsx_cell(sheet, value) for value in row]
