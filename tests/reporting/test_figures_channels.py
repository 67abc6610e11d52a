"""Statistics count everyone (issue 30, Must show 4): each figure by channel equals a
direct count of the rows written here, on a data set with every channel — bookings
validated, absent and cancelled, registrations of each channel registered, cancelled,
present and absent, walk-ins, « places déjà prises hors pass Culture », a cancelled
session, a stock, last year's session and another collectivité's data that must not
count — and the activity report's PDF and XLSX show them. The queries of `year_figures`
do not grow with the registrations."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from offers.models import Booking, Registration, Session
from offers.services.registrations import (
    RegistrationData,
    outside_places_set,
    registration_add,
    registration_cancel,
    registration_mark,
)
from passlib.counts import counts_generation
from reporting import documents
from reporting.channels import CHANNELS
from reporting.figures import year_figures
from tests.factories import VenueFactory, make_beneficiary, make_booking, make_offer, make_session

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")
YEAR = 2026


def at(*args, year=YEAR):
    return datetime(year, *args, tzinfo=UTC)


def session_at(offer, start, **places):
    session = make_session(offer, days=3, **places)
    Session.objects.filter(pk=session.pk).update(starts_at=start, booking_limit_at=start)
    session.refresh_from_db()
    return session


def add(owner, target, channel, places=1, *, mark="", when=None):
    door = getattr(target, "starts_at", None) if channel == "walk_in" else None  # on the day
    when = when or door or at(1, 10, 9)
    data = RegistrationData(channel=channel, name=f"{channel} {places}", places=places)
    registration = registration_add(actor=owner, target=target, data=data, now=when)
    if mark:
        registration_mark(actor=owner, registration=registration, attendance=mark, now=at(12, 1, 9))
    return registration


@pytest.fixture
def world(space, other_space, owner):
    paris = space["venue"]
    cayenne = VenueFactory(
        collectivite=space["collectivite"],
        name="Médiathèque de Cayenne",
        time_zone="America/Cayenne",
    )
    club = make_offer(paris, "RENCONTRE", title="Club de lecture")
    # 5 April 14:00 UTC: April. 20 places, 8 for pass Culture.
    april = session_at(club, at(4, 5, 14), total_places=20, quota=8)
    for status, fields in [
        ("validated", {"validated_at": at(4, 5, 15)}),
        ("validated", {"validated_at": at(4, 5, 15)}),
        ("confirmed", {"absent_at": at(4, 5, 16)}),
        ("cancelled", {"cancelled_at": at(4, 1, 9), "cancellation_reason": "beneficiary"}),
        ("confirmed", {}),
    ]:
        make_booking(club, session=april, beneficiary=make_beneficiary(16), status=status, **fields)
    add(owner, april, "desk", 3, mark="present")  # a family of 3
    add(owner, april, "phone", 2, mark="absent")
    add(owner, april, "email", 1)  # registered, not marked
    gone = add(owner, april, "other_tool", 2, mark="present")
    registration_cancel(actor=owner, registration=gone, now=at(4, 2, 9))  # never counted
    add(owner, april, "walk_in", 4)  # counted present at the door
    add(owner, april, "desk", 1, mark="present")
    outside_places_set(actor=owner, session=april, places=5)
    # 1 March 02:00 UTC is 28 February 23:00 in Cayenne: a February session.
    guyane = make_offer(cayenne, "RENCONTRE", title="Conte")
    february = session_at(guyane, at(3, 1, 2), total_places=10)
    add(owner, february, "phone", 1, mark="present")
    add(owner, february, "other_tool", 2, mark="present")
    make_booking(guyane, session=february, status="validated", validated_at=at(3, 1, 3))
    # A quota and no total: the other channels are not limited, the fill rate is the
    # pass Culture bookings over the quota.
    quota_only = session_at(make_offer(paris, "RENCONTRE", title="Atelier"), at(6, 3, 9), quota=6)
    make_booking(quota_only.offer, session=quota_only, status="validated", validated_at=at(6, 3, 9))
    make_booking(quota_only.offer, session=quota_only)
    add(owner, quota_only, "desk", 2, mark="present")
    # A stock: by the registration's joined_at month (May).
    library = make_offer(paris, "ABO_BIBLIOTHEQUE", title="Abonnement")
    add(owner, library.stock, "desk", 2, mark="present", when=at(5, 3, 10))
    make_booking(library, status="validated", booked_at=at(5, 4, 10), validated_at=at(5, 4, 10))
    # Not counted: a cancelled session (its rows left as they were), last year's
    # session, another collectivité's session.
    cancelled = session_at(club, at(4, 20, 14), total_places=30)
    add(owner, cancelled, "desk", 5, mark="present")
    make_booking(
        club,
        session=cancelled,
        status="cancelled",
        cancelled_at=at(4, 19, 9),
        cancellation_reason="venue",
    )
    Session.objects.filter(pk=cancelled.pk).update(
        cancelled_at=at(4, 19, 9), cancellation_reason="room"
    )
    old = session_at(club, at(12, 5, 14, year=YEAR - 1), total_places=10)
    add(owner, old, "phone", 3, mark="present")
    elsewhere = make_offer(other_space["venue"], "RENCONTRE", title="Paris")
    far = session_at(elsewhere, at(4, 5, 14), total_places=50)
    add(owner, far, "desk", 7, mark="present")
    make_booking(elsewhere, session=far, status="validated", validated_at=at(4, 5, 15))
    return {"venues": [paris, cayenne], "sessions": [april, february, quota_only]}


def _month(moment, venue) -> int | None:
    local = timezone.localtime(moment, ZoneInfo(venue.time_zone))
    return local.month if local.year == YEAR else None


def _direct(venues) -> dict[str, Counter]:
    """(figure, channel, month) → people, by hand over every row of the venues."""
    counted = {"registered": Counter(), "present": Counter(), "absent": Counter()}
    for b in Booking.objects.filter(venue__in=venues).select_related("session", "venue"):
        if b.session and b.session.cancelled_at:
            continue
        month = _month(b.session.starts_at if b.session else b.booked_at, b.venue)
        if month is None:
            continue
        if b.status != "cancelled":
            counted["registered"]["pass", month] += 1
        if b.status in ("validated", "reimbursed"):
            counted["present"]["pass", month] += 1
        if b.absent_at and b.status == "confirmed":
            counted["absent"]["pass", month] += 1
    for r in Registration.objects.filter(offer__venue__in=venues).select_related(
        "session", "offer__venue"
    ):
        if r.status != "registered" or (r.session and r.session.cancelled_at):
            continue
        month = _month(r.session.starts_at if r.session else r.joined_at, r.offer.venue)
        if month is None:
            continue
        if r.channel != "walk_in":
            counted["registered"][r.channel, month] += r.places
        if r.attendance:
            counted[r.attendance][r.channel, month] += r.places
    return counted


def _seen(figures, figure) -> Counter:
    return Counter(
        {
            (channel, m + 1): n
            for m, month in enumerate(figures.channel_months[figure])
            for channel, n in month.items()
            if n
        }
    )


def test_each_figure_by_channel_equals_a_direct_count(world):
    venues = world["venues"]
    figures = year_figures([v.pk for v in venues], YEAR)
    direct = _direct(venues)
    for figure in ("registered", "present", "absent"):
        assert _seen(figures, figure) == direct[figure], figure
    # The numbers themselves, so the direct count cannot drift with the function.
    assert direct["present"] == Counter(
        {
            ("pass", 4): 2,
            ("desk", 4): 4,
            ("walk_in", 4): 4,
            ("pass", 2): 1,
            ("phone", 2): 1,
            ("other_tool", 2): 2,
            ("pass", 6): 1,
            ("desk", 6): 2,
            ("pass", 5): 1,
            ("desk", 5): 2,
        }
    )
    assert figures.by_channel["present"] == Counter(
        {"pass": 5, "desk": 8, "phone": 1, "email": 0, "other_tool": 2, "walk_in": 4}
    )
    assert figures.by_channel["absent"] == Counter(
        {"pass": 1, "desk": 0, "phone": 2, "email": 0, "other_tool": 0, "walk_in": 0}
    )
    # pass: 4 of April's (one cancelled), February's, 2 with a quota, the stock's
    assert figures.by_channel["registered"]["pass"] == 8
    assert figures.by_channel["registered"]["desk"] == 3 + 1 + 2 + 2
    assert figures.by_channel["registered"]["walk_in"] == 0  # took no place
    assert list(figures.by_channel["present"]) == list(CHANNELS)
    # Everyone present, by month, beside the bookings' figures.
    assert figures.series("present")[3] == 10 and figures.totals["present"] == 20
    # Public reached: the young people reached (each once) and the others present.
    young = figures.totals["young"]
    assert young == 7  # 2 validated + 1 confirmed in April, February's, quota's 2, stock's
    assert figures.public == {"total": young + 15, "pass": young, "others": 15}


def test_the_fill_rate_counts_every_channels_places(world):
    venues = world["venues"]
    figures = year_figures([v.pk for v in venues], YEAR)
    april, february, quota_only = world["sessions"]
    places, taken = 0, 0
    for session in (april, february):  # with a total: everyone's places
        session.refresh_from_db()
        places += session.total_places
        taken += Booking.objects.filter(session=session).exclude(status="cancelled").count()
        taken += sum(
            r.places
            for r in Registration.objects.filter(session=session, status="registered")
            if r.channel != "walk_in"
        )
        taken += session.outside_places
    places += quota_only.quota  # a quota only: the pass Culture bookings
    taken += Booking.objects.filter(session=quota_only).exclude(status="cancelled").count()
    # April: 4 bookings, 7 places registered, 5 outside; February: 1 + 3; quota: 2.
    assert (places, taken) == (20 + 10 + 6, (4 + 7 + 5) + (1 + 3) + 2)
    assert figures.fill["places"] == places and figures.fill["taken"] == taken
    assert figures.fill["sessions"] == 3 and figures.fill_rate == round(100 * taken / places)
    by_venue = {r["name"]: r for r in figures.fill_by_venue}
    assert by_venue["Médiathèque de Cayenne"]["taken"] == 4
    assert by_venue["Médiathèque de Cayenne"]["rate"] == 40
    assert by_venue["Médiathèque Part-Dieu"]["places"] == 26
    [subcategory] = figures.fill_by_subcategory  # every session is a « rencontre »
    assert (subcategory["places"], subcategory["taken"]) == (places, taken)


def test_the_report_shows_everyone(world):
    figures = year_figures([v.pk for v in world["venues"]], YEAR)
    pdf = documents.report_pdf(figures, collectivite_name="Ville de Lyon", scope="2 lieux")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    public = figures.public
    assert f"Public touché {public['total']}" in text
    assert f"dont jeunes du pass Culture {public['pass']}" in text
    assert "Accueil 8 8 0" in text  # registered, present, absent
    assert "Sans inscription — 4 —" in text
    assert f"Taux de remplissage des séances {figures.fill_rate} %" in text
    assert not re.search(r"\d\.\d", text)  # French numbers
    book = load_workbook(io.BytesIO(documents.report_xlsx(figures, "Rapport 2026")))
    summary = {row[0].value: row[1] for row in book["Synthèse"].iter_rows(min_row=3)}
    assert summary["Public touché"].value == public["total"]
    assert summary["Public touché"].data_type == "n"
    assert summary["dont jeunes du pass Culture"].value == public["pass"]
    assert summary["Places prises (tous canaux)"].value == figures.fill["taken"]
    rows = list(book["Par canal"].iter_rows())
    assert [c.value for c in rows[0]][:4] == ["Canal", "Places inscrites", "Présents", "Absents"]
    by_label = {r[0].value: r for r in rows[1:]}
    assert [c.value for c in by_label["Accueil"][1:4]] == [8, 8, 0]
    assert all(c.data_type == "n" for c in by_label["Accueil"][1:4])
    assert by_label["Sans inscription"][1].value is None  # no place registered
    monthly = list(book["Présents par canal"].iter_rows(values_only=True))
    assert monthly[0][0] == "Mois" and monthly[4][0] == "avril"
    assert monthly[4][1:] == (2, 4, 0, 0, 0, 4, 10)


def test_year_figures_reads_the_same_number_of_queries_whatever_the_rows(world, owner):
    ids = [v.pk for v in world["venues"]]
    with CaptureQueriesContext(connection) as before:
        year_figures(ids, YEAR)
    april, february, _ = world["sessions"]
    for channel in ("desk", "phone", "email", "other_tool"):
        for target in (april, february):
            add(owner, target, channel, 1, mark="present")
    add(owner, april, "walk_in", 2)
    later = session_at(make_offer(world["venues"][0], title="Encore"), at(9, 1, 9), total_places=9)
    add(owner, later, "desk", 1, mark="absent")
    with CaptureQueriesContext(connection) as after:
        figures = year_figures(ids, YEAR)
    assert figures.by_channel["present"]["email"] == 2
    assert len(after) == len(before), [q["sql"][:80] for q in after.captured_queries]


def test_the_statistics_page_shows_every_channel(world, space, owner, login):
    url = reverse("reporting:collectivite", args=[space["collectivite"].public_id])
    html = login(owner).get(url, {"annee": str(YEAR)}).content.decode()
    figures = year_figures([v.pk for v in world["venues"]], YEAR)
    assert "<caption>Participants de l'année par canal</caption>" in html
    assert '<th scope="row">Accueil</th><td>8</td><td>8</td><td>0</td>' in html
    assert '<th scope="row">Sans inscription</th><td>—</td><td>4</td><td>—</td>' in html
    assert f"<dt>Public touché</dt><dd>{figures.public['total']}</dd>" in html
    assert f"<dt>dont jeunes du pass Culture</dt><dd>{figures.public['pass']}</dd>" in html
    assert "Participants présents (tous canaux) par mois en 2026" in html  # its chart
    assert '<th scope="row">avril</th><td>2</td><td>4</td><td>0</td><td>0</td><td>0</td>' in html
    assert f"{figures.fill_rate} % ({figures.fill['taken']} places prises sur 36" in html


def test_a_registration_change_moves_the_counts_like_a_booking(space, owner):
    """The pro home's panel and the lists' counts are kept by the counts' generation
    (passlib/counts.py): every registration service moves it, as the bookings' do. The
    statistics' figures are kept a few minutes whatever changed (docs/reporting.md)."""
    session = make_session(make_offer(space["venue"]), total_places=3)
    seen = [counts_generation()]

    def moved():
        seen.append(counts_generation())
        return seen[-1] > seen[-2]

    first = add(owner, session, "desk", 2)
    assert moved()
    waiting = registration_add(
        actor=owner,
        target=session,
        data=RegistrationData(channel="phone", name="En attente", places=2),
        waitlist=True,
    )
    assert moved()
    outside_places_set(actor=owner, session=session, places=1)
    assert moved()
    registration_cancel(actor=owner, registration=waiting)
    assert moved()
    registration_cancel(actor=owner, registration=first)
    assert moved()
