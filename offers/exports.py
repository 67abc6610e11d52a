"""CSV and XLSX exports of a filtered bookings list, streamed row by row.

Rows are typed (text, dates in the venue's time, euros as Decimal): the XLSX file keeps
them as date and number cells, the CSV writes them as French spreadsheets read them.

Rows come from `.values_list(...).iterator()` (a server-side cursor on PostgreSQL), so
memory does not grow with the number of bookings. Text cells that a spreadsheet would
read as a formula (starting with =, +, -, @, tab or CR) are prefixed with a quote.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from catalog.categories import get_subcategory
from offers.rules import cancellation_deadline_at, deadline_passed
from passlib.text import clean_line, printable

# The scheme's own layout of the pro booking export (pass Culture's "Réservations"
# export), so a library's existing spreadsheets keep working.
COLUMNS = [
    "Structure",
    "Lieu",
    "Nom de l'offre",
    "Date de l'évènement",
    "EAN",
    "Prénom du bénéficiaire",
    "Nom du bénéficiaire",
    "Email du bénéficiaire",
    "Téléphone du bénéficiaire",
    "Date et heure de réservation",
    "Date et heure de validation",
    "Contremarque",
    "Intitulé du tarif",
    "Prix de la réservation",
    "Statut de la contremarque",
    "Date et heure de remboursement",
    "Type d'offre",
    "Code postal du bénéficiaire",
    "Duo",
]

# The scheme's statuses; a confirmed booking is "réservé" until its cancellation
# deadline, then "confirmé" (offers/rules.py).
STATUS_LABELS = {
    "validated": "validé",
    "cancelled": "annulé",
    "reimbursed": "remboursé",
}
PRICE_LABEL = "Tarif unique"  # passlib offers have one price

_FIELDS = (
    "venue__collectivite__name",
    "venue__name",
    "venue__public_name",
    "venue__time_zone",
    "offer__title",
    "offer__subcategory_id",
    "session__starts_at",
    "beneficiary__first_name",
    "beneficiary__last_name",
    "beneficiary__email",
    "beneficiary__phone",
    "booked_at",
    "validated_at",
    "code",
    "price_cents",
    "status",
    "reimbursed_at",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A stored text as one line of a cell: line breaks and control characters made
    spaces or removed (a spreadsheet file cannot hold them; what was stored before
    passlib/forms.py cleaned input has them), and a formula start quoted."""
    value = printable(clean_line(value))
    return "'" + value if value.startswith(_FORMULA_START) else value


def _when(value, tz: ZoneInfo) -> datetime | None:
    """The venue's local time, without time zone: a spreadsheet date (XLSX cells cannot
    hold a zone; the column's heading says whose time it is)."""
    return timezone.localtime(value, tz).replace(tzinfo=None) if value else None


def _euros(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def export_rows(queryset, *, now=None) -> Iterator[list]:
    """Typed rows: text, `datetime` (local to the venue), `Decimal` euros, None."""
    now = now or timezone.now()
    types = {}
    for row in queryset.values_list(*_FIELDS).iterator(chunk_size=2000):
        (
            structure,
            venue,
            public_name,
            tz_name,
            title,
            sub_id,
            starts_at,
            first,
            last,
            email,
            phone,
            booked_at,
            validated_at,
            code,
            price,
            status,
            reimbursed_at,
        ) = row
        tz = ZoneInfo(tz_name)
        if sub_id not in types:
            types[sub_id] = get_subcategory(sub_id).offer_type.label
        if status == "confirmed":
            deadline = cancellation_deadline_at(booked_at, starts_at)
            label = "confirmé" if deadline_passed(deadline, now) else "réservé"
        else:
            label = STATUS_LABELS[status]
        yield [
            safe_cell(structure),
            safe_cell(public_name or venue),
            safe_cell(title),
            _when(starts_at, tz),
            "",
            safe_cell(first),
            safe_cell(last),
            safe_cell(email),
            safe_cell(phone),
            _when(booked_at, tz),
            _when(validated_at, tz),
            safe_cell(code),
            PRICE_LABEL,
            _euros(price),
            label,
            _when(reimbursed_at, tz),
            types[sub_id],
            "",
            "Non",
        ]


COLLECTIVE_COLUMNS = [
    "Lieu",
    "Nom de l'offre",
    "Date de l'évènement",
    "UAI de l'établissement",
    "Nom de l'établissement",
    "Enseignant",
    "Email de l'enseignant",
    "Date et heure de préréservation",
    "Date et heure de confirmation",
    "Nombre d'élèves",
    "Prix",
    "Statut",
]
COLLECTIVE_STATUS_LABELS = {
    "prebooked": "Préréservée",
    "booked": "Réservée",
    "ended": "Terminée",
    "reimbursed": "Remboursée",
    "cancelled": "Annulée",
}


def collective_rows(queryset) -> Iterator[list]:
    fields = (
        "venue__name",
        "venue__public_name",
        "venue__time_zone",
        "offer__title",
        "offer__starts_at",
        "school__uai",
        "school__name",
        "teacher__last_name",
        "teacher__first_name",
        "teacher__email",
        "prebooked_at",
        "confirmed_at",
        "offer__students",
        "offer__price_cents",
        "status",
    )
    for row in queryset.values_list(*fields).iterator(chunk_size=2000):
        (
            venue,
            public_name,
            tz_name,
            title,
            starts_at,
            uai,
            school,
            last,
            first,
            email,
            prebooked_at,
            confirmed_at,
            students,
            price,
            status,
        ) = row
        tz = ZoneInfo(tz_name)
        yield [
            safe_cell(public_name or venue),
            safe_cell(title),
            _when(starts_at, tz),
            safe_cell(uai),
            safe_cell(school),
            safe_cell(f"{last} {first}".strip()),
            safe_cell(email),
            _when(prebooked_at, tz),
            _when(confirmed_at, tz),
            students,
            _euros(price),
            COLLECTIVE_STATUS_LABELS[status],
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_text(value) -> str:
    """A typed cell as French spreadsheets read it: 02/12/2026 14:30, 4,50."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    return str(value)


def csv_response_rows(columns, rows, filename: str) -> StreamingHttpResponse:
    """UTF-8 with BOM and ';' separators: opens with accents in French Excel."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")

    def lines():
        yield "\ufeff" + writer.writerow(columns)
        for row in rows:
            yield writer.writerow([csv_text(value) for value in row])

    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


DATE_FORMAT = "DD/MM/YYYY HH:MM"
EURO_FORMAT = '#,##0.00 "€"'


def _xlsx_row(sheet, row: list) -> list:
    """Dates and amounts as typed cells (a spreadsheet sorts and sums them)."""
    cells = []
    for value in row:
        if isinstance(value, datetime | Decimal):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = DATE_FORMAT if isinstance(value, datetime) else EURO_FORMAT
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def xlsx_response_rows(columns, rows, filename: str) -> FileResponse:
    """openpyxl's write-only mode writes rows to a temporary file, then it is streamed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Réservations")
    sheet.append(columns)
    for row in rows:
        sheet.append(_xlsx_row(sheet, row))
    # FileResponse closes (and so deletes) the temporary file once it is sent.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def csv_response(queryset, filename: str) -> StreamingHttpResponse:
    return csv_response_rows(COLUMNS, export_rows(queryset), filename)


def xlsx_response(queryset, filename: str) -> FileResponse:
    return xlsx_response_rows(COLUMNS, export_rows(queryset), filename)
