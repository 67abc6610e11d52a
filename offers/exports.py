"""CSV and XLSX exports of a filtered bookings list, streamed row by row.

Rows come from `.values_list(...).iterator()` (a server-side cursor on PostgreSQL), so
memory does not grow with the number of bookings. Text cells that a spreadsheet would
read as a formula (starting with =, +, -, @, tab or CR) are prefixed with a quote.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from catalog.categories import get_subcategory
from passlib.text import clean_line, printable

COLUMNS = [
    "Lieu",
    "Nom de l'offre",
    "Date de l'évènement",
    "Nom et prénom du bénéficiaire",
    "Email du bénéficiaire",
    "Date et heure de réservation",
    "Date et heure de validation",
    "Contremarque",
    "Prix",
    "Statut de la contremarque",
    "Type d'offre",
]

STATUS_LABELS = {
    "confirmed": "Confirmée",
    "validated": "Validée",
    "cancelled": "Annulée",
    "reimbursed": "Remboursée",
}

_FIELDS = (
    "venue__name",
    "venue__public_name",
    "venue__time_zone",
    "offer__title",
    "offer__subcategory_id",
    "session__starts_at",
    "beneficiary__last_name",
    "beneficiary__first_name",
    "beneficiary__email",
    "booked_at",
    "validated_at",
    "validated_auto",
    "code",
    "price_cents",
    "status",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A stored text as one line of a cell: line breaks and control characters made
    spaces or removed (a spreadsheet file cannot hold them; what was stored before
    passlib/forms.py cleaned input has them), and a formula start quoted."""
    value = printable(clean_line(value))
    return "'" + value if value.startswith(_FORMULA_START) else value


def _when(value, tz: ZoneInfo) -> str:
    return timezone.localtime(value, tz).strftime("%d/%m/%Y %H:%M") if value else ""


def export_rows(queryset) -> Iterator[list]:
    types = {}
    for row in queryset.values_list(*_FIELDS).iterator(chunk_size=2000):
        (
            venue,
            public_name,
            tz_name,
            title,
            sub_id,
            starts_at,
            last,
            first,
            email,
            booked_at,
            validated_at,
            auto,
            code,
            price,
            status,
        ) = row
        tz = ZoneInfo(tz_name)
        if sub_id not in types:
            types[sub_id] = get_subcategory(sub_id).offer_type.label
        status_label = STATUS_LABELS[status]
        if status == "validated" and auto:
            status_label = "Validée automatiquement"
        yield [
            safe_cell(public_name or venue),
            safe_cell(title),
            _when(starts_at, tz),
            safe_cell(f"{last} {first}".strip()),
            safe_cell(email),
            _when(booked_at, tz),
            _when(validated_at, tz),
            safe_cell(code),
            f"{price / 100:.2f}".replace(".", ","),
            status_label,
            types[sub_id],
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
            f"{price / 100:.2f}".replace(".", ","),
            COLLECTIVE_STATUS_LABELS[status],
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response_rows(columns, rows, filename: str) -> StreamingHttpResponse:
    """UTF-8 with BOM and ';' separators: opens with accents in French Excel."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")

    def lines():
        yield "\ufeff" + writer.writerow(columns)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response_rows(columns, rows, filename: str) -> FileResponse:
    """openpyxl's write-only mode writes rows to a temporary file, then it is streamed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Réservations")
    sheet.append(columns)
    for row in rows:
        sheet.append(row)
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
