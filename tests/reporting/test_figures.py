"""Each figure of the statistics equals a direct count of the bookings (issue 18), on a
data set with cancellations, a no-show, a collective booking, an automatic validation
and month boundaries in each venue's time zone; the same numbers reach the report."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import Beneficiary
from offers.models import Booking, CollectiveBooking
from reporting import documents
from reporting.figures import year_figures
from tests.factories import (
    VenueFactory,
    make_beneficiary,
    make_booking,
    make_collective_offer,
    make_offer,
    make_school,
    make_session,
    make_teacher,
)

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")
YEAR = 2026


def at(*args, tz=UTC):
    return datetime(YEAR, *args, tzinfo=tz)


def young_born(birth: date):
    person = make_beneficiary(16)
    Beneficiary.objects.filter(user=person).update(birth_date=birth)
    return person


@pytest.fixture
def world(space):
    paris = space["venue"]
    cayenne = VenueFactory(
        collectivite=space["collectivite"],
        name="Médiathèque de Cayenne",
        time_zone="America/Cayenne",
    )
    livre = make_offer(paris, "ESCAPE_GAME", price_cents=500, title="Escape game")
    atelier = make_offer(paris, "ATELIER_PRATIQUE_ART", title="Atelier BD")
    guyane = make_offer(cayenne, "ESCAPE_GAME", price_cents=0, title="Jeu gratuit")
    chloe = young_born(date(2010, 2, 10))  # reaches 16 in 2026
    ines = young_born(date(2008, 6, 1))  # reaches 18
    leo = young_born(date(2007, 12, 31))  # reaches 19
    b = {}
    # 31 Jan 23:30 UTC is 1 February 00:30 in Paris: a February booking.
    b["feb_paris"] = make_booking(livre, beneficiary=chloe, booked_at=at(1, 31, 23, 30))
    # 1 March 02:00 UTC is 28 February 23:00 in Cayenne: a February booking.
    b["feb_cayenne"] = make_booking(guyane, beneficiary=ines, booked_at=at(3, 1, 2, 0))
    b["validated"] = make_booking(
        make_offer(paris, "ESCAPE_GAME", price_cents=1250, title="Escape 2"),
        beneficiary=ines,
        booked_at=at(3, 10, 9),
        status="validated",
        validated_at=at(3, 12, 10),
    )
    b["cancelled"] = make_booking(
        make_offer(paris, "ESCAPE_GAME", price_cents=800, title="Escape 3"),
        beneficiary=leo,
        booked_at=at(3, 11, 9),
        status="cancelled",
        cancelled_at=at(4, 2, 9),
        cancellation_reason="beneficiary",
    )
    session = make_session(atelier, days=3, total_places=10)
    type(session).objects.filter(pk=session.pk).update(
        starts_at=at(4, 5, 14), booking_limit_at=at(4, 5, 14)
    )
    b["absent"] = make_booking(
        atelier, session=session, beneficiary=leo, booked_at=at(3, 20, 9), absent_at=at(4, 5, 16)
    )
    b["auto"] = make_booking(
        atelier,
        session=session,
        beneficiary=chloe,
        booked_at=at(3, 21, 9),
        status="validated",
        validated_at=at(4, 7, 15),
        validated_auto=True,
    )
    school = make_school()
    coffer = make_collective_offer(paris, students=25, price_cents=30_000)
    b["collective"] = CollectiveBooking.objects.create(
        offer=coffer,
        venue=paris,
        school=school,
        teacher=make_teacher(school),
        status="booked",
        confirmed_at=at(5, 2, 10),
    )
    # last year's: not in the figures
    make_booking(
        make_offer(paris, "ESCAPE_GAME", title="Ancien"),
        booked_at=datetime(2025, 12, 31, 12, tzinfo=UTC),
    )
    return {"venues": [paris, cayenne], "bookings": b}


def _direct(venues, when: str, keep) -> Counter:
    """Month (1–12) → count, by hand: each booking's date in its venue's time zone."""
    counts = Counter()
    for booking in Booking.objects.filter(venue__in=venues).select_related("venue", "session"):
        moment = booking.session.starts_at if when == "session" else getattr(booking, when)
        if moment is None or not keep(booking):
            continue
        local = timezone.localtime(moment, ZoneInfo(booking.venue.time_zone))
        if local.year == YEAR:
            counts[local.month] += 1
    return counts


def test_each_figure_equals_a_direct_count(world):
    venues = world["venues"]
    figures = year_figures([v.pk for v in venues], YEAR)
    made = _direct(venues, "booked_at", lambda b: True)
    assert {m + 1: n for m, n in enumerate(figures.series("made")) if n} == dict(made)
    assert made == Counter({2: 2, 3: 4})  # both boundary bookings are February's
    validated = _direct(venues, "validated_at", lambda b: b.status in ("validated", "reimbursed"))
    assert {m + 1: n for m, n in enumerate(figures.series("validated")) if n} == dict(validated)
    assert validated == Counter({3: 1, 4: 1})  # the automatic validation counts
    cancelled = _direct(venues, "cancelled_at", lambda b: b.status == "cancelled")
    assert {m + 1: n for m, n in enumerate(figures.series("cancelled")) if n} == {4: 1}
    assert cancelled == Counter({4: 1})
    assert figures.series("no_shows")[3] == 1 and figures.totals["no_shows"] == 1
    assert figures.totals["made"] == sum(made.values()) == 6
    assert figures.totals["free"] == 3 and figures.totals["paid"] == 3
    assert figures.totals["validated_cents"] == 1250  # the workshop is free
    # Young people: distinct, each once in the year; by age on their first booking.
    # Reached: a booking neither cancelled nor marked absent (Léo has only those).
    assert figures.totals["young"] == 2
    assert figures.series("young")[1] == 2  # February: Chloé (Paris), Inès (Cayenne)
    # by the age reached in the year: Chloé (born 2010) 16, Inès (born 2008) 18
    assert figures.by_age == {15: 0, 16: 1, 17: 0, 18: 1}
    # Collective: one class of 25 students in May.
    assert figures.series("classes")[4] == 1 and figures.totals["students"] == 25
    # Fill rate: 2 places booked of 10 in the year's sessions.
    assert figures.fill == {
        "sessions": 1,
        "places": 10,
        "booked": 2,
        "others": 0,
        "taken": 2,
        "rate": 20,
    }
    assert figures.fill_rate == 20
    assert {r["venue"]: r["made"] for r in figures.by_venue} == {
        "Médiathèque Part-Dieu": 5,
        "Médiathèque de Cayenne": 1,
    }
    assert figures.top_offers[0]["offer__title"] == "Atelier BD"
    assert figures.top_offers[0]["n"] == 2


def test_the_report_says_what_the_page_says(world, space):
    figures = year_figures([v.pk for v in world["venues"]], YEAR)
    pdf = documents.report_pdf(
        figures, collectivite_name="Ville de L'Haÿ-les-Roses", scope="2 lieux"
    )
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Rapport d'activité pass Culture 2026" in text
    assert "Ville de L'Haÿ-les-Roses" in text
    assert "Réservations faites 6" in text
    assert "Jeunes touchés 2" in text
    assert "Élèves touchés (offres collectives) 25" in text
    book = load_workbook(io.BytesIO(documents.report_xlsx(figures, "Rapport 2026")))
    summary = {row[0].value: row[1].value for row in book["Synthèse"].iter_rows(min_row=3)}
    assert summary["Réservations faites"] == 6 and isinstance(summary["Réservations faites"], int)
    assert summary["Montant validé (€)"] == 12.5
    monthly = list(book["Par mois"].iter_rows(values_only=True))
    assert monthly[0][0] == "Mois" and monthly[2][0] == "février"
    assert monthly[2][1] == 2 and all(isinstance(v, int | float) for v in monthly[3][1:])


def test_an_empty_year_has_zeros_and_no_fill_rate(space):
    figures = year_figures([space["venue"].pk], 2022)
    assert figures.totals["made"] == 0 and figures.fill_rate is None
    assert figures.by_age == {15: 0, 16: 0, 17: 0, 18: 0}
    assert year_figures([], YEAR).totals == {}
