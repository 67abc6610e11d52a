"""The scheme's reimbursement rates (issue 17): at the thresholds, a booking straddling
one, the year reset, collective at 100 %, a subcategory not reimbursed, a custom rate
with dates; everything in integer cents, totals equal to the sum of the lines."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from catalog import categories
from finance import pricing, rates
from finance.models import CustomRate, RateRule, Statement
from finance.services.runs import close_period
from tests.factories import make_collective_offer, make_school, make_teacher
from tests.finance.helpers import account_for, prior_revenue, validated

PARIS = ZoneInfo("Europe/Paris")


def _price(revenue_before, price_cents, **kw):
    args = {
        "collective": False,
        "subcategory_reimbursed": True,
        "custom_rate_bp": None,
        "revenue_before_cents": revenue_before,
        "price_cents": price_cents,
    }
    return rates.price(**{**args, **kw})


@pytest.mark.parametrize(
    ("year_revenue_cents", "rate", "rule"),
    [
        (1_999_999, 10_000, RateRule.STANDARD_100),  # 19 999,99 €
        (2_000_000, 10_000, RateRule.STANDARD_100),  # 20 000,00 €
        (2_000_001, 9_500, RateRule.STANDARD_95),  # 20 000,01 €
        (4_000_000, 9_500, RateRule.STANDARD_95),
        (4_000_001, 9_200, RateRule.STANDARD_92),
        (15_000_000, 9_200, RateRule.STANDARD_92),
        (15_000_001, 9_000, RateRule.STANDARD_90),
    ],
)
def test_the_rate_at_each_threshold_of_the_year_revenue(year_revenue_cents, rate, rule):
    """The revenue that picks the rate includes the booking (here a 10,00 € one)."""
    priced = _price(year_revenue_cents - 1000, 1000)
    assert (priced.rate_bp, priced.rule) == (rate, rule)
    assert priced.amount_cents == 1000 * rate // 10_000
    assert isinstance(priced.amount_cents, int)


def test_a_booking_straddling_a_threshold_takes_the_next_rate_as_a_whole():
    """19 990 € before, a 20 € booking: the year reaches 20 010 €, the booking is at 95 %."""
    priced = _price(1_999_000, 2000)
    assert (priced.rate_bp, priced.rule, priced.amount_cents) == (9500, RateRule.STANDARD_95, 1900)


def test_amounts_are_rounded_half_up_to_the_cent_in_integers():
    assert rates.amount(1250, 9500) == 1188  # 11,875 → 11,88
    assert rates.amount(1230, 9200) == 1132  # 11,316 → 11,32
    assert rates.amount(1, 9500) == 1  # 0,0095 → 0,01
    assert rates.percent(9250) == "92,5 %" and rates.percent(10_000) == "100 %"


@given(
    before=st.integers(min_value=0, max_value=30_000_000),
    price=st.integers(min_value=1, max_value=30_000),
)
def test_an_amount_never_exceeds_the_price_and_never_drops_below_90_percent(before, price):
    priced = _price(before, price)
    assert price * 9 // 10 <= priced.amount_cents <= price


def test_collective_is_100_percent_and_not_reimbursed_gives_zero():
    assert _price(9_999_999, 40_000, collective=True).amount_cents == 40_000
    assert _price(9_999_999, 40_000, collective=True).rule == RateRule.COLLECTIVE
    none = _price(0, 1500, subcategory_reimbursed=False)
    assert (none.amount_cents, none.rule, none.counts_in_revenue) == (
        0,
        RateRule.NOT_REIMBURSED,
        False,
    )


# --- the same rules through the run: the year's revenue read from the statements -----


@pytest.mark.django_db
def test_the_run_prices_by_the_years_revenue_and_the_year_resets(space):
    venue = space["venue"]
    account = account_for(space["collectivite"], venue)
    year = timezone.localdate().year - 1
    prior_revenue(venue, 1_999_000, year=year, account=account)  # 19 990 € in that year
    # Two bookings validated in December of that year, one in January of the next.
    dec_1 = validated(venue, price_cents=500, at=datetime(year, 12, 2, 10, tzinfo=PARIS))
    dec_2 = validated(venue, price_cents=1000, at=datetime(year, 12, 3, 10, tzinfo=PARIS))
    jan = validated(venue, price_cents=1000, at=datetime(year + 1, 1, 2, 10, tzinfo=PARIS))
    run = close_period(period_start=date(year + 1, 1, 1))
    lines = {line.booking_id: line for line in run.statements.get().lines.all()}
    # 19 990 + 5 = 19 995 €: 100 %; + 10 = 20 005 €: 95 %; January: a new year, 100 %.
    assert (lines[dec_1.pk].rate_bp, lines[dec_1.pk].amount_cents) == (10_000, 500)
    assert (lines[dec_2.pk].rate_bp, lines[dec_2.pk].amount_cents) == (9_500, 950)
    assert (lines[jan.pk].rate_bp, lines[jan.pk].year) == (10_000, year + 1)
    statement = run.statements.get()
    assert statement.total_cents == sum(line.amount_cents for line in lines.values()) == 2450


@pytest.mark.django_db
def test_the_year_is_the_validations_in_the_venues_time_zone(space):
    """31 December 23:30 in Paris is already 1 January in Nouméa (UTC+11)."""
    venue = space["venue"]
    venue.time_zone = "Pacific/Noumea"
    venue.save(update_fields=["time_zone"])
    account_for(space["collectivite"], venue)
    year = timezone.localdate().year - 1
    booking = validated(venue, at=datetime(year, 12, 31, 23, 30, tzinfo=PARIS))
    run = close_period(period_start=date(year + 1, 1, 1))
    assert run.statements.get().lines.get(booking=booking).year == year + 1


@pytest.mark.django_db
def test_a_custom_rate_applies_between_its_dates_offer_first(space):
    venue = space["venue"]
    account_for(space["collectivite"], venue)
    base = timezone.now() - timedelta(days=40)
    inside = validated(venue, price_cents=1000, at=base)
    after = validated(venue, price_cents=1000, at=base + timedelta(days=10))
    other = validated(venue, price_cents=1000, at=base)
    day = timezone.localtime(base, PARIS).date()
    CustomRate.objects.create(venue=venue, rate_bp=8_000, starts_on=day, ends_on=day)
    CustomRate.objects.create(offer=other.offer, rate_bp=5_000, starts_on=day - timedelta(days=1))
    found = pricing.price_all(
        pricing.items(pricing.owed_individual(), pricing.owed_collective().none())
    )
    by_id = {p.item.id: p.priced for p in found}
    assert (by_id[inside.pk].rule, by_id[inside.pk].amount_cents) == (RateRule.CUSTOM, 800)
    assert (by_id[after.pk].rule, by_id[after.pk].amount_cents) == (RateRule.STANDARD_100, 1000)
    assert (by_id[other.pk].rate_bp, by_id[other.pk].amount_cents) == (5_000, 500)


@pytest.mark.django_db
def test_collective_at_100_percent_and_a_subcategory_not_reimbursed_at_zero(space, monkeypatch):
    venue = space["venue"]
    account_for(space["collectivite"], venue)
    school = make_school()
    teacher = make_teacher(school)
    coffer = make_collective_offer(venue, price_cents=45_000)
    from offers.models import CollectiveBooking

    ended = timezone.now() - timedelta(days=20)
    cbooking = CollectiveBooking.objects.create(
        offer=coffer, venue=venue, school=school, teacher=teacher, status="ended", ended_at=ended
    )
    prior_revenue(venue, 5_000_000, year=timezone.localdate().year)  # 50 000 € this year
    book = validated(venue, price_cents=1500, subcategory="ESCAPE_GAME")
    original = categories.get_subcategory("ESCAPE_GAME")
    from dataclasses import replace

    not_reimbursed = replace(original, reimbursed=False)
    monkeypatch.setitem(categories._BY_ID, "ESCAPE_GAME", not_reimbursed)
    found = pricing.price_all(pricing.items(pricing.owed_individual(), pricing.owed_collective()))
    by_kind = {(p.item.collective, p.item.id): p.priced for p in found}
    assert by_kind[(True, cbooking.pk)].amount_cents == 45_000
    assert by_kind[(True, cbooking.pk)].rule == RateRule.COLLECTIVE
    assert by_kind[(False, book.pk)].amount_cents == 0
    assert by_kind[(False, book.pk)].rule == RateRule.NOT_REIMBURSED


@pytest.mark.django_db
def test_statement_totals_are_the_sum_of_their_lines(space):
    venue, other = space["venue"], space["other_venue"]
    account_for(space["collectivite"], venue, other)
    prior_revenue(venue, 1_999_500, year=timezone.localdate().year)
    for price in (333, 1250, 999, 1):
        validated(venue, price_cents=price, at=timezone.now() - timedelta(days=30))
        validated(other, price_cents=price, at=timezone.now() - timedelta(days=30))
    run = close_period()
    for statement in Statement.objects.filter(run=run):
        lines = list(statement.lines.all())
        assert statement.total_cents == sum(line.amount_cents for line in lines)
        assert all(isinstance(line.amount_cents, int) for line in lines)
    assert run.total_cents == sum(s.total_cents for s in run.statements.all())
