import io
from datetime import date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from accounts.models import (
    Beneficiary,
    Collectivite,
    HoursException,
    Membership,
    OpeningHours,
    Status,
    TerritoryOfficer,
    Venue,
)
from accounts.services.beneficiaries import credit_between
from catalog.categories import SUBCATEGORIES
from finance.models import Statement, StatementLine
from finance.services.runs import period_cutoff
from offers import rules
from offers.models import (
    Action,
    Booking,
    BookingStatus,
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
    CollectiveShowcase,
    Offer,
    Session,
    Transition,
    WaitlistEntry,
    WaitlistStatus,
)
from offers.recurrence import public_holidays
from offers.services.closing import validate_due_subscription_bookings
from offers.services.next_sessions import stale_offers
from offers.services.reminders import send_due_reminders
from passlib.demo import pictures, week
from tests.factories import VenueFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_covers_the_roles_and_the_catalog():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    counts = (Collectivite.objects.count(), Membership.objects.count(), Offer.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        Collectivite.objects.count(),
        Membership.objects.count(),
        Offer.objects.count(),
    ) == counts
    assert "culture@lyon.demo" in out.getvalue()
    # Its services' refreshes wait for a commit a test never makes: the seed stores them.
    assert not stale_offers().exists()
    assert Offer.objects.filter(next_session__isnull=False).exists()
    # `make run` prints the logins last: its scheduler finds no reminder left to send
    # (they went out within the demo's week), so no e-mail pushes them away
    assert send_due_reminders() == {"deadline": 0, "day_before": 0}
    assert Collectivite.objects.filter(status=Status.NEW).exists()
    assert Membership.objects.filter(status=Status.NEW, requested_venue__isnull=False).exists()
    assert TerritoryOfficer.objects.filter(departements__code="69").exists()
    assert {o.subcategory_id for o in Offer.objects.all()} == {s.id for s in SUBCATEGORIES}
    assert set(Booking.objects.values_list("status", flat=True)) == set(BookingStatus.values)
    assert validate_due_subscription_bookings() == 1
    assert set(CollectiveBooking.objects.values_list("status", flat=True)) == {
        "prebooked",
        "booked",
        "reimbursed",
    }
    assert CollectiveShowcase.objects.filter(status="published").exists()


def the_demo_venues_are_placed_for_the_distance_sort():
    # Checked within the runs below (each run of the demo takes seconds).
    assert not Venue.objects.filter(latitude__isnull=True).exists()
    part_dieu = Venue.objects.get(name="Médiathèque de la Part-Dieu")
    assert 45.7 < part_dieu.latitude < 45.8 and 4.8 < part_dieu.longitude < 4.9
    saint_denis = Venue.objects.get(name="Médiathèque François-Mitterrand")
    assert -21.0 < saint_denis.latitude < -20.8 and 55.4 < saint_denis.longitude < 55.5


# --- a plausible week, whatever the hour seed_demo runs --------------------------------------

PARIS = ZoneInfo("Europe/Paris")
LIBRARY_DAY = (time(9), time(20))
# A Saturday and a Monday, at dawn and in the afternoon (Paris time).
CLOCKS = [
    datetime(2026, 12, 5, 6, 0, tzinfo=PARIS),
    datetime(2026, 12, 5, 15, 0, tzinfo=PARIS),
    datetime(2026, 12, 7, 6, 0, tzinfo=PARIS),
    datetime(2026, 12, 7, 15, 0, tzinfo=PARIS),
]


def _open_at(venue: Venue, moment: datetime) -> bool:
    """Read straight from the venue's hours, exceptions and the public holidays."""
    local = moment.astimezone(ZoneInfo(venue.time_zone))
    day, at = local.date(), local.time()
    if day in public_holidays(venue.departement, range(day.year, day.year + 1)):
        return False
    if HoursException.objects.filter(venue=venue, day=day).exists():
        return False
    return OpeningHours.objects.filter(
        venue=venue, weekday=day.weekday(), opens__lte=at, closes__gte=at
    ).exists()


def _in_library_day(venue: Venue, moment: datetime) -> bool:
    at = moment.astimezone(ZoneInfo(venue.time_zone)).time()
    return LIBRARY_DAY[0] <= at <= LIBRARY_DAY[1]


@pytest.mark.parametrize("clock", CLOCKS, ids=lambda c: c.strftime("%a-%H:%M"))
def test_the_demo_is_a_plausible_week_whatever_the_hour(clock):
    """seed_demo run at a fixed clock (one run per clock: the demo takes seconds)."""
    with mock.patch("django.utils.timezone.now", return_value=clock):
        call_command("seed_demo", stdout=io.StringIO())
    every_session_and_collective_offer_is_at_library_hours()
    every_booking_happened_in_order(clock)
    reimbursed_only_after_the_session_and_for_past_fortnights(clock)
    credits_come_from_the_rule(clock)
    a_full_session_has_people_in_line(clock)
    a_statement_has_more_than_one_rate()
    the_demo_venues_are_placed_for_the_distance_sort()
    the_programme_changed_yesterday(clock)


