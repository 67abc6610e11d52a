"""The pro bookings list, its exports and venue cancellation."""

import csv
import io
import re
import tracemalloc
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from offers.exports import COLUMNS
from offers.models import Booking, BookingStatus
from offers.services import bookings as services
from passlib.spreadsheets import csv_field
from tests.factories import UserFactory, make_beneficiary, make_offer, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(space):
    workshop = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier écriture")
    session = make_session(workshop, total_places=50)
    escape = make_offer(space["other_venue"], "ESCAPE_GAME", title="Escape", price_cents=800)
    b1 = services.booking_create(
        user=make_beneficiary(16, first_name="Zoé", last_name="Lefèvre"),
        offer=workshop,
        session=session,
    )
    b2 = services.booking_create(
        user=make_beneficiary(18, first_name="=HYPERLINK(1)", last_name="Martin"), offer=escape
    )
    return {"workshop": workshop, "escape": escape, "b1": b1, "b2": b2, "session": session}


def validate_at_the_counter(actor, booking):
    """Validate an event booking the young person can no longer cancel (booked 3 days
    ago: the guichet validates only after the cancellation deadline)."""
    Booking.objects.filter(pk=booking.pk).update(booked_at=timezone.now() - timedelta(days=3))
    booking.refresh_from_db()
    services.booking_validate(actor=actor, booking=booking)


def test_owner_sees_all_venues_member_only_theirs(login, owner, member, data):
    codes = {b.code for b in login(owner).get("/reservations/").context["page"]}
    assert codes == {data["b1"].code, data["b2"].code}
    codes = {b.code for b in login(member).get("/reservations/").context["page"]}
    assert codes == {data["b1"].code}


def test_outsider_sees_nothing_and_cannot_cancel(login, outsider, data):
    client = login(outsider)
    assert list(client.get("/reservations/").context["page"]) == []
    response = client.post(f"/reservations/{data['b1'].public_id}/annuler/", {"comment": "x"})
    assert response.status_code == 404
    assert Booking.objects.get(pk=data["b1"].pk).status == BookingStatus.CONFIRMED


def test_filters_and_search(login, owner, data):
    client = login(owner)

    def codes(query):
        return {b.code for b in client.get(f"/reservations/?{query}").context["page"]}

    assert codes("q=lefèvre") == {data["b1"].code}
    assert codes(f"q={data['b2'].code.lower()}") == {data["b2"].code}
    assert codes("offer=escap") == {data["b2"].code}
    validate_at_the_counter(owner, data["b1"])
    assert codes("status=validated") == {data["b1"].code}
    event_day = timezone.localtime(data["session"].starts_at).date().isoformat()
    assert codes(f"event_from={event_day}&event_to={event_day}") == {data["b1"].code}
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert codes(f"booked_from={tomorrow}") == set()
    counts = dict(client.get("/reservations/").context["counts"])
    assert counts["Validée"] == 1 and counts["Confirmée"] == 1


def test_venue_cancels_with_a_reason(login, owner, data):
    client = login(owner)
    response = client.post(
        f"/reservations/{data['b1'].public_id}/annuler/", {"comment": ""}, follow=True
    )
    assert "Indiquez le motif" in response.content.decode()
    client.post(f"/reservations/{data['b1'].public_id}/annuler/", {"comment": "Intervenant malade"})
    booking = Booking.objects.get(pk=data["b1"].pk)
    assert booking.status == BookingStatus.CANCELLED and booking.cancellation_reason == "venue"
    assert client.get(f"/reservations/{data['b1'].public_id}/annuler/").status_code == 405


