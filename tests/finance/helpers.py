"""Builders of the reimbursement tests: bank accounts, validated paid bookings, and
statement lines that stand for the revenue a venue already had this year."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from finance.models import (
    BankAccount,
    RateRule,
    ReimbursementRun,
    Statement,
    StatementLine,
    VenueBankAccount,
)
from tests.factories import make_booking, make_offer

PARIS = ZoneInfo("Europe/Paris")
IBAN = "FR7630006000011234567890189"
BIC = "AGRIFRPP"


def account_for(collectivite, *venues, iban=IBAN, changed_days_ago=60, label="Trésor public"):
    changed = timezone.now() - timedelta(days=changed_days_ago)
    account = BankAccount.objects.create(
        collectivite=collectivite,
        label=label,
        holder=f"Trésor public — {collectivite.name}"[:70],
        iban=iban,
        bic=BIC,
        created_at=changed,
        changed_at=changed,
    )
    for venue in venues:
        VenueBankAccount.objects.create(venue=venue, account=account)
    return account


def validated(
    venue,
    *,
    price_cents=1250,
    at=None,
    subcategory="ESCAPE_GAME",
    title="Escape game de la médiathèque",
):
    """A paid physical booking validated at `at` (default: 20 days ago)."""
    offer = make_offer(venue, subcategory, price_cents=price_cents, title=title)
    at = at or timezone.now() - timedelta(days=20)
    return make_booking(offer, status="validated", validated_at=at, booked_at=at)


def prior_revenue(venue, cents: int, *, year: int, account=None):
    """A statement line of an earlier run standing for `cents` of revenue this year."""
    run = ReimbursementRun.objects.create(
        period_start=date(year - 5, 1, 1) + timedelta(days=ReimbursementRun.objects.count()),
        period_end=date(year - 5, 1, 15),
    )
    account = account or BankAccount.objects.filter(collectivite=venue.collectivite).first()
    statement = Statement.objects.create(
        number=f"PRIOR-{run.pk}",
        run=run,
        collectivite=venue.collectivite,
        account=account,
        holder=account.holder,
        iban=account.iban,
        bic=account.bic,
        account_label=account.label,
        total_cents=cents,
    )
    booking = validated(venue, price_cents=100)
    type(booking).objects.filter(pk=booking.pk).update(
        status="reimbursed", reimbursed_at=timezone.now()
    )
    return StatementLine.objects.create(
        statement=statement,
        booking=booking,
        venue=venue,
        venue_name=venue.name,
        offer_title="Antérieur",
        reference=booking.code,
        validated_at=datetime(year, 1, 2, 12, tzinfo=PARIS),
        year=year,
        price_cents=cents,
        rate_bp=10_000,
        rule=RateRule.STANDARD_100,
        amount_cents=cents,
    )
