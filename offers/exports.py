"""CSV and XLSX exports of a filtered bookings list, streamed row by row.

Rows are typed (text, dates in the venue's time, euros as Decimal): the XLSX file keeps
them as date and number cells, the CSV writes them as French spreadsheets read them.

Rows come from `.values_list(...).iterator()` (a server-side cursor on PostgreSQL), so
memory does not grow with the number of bookings. Every cell is written by
passlib/spreadsheets.py, which makes typed text inert (never a formula).
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

from offers.rules import cancellation_deadline_at, code_in_pro_export, deadline_passed
from passlib.spreadsheets import csv_field, xlsx_row

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
# pass Culture writes « offre grand public » for every individual booking (« offre
# collective » for a collective one), whatever its subcategory:
# `serialize_offer_type_educational_or_individual` in pass-culture/pass-culture-main,
# api/src/pcapi/core/bookings/exports.py.
INDIVIDUAL_OFFER_TYPE = "offre grand public"

_FIELDS = (
    "venue__collectivite__name",
    "venue__name",
    "venue__public_name",
    "venue__time_zone",
    "offer__title",
    "session_id",
    "session__starts_at",
    "session__moved_at",
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


def _when(value, tz: ZoneInfo) -> datetime | None:
    """The venue's local time, without time zone: a spreadsheet date (XLSX cells cannot
    hold a zone; the column's heading says whose time it is)."""
    return timezone.localtime(value, tz).replace(tzinfo=None) if value else None


def _euros(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def export_rows(queryset, *, now=None) -> Iterator[list]:
    """Typed rows: text, `datetime` (local to the venue), `Decimal` euros, None."""
    now = now or timezone.now()
    for row in queryset.values_list(*_FIELDS).iterator(chunk_size=2000):
        (
            structure,
            venue,
            public_name,
            tz_name,
            title,
            session_id,
            starts_at,
            moved_at,
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
        if status == "confirmed":
            deadline = cancellation_deadline_at(booked_at, starts_at, moved_at)
            label = "confirmé" if deadline_passed(deadline, now) else "réservé"
        else:
            label = STATUS_LABELS[status]
        yield [
            structure,
            public_name or venue,
            title,
            _when(starts_at, tz),
            "",
            first,
            last,
            email,
            phone,
            _when(booked_at, tz),
            _when(validated_at, tz),
            code_in_pro_export(code, status=status, is_event=session_id is not None),
            PRICE_LABEL,
            _euros(price),
            label,
            _when(reimbursed_at, tz),
            INDIVIDUAL_OFFER_TYPE,
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
    "Adresse électronique de l'enseignant",
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
            public_name or venue,
            title,
            _when(starts_at, tz),
            uai,
            school,
            f"{last} {first}".strip(),
            email,
            _when(prebooked_at, tz),
            _when(confirmed_at, tz),
            students,
            _euros(price),
            COLLECTIVE_STATUS_LABELS[status],
        ]


# A session's participants, every channel (issue 30): its one list as a spreadsheet.
PARTICIPANT_COLUMNS = [
    "Nom",
    "Canal",
    "Places",
    "Statut",
    "Présence",
    "Téléphone",
    "Adresse électronique",
    "Tranche d'âge",
    "Inscrit le",
    "Contremarque",
]
_ATTENDANCE_LABELS = {"present": "Présent", "absent": "Absent", "": ""}


def participant_rows(rows, tz_name: str) -> Iterator[list]:
    """Typed rows of offers/selectors/participants.py `Participant`s: text, the number
    of places, the date of registration in the venue's time."""
    tz = ZoneInfo(tz_name)
    for p in rows:
        yield [
            p.name,
            p.channel_label,
            p.places,
            p.status_label,
            _ATTENDANCE_LABELS[p.attendance],
            p.phone,
            p.email,
            p.age_label,
            _when(p.at, tz),
            p.code,
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response_rows(columns, rows, filename: str) -> StreamingHttpResponse:
    """UTF-8 with BOM and ';' separators: opens with accents in French Excel."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")

    def lines():
        yield "\ufeff" + writer.writerow([csv_field(column) for column in columns])
        for row in rows:
            yield writer.writerow([csv_field(value) for value in row])

    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response_rows(columns, rows, filename: str, *, sheet="Réservations") -> FileResponse:
    """openpyxl's write-only mode writes rows to a temporary file, then it is streamed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet)
    sheet.append(xlsx_row(sheet, columns))
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
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