def every_session_and_collective_offer_is_at_library_hours():
    sessions = list(Session.objects.select_related("offer__venue"))
    for session in sessions:
        venue = session.offer.venue
        assert _in_library_day(venue, session.starts_at), session
        assert _open_at(venue, session.starts_at), session
    collective = list(CollectiveOffer.objects.select_related("venue"))
    for offer in collective:
        assert _in_library_day(offer.venue, offer.starts_at), offer.title
        assert _in_library_day(offer.venue, offer.ends_at), offer.title
        assert _open_at(offer.venue, offer.starts_at), offer.title
        assert offer.booking_limit_at < offer.starts_at < offer.ends_at
    assert len(sessions) > 10 and len(collective) == 3
    assert {s.offer.venue.time_zone for s in sessions} >= {"Europe/Paris", "Indian/Reunion"}


def every_booking_happened_in_order(now):
    bookings = list(Booking.objects.select_related("session", "beneficiary", "offer__venue"))
    for b in bookings:
        assert b.booked_at <= now, b
        # The young person signed up, the offer and its venue existed before.
        assert b.beneficiary.date_joined < b.booked_at, b
        assert b.offer.venue.created_at < b.offer.created_at < b.booked_at, b
        booked = Transition.objects.get(booking=b, action=Action.BOOKED)
        assert booked.created_at == b.booked_at
        if b.session_id:
            assert b.booked_at < b.session.booking_limit_at <= b.session.starts_at, b
        if b.status == BookingStatus.CANCELLED:
            assert b.booked_at < b.cancelled_at <= now
        if b.validated_at is not None:
            assert b.booked_at < b.validated_at <= now, b
            if b.session_id:  # the guichet's rule (a physical booking: at once)
                opens = rules.validation_opens_at(b.booked_at, b.session.starts_at)
                assert b.validated_at >= opens, b
            assert (
                Transition.objects.get(booking=b, action=Action.VALIDATED).created_at
                == b.validated_at
            )
    assert len(bookings) > 20
    # Validated at the door (some reimbursed since, all of them on the 1st after midnight).
    assert Booking.objects.filter(validated_at__isnull=False, session__isnull=False).exists()


def reimbursed_only_after_the_session_and_for_past_fortnights(now):
    lines = list(
        StatementLine.objects.select_related(
            "statement__run", "booking__session", "collective_booking__offer"
        )
    )
    for line in lines:
        run = line.statement.run
        cutoff = period_cutoff(run.period_end)
        assert cutoff <= run.created_at <= now  # a fortnight that had ended
        if line.booking is not None:
            b = line.booking
            assert b.status == BookingStatus.REIMBURSED
            assert b.session.starts_at < b.validated_at + timedelta(hours=1)
            assert b.session.starts_at < cutoff
            assert b.validated_at < cutoff <= b.reimbursed_at <= now
        else:
            c = line.collective_booking
            assert c.status == CollectiveBookingStatus.REIMBURSED
            assert c.confirmed_at < c.offer.starts_at < c.offer.ends_at < c.ended_at < cutoff
            assert c.ended_at < c.reimbursed_at <= now
    assert not Booking.objects.filter(
        status=BookingStatus.REIMBURSED, session__starts_at__gte=now
    ).exists()
    assert Booking.objects.filter(status=BookingStatus.REIMBURSED).exists()
    assert {line.booking is not None for line in lines} == {True, False}


def credits_come_from_the_rule(now):
    today = timezone.localtime(now).date()
    young = list(Beneficiary.objects.select_related("user"))
    for b in young:
        age = b.age_on(today)
        spent = sum(
            Booking.objects.filter(beneficiary=b.user)
            .exclude(status=BookingStatus.CANCELLED)
            .values_list("price_cents", flat=True)
        )
        assert b.credit_age == age
        assert b.credit_cents + spent == credit_between(age - 1, age), b.user.email
    assert {b.age_on(today) for b in young} == {15, 16, 17, 18}


def a_full_session_has_people_in_line(now):
    full = [
        s
        for s in Session.objects.filter(starts_at__gt=now)
        if s.remaining == 0
        and WaitlistEntry.objects.filter(session=s, status=WaitlistStatus.WAITING).exists()
    ]
    assert full
    entries = WaitlistEntry.objects.filter(session=full[0])
    last_booking = Booking.objects.filter(session=full[0]).order_by("booked_at").last()
    assert all(last_booking.booked_at < e.joined_at <= now for e in entries)


def a_statement_has_more_than_one_rate():
    rates = {
        statement: set(statement.lines.values_list("rate_bp", flat=True))
        for statement in Statement.objects.all()
    }
    assert rates and any(len(r) > 1 for r in rates.values())
    assert not Statement.objects.filter(held=True).exists()


