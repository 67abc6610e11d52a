"""Demo reimbursements: the Ville de Lyon's account at the Trésor public for the
Part-Dieu, added during the last fortnight that ended (so nothing is held: older than
FINANCE_RECENT_CHANGE_DAYS at the run), none for Jean Macé (its page says to add one),
a custom rate staff set for the ciné-club, and that fortnight closed the morning after
it ended, as the periodic run does. Its statement holds what was owed until then (as
for any first account): the ciné-club's lines at the custom rate and a class's visit at
the collective rate (two rates), with its documents to download."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import User, Venue
from finance.models import BankAccount, CustomRate, VenueBankAccount
from finance.services.runs import close_period, last_closed_period, period_cutoff
from offers.models import Offer

CINE_RATE_BP = 9_000
ACCOUNT_ADDED_DAYS_BEFORE_CUTOFF = 12
RUN_HOURS_AFTER_CUTOFF = 6  # run_reimbursements runs every 6 hours


def seed_finance(part_dieu: Venue, staff: User) -> None:
    collectivite = part_dieu.collectivite
    if BankAccount.objects.filter(collectivite=collectivite).exists():
        return
    now = timezone.now()
    _, end = last_closed_period(now)
    cutoff = period_cutoff(end)
    added = cutoff - timedelta(days=ACCOUNT_ADDED_DAYS_BEFORE_CUTOFF)
    account = BankAccount.objects.create(
        collectivite=collectivite,
        label="Trésor public — budget principal",
        holder="Trésorerie de Lyon Municipale",
        iban="FR7630001007941234567890185",
        bic="BDFEFRPPCCT",
        created_at=added,
        changed_at=added,
    )
    VenueBankAccount.objects.create(venue=part_dieu, account=account)
    cine = Offer.objects.get(venue=part_dieu, title="Ciné-club du mercredi")
    CustomRate.objects.create(
        offer=cine,
        rate_bp=CINE_RATE_BP,
        starts_on=(added - timedelta(days=90)).date().replace(day=1),
        comment="Convention avec le distributeur des films : une part du prix lui revient.",
        created_by=staff,
        created_at=added,
    )
    close_period(now=min(cutoff + timedelta(hours=RUN_HOURS_AFTER_CUTOFF), now))