def read_csv(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())  # BOM: French Excel reads UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def _by_name(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    header = rows[0]
    return {row[6]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def test_csv_export_has_the_schemes_columns_bom_accents_and_neutralised_formulas(
    login, owner, data, space
):
    response = login(owner).get("/reservations/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == COLUMNS
    zoe = _by_name(rows)["Lefèvre"]
    assert zoe["Structure"] == space["collectivite"].name
    assert zoe["Nom de l'offre"] == "Atelier écriture"
    assert (zoe["Prénom du bénéficiaire"], zoe["Nom du bénéficiaire"]) == ("Zoé", "Lefèvre")
    assert zoe["Statut de la contremarque"] == "réservé"
    # pass Culture's value for every individual booking, event or thing
    assert zoe["Type d'offre"] == "offre grand public" and zoe["Prix de la réservation"] == "0,00"
    assert zoe["Contremarque"] == data["b1"].code  # an event shows its code
    assert zoe["Intitulé du tarif"] == "Tarif unique" and zoe["Duo"] == "Non"
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", zoe["Date de l'évènement"])
    martin = _by_name(rows)["Martin"]
    assert martin["Prénom du bénéficiaire"] == "'=HYPERLINK(1)"  # neutralised
    assert martin["Prix de la réservation"] == "8,00"
    assert martin["Type d'offre"] == "offre grand public" and martin["Date de l'évènement"] == ""
    assert martin["Contremarque"] == ""  # a thing not yet validated hides its code


def test_formula_at_the_start_of_a_cell_is_neutralised(login, owner, space):
    offer = make_offer(space["venue"], "ESCAPE_GAME", title="=1+1")
    services.booking_create(user=make_beneficiary(last_name="@SUM(A1)"), offer=offer)
    rows = read_csv(login(owner).get("/reservations/export.csv"))
    assert rows[1][2] == "'=1+1"
    assert rows[1][6].startswith("'@SUM(A1)")


def test_xlsx_export_has_the_same_rows_as_the_csv_with_typed_cells(login, owner, data):
    client = login(owner)
    csv_rows = read_csv(client.get("/reservations/export.csv"))
    response = client.get("/reservations/export.xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    xlsx_rows = list(workbook.active.iter_rows(values_only=True))
    assert [csv_field(c) for c in xlsx_rows[0]] == csv_rows[0]
    for xlsx_row, csv_row in zip(xlsx_rows[1:], csv_rows[1:], strict=True):
        typed = [
            Decimal(str(c)).quantize(Decimal("0.01")) if isinstance(c, float | int) else c
            for c in xlsx_row
        ]
        assert [csv_field(c) for c in typed] == csv_row
        assert isinstance(xlsx_row[13], int | float)  # the price: a number
        assert isinstance(xlsx_row[9], datetime)  # booked at: a date


def test_exports_follow_the_filters(login, owner, data):
    rows = read_csv(login(owner).get("/reservations/export.csv?offer=Escape"))
    assert [r[6] for r in rows[1:]] == ["Martin"]


def test_a_things_code_shows_in_the_export_once_validated_or_cancelled(login, owner, data):
    """pass Culture's rule (get_booking_token): a physical booking still confirmed keeps
    its code out of the file; validated, cancelled or reimbursed, it shows; an event's
    code always shows."""
    client = login(owner)

    def contremarques():
        response = client.get("/reservations/export.xlsx")
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
        return {row[6]: row[11] for row in list(book.active.iter_rows(values_only=True))[1:]}

    assert contremarques() == {"Lefèvre": data["b1"].code, "Martin": None}
    services.booking_validate(actor=owner, booking=data["b2"])
    assert contremarques() == {"Lefèvre": data["b1"].code, "Martin": data["b2"].code}
    Booking.objects.filter(pk=data["b2"].pk).update(
        status=BookingStatus.CANCELLED, cancelled_at=timezone.now(), cancellation_reason="venue"
    )
    assert contremarques()["Martin"] == data["b2"].code


def test_bookings_list_queries_do_not_grow(login, owner, space):
    offer = make_offer(space["venue"], "ESCAPE_GAME")
    client = login(owner)
    _bulk_bookings(offer, 5)
    cache.clear()  # measure with the per-status counts computed, not cached
    with CaptureQueriesContext(connection) as small:
        client.get("/reservations/")
    _bulk_bookings(offer, 60, start=5)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        client.get("/reservations/")
    assert len(large) == len(small)


def _bulk_bookings(offer, n, start=0):
    from offers.models import CODE_ALPHABET

    people = UserFactory._meta.model.objects.bulk_create(
        UserFactory.build(email=f"bulk{start + i}-{offer.pk}@exemple.fr") for i in range(n)
    )
    alphabet = CODE_ALPHABET
    Booking.objects.bulk_create(
        Booking(
            code="".join(
                alphabet[(start + i) // len(alphabet) ** k % len(alphabet)] for k in range(6)
            ),
            offer=offer,
            venue=offer.venue,
            stock=offer.stock,
            beneficiary=p,
        )
        for i, p in enumerate(people)
    )


def test_csv_export_of_20000_bookings_streams_in_bounded_memory(login, owner, space):
    offer = make_offer(space["venue"], "ESCAPE_GAME")
    for chunk in range(0, 20_000, 5_000):
        _bulk_bookings(offer, 5_000, start=chunk)
    response = login(owner).get("/reservations/export.csv")
    tracemalloc.start()
    lines = 0
    for part in response.streaming_content:
        lines += part.count(b"\n")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert lines == 20_001
    # the whole file is ~2 MB; streaming keeps the Python heap far below holding it all
    assert peak < 8 * 1024 * 1024, peak


def test_counts_follow_the_librarians_own_actions(login, owner, data):
    client = login(owner)
    before = dict(client.get("/reservations/").context["counts"])
    validate_at_the_counter(owner, data["b1"])
    after = dict(client.get("/reservations/").context["counts"])
    assert after["Validée"] == before["Validée"] + 1
    assert after["Confirmée"] == before["Confirmée"] - 1