# --- the posters' letters --------------------------------------------------------------------


def _drawn(font: ImageFont.FreeTypeFont, text: str) -> bytes:
    picture = Image.new("L", (200, 120), 0)
    ImageDraw.Draw(picture).text((20, 10), text, fill=255, font=font)
    return picture.tobytes()


@pytest.mark.parametrize("letter", ["é", "à", "ç", "ÿ", "È", "œ", "Ÿ", "«", "»", "’", "€"])
def test_the_poster_font_draws_french_letters(letter):
    font = pictures.font()
    missing = _drawn(font, "\U000f0000")  # a private-use code point: the .notdef box
    assert _drawn(font, letter) != missing
    base = {"é": "e", "à": "a", "ç": "c", "ÿ": "y", "È": "E", "Ÿ": "Y"}.get(letter)
    if base:
        assert _drawn(font, letter) != _drawn(font, base)  # the accent is there


def test_the_posters_draw_the_accents():
    blue = (32, 58, 140)
    missing = pictures.poster("\U000f0000", blue)  # the .notdef box
    for letter, base in [("é", "e"), ("à", "a"), ("ç", "c"), ("ÿ", "y")]:
        drawn = pictures.poster(letter, blue)
        assert drawn not in (missing, pictures.poster(base, blue)), letter
    assert Image.open(io.BytesIO(pictures.poster("Ciné-club", blue))).size == pictures.SIZE
    assert (pictures.FONT_PATH.parent / "bitstream-vera-license.txt").is_file()


def test_a_poster_line_never_starts_with_french_punctuation():
    assert pictures.lines("Ciné-club : « à la française » — ÿ ç œ É") == [
        "Ciné-club : « à la",
        "française » — ÿ ç œ É",
    ]
    for title in ["Conférence : dessiner un roman graphique", "Quoi ? « Le Horla » ; lu !"]:
        for line in pictures.lines(title):
            assert line[0] not in ":;!?»" and not line.endswith("«")


# --- where the demo's dates fall (passlib/demo/week.py) ----------------------------------------


def test_a_demo_date_skips_holidays_and_closed_days():
    venue = VenueFactory(departement="69", time_zone="Europe/Paris")
    OpeningHours.objects.create(venue=venue, weekday=2, opens=time(10), closes=time(19))
    monday = datetime(2026, 11, 9, 15, 0, tzinfo=PARIS)
    HoursException.objects.create(venue=venue, day=date(2026, 11, 18), label="Inventaire")
    with mock.patch("django.utils.timezone.now", return_value=monday):
        # 11 November (Armistice), then the stocktaking: the 25th.
        assert week.upcoming(venue, 2, time(14, 30)) == datetime(2026, 11, 25, 14, 30, tzinfo=PARIS)
        assert week.previous(venue, 2, time(14, 30)) == datetime(2026, 11, 4, 14, 30, tzinfo=PARIS)
        with pytest.raises(ValueError):
            week.upcoming(venue, 2, time(9, 30))  # before it opens: never


def test_an_overseas_demo_date_is_in_its_own_time():
    venue = VenueFactory(departement="974", time_zone="Indian/Reunion")
    OpeningHours.objects.create(venue=venue, weekday=4, opens=time(9), closes=time(17))
    # Wednesday 16 December, 23:00 in Paris, is already Thursday 02:00 in La Réunion: the
    # day after tomorrow there is Saturday, so not Friday the 18th (as in Paris) but the
    # 25th — Christmas —, then 1 January — New Year —: the 8th.
    paris_evening = datetime(2026, 12, 16, 23, 0, tzinfo=PARIS)
    with mock.patch("django.utils.timezone.now", return_value=paris_evening):
        start = week.upcoming(venue, 4, time(10))
    assert start == datetime(2027, 1, 8, 10, 0, tzinfo=ZoneInfo("Indian/Reunion"))
    assert start.astimezone(PARIS).hour == 7


def the_programme_changed_yesterday(clock):
    """A moved session and a cancelled one (SPEC §9), through the services: the move
    after the booking it moved (so its young person may cancel again), the cancelled
    session still listed, its reason kept, nobody booked on it."""
    moved = Session.objects.select_related("offer").get(moved_at__isnull=False)
    assert moved.offer.title == "Visite des réserves patrimoniales"
    assert moved.sequence == 1 and moved.moved_at < clock
    booking = moved.bookings.get()
    assert booking.booked_at < moved.moved_at
    assert rules.may_cancel(Booking.objects.select_related("session").get(pk=booking.pk), clock)
    cancelled = Session.objects.select_related("offer").get(cancelled_at__isnull=False)
    assert cancelled.offer.title == "Club de lecture ados"
    assert cancelled.cancellation_reason == "speaker" and cancelled.cancelled_at < clock
    assert not cancelled.bookings.exclude(status="cancelled").exists()
    assert rules.session_status(cancelled) == "cancelled"
