"""The export of a session's participants (issue 30): every channel with its « Canal »,
read back as a spreadsheet reads it — places are numbers, the registration date a date,
no cell a formula — and logged like the bookings export."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from offers.models import Channel, ExportLog
from offers.services import bookings as booking_services
from offers.services import registrations as services
from offers.services.registrations import RegistrationData
from tests.factories import make_beneficiary, make_offer, make_session

pytestmark = pytest.mark.django_db

COLUMNS = [
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


@pytest.fixture
def session_with_everyone(space, owner):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Club de lecture")
    session = make_session(offer, days=4, total_places=12, quota=8)
    young = make_beneficiary(16, first_name="Inès", last_name="Diallo")
    booking = booking_services.booking_create(user=young, offer=offer, session=session)
    for data in (
        RegistrationData(channel=Channel.DESK, name="Famille Lefèvre-Ngô", places=3),
        RegistrationData(
            channel=Channel.PHONE,
            name='=HYPERLINK("http://x")',
            phone="+33 6 12 34 56 78",
            email="chloe@exemple.fr",
            contact_consent=True,
            age_bracket="19_25",
        ),
        RegistrationData(channel=Channel.WALK_IN, name="", places=2),
    ):
        door = session.starts_at - timedelta(hours=1)  # walk-ins are counted on the day
        services.registration_add(
            actor=owner,
            target=session,
            data=data,
            now=door if data.channel == Channel.WALK_IN else None,
        )
    return offer, session, booking


def _url(offer, session, fmt):
    return f"/offres/{offer.public_id}/seances/{session.public_id}/participants/export.{fmt}"


def test_csv_every_channel_typed_and_inert(login, owner, session_with_everyone):
    offer, session, booking = session_with_everyone
    response = login(owner).get(_url(offer, session, "csv"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="participants-')
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == COLUMNS
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Diallo Inès"][1:3] == ["pass Culture", "1"]
    assert by_name["Diallo Inès"][9] == booking.code
    assert by_name["Famille Lefèvre-Ngô"][1:3] == ["Accueil", "3"]
    phone = by_name['\'=HYPERLINK("http://x")']
    assert phone[1] == "Téléphone" and phone[5] == "'+33 6 12 34 56 78"
    assert phone[6] == "chloe@exemple.fr" and phone[7] == "19 à 25 ans"
    assert datetime.strptime(phone[8], "%d/%m/%Y %H:%M")
    assert by_name[""][1:5] == ["Sans inscription", "2", "Présent", "Présent"]
    log = ExportLog.objects.get()
    assert (log.kind, log.fmt, log.actor) == ("participants", "csv", owner)
    assert str(session.public_id) in log.filters


def test_xlsx_numbers_dates_and_no_formula(login, owner, session_with_everyone):
    offer, session, _ = session_with_everyone
    response = login(owner).get(_url(offer, session, "xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["Participants"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == 1 + 4
    for row in sheet.iter_rows(min_row=2):
        assert isinstance(row[2].value, int)
        assert isinstance(row[8].value, datetime)
        for cell in row:
            assert cell.data_type != "f"
    channels = sorted(row[1] for row in rows[1:])
    assert channels == ["Accueil", "Sans inscription", "Téléphone", "pass Culture"]
    phone = next(row for row in sheet.iter_rows(min_row=2) if row[1].value == "Téléphone")
    assert phone[0].value == '=HYPERLINK("http://x")' and phone[0].data_type == "s"
    assert phone[0].quotePrefix and phone[5].value == "+33 6 12 34 56 78"
    assert ExportLog.objects.get().fmt == "xlsx"


def test_only_the_offer_editors_export(login, outsider, owner, session_with_everyone):
    offer, session, _ = session_with_everyone
    assert login(outsider).get(_url(offer, session, "csv")).status_code == 404
    assert login(owner).get(_url(offer, session, "ods")).status_code == 404
    assert not ExportLog.objects.exists()
