"""Reads of the "Gestion financière" pages, scoped by finance/policy.py."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.models import Venue
from finance.models import PAYABLE, ReimbursementRun, Statement
from finance.pricing import items, owed_collective, owed_individual, price_all


@dataclass
class VenueToCome:
    venue: Venue
    count: int = 0
    price_cents: int = 0
    amount_cents: int = 0  # priced by the same rules as the next run (finance/rates.py)
    account_label: str = ""

    @property
    def waits_for_bank_details(self) -> bool:
        return not self.account_label and self.count > 0


def to_come(venue_ids: list[int]) -> list[VenueToCome]:
    """Per venue: the validated bookings not yet on a statement, and what the next run
    would reimburse for them (its pricing, on today's figures)."""
    venues = (
        Venue.objects.filter(pk__in=venue_ids)
        .select_related("bank_link__account")
        .order_by("name", "pk")
    )
    rows = {
        v.pk: VenueToCome(
            venue=v,
            account_label=v.bank_link.account.label if hasattr(v, "bank_link") else "",
        )
        for v in venues
    }
    owed = items(owed_individual(venue_ids=venue_ids), owed_collective(venue_ids=venue_ids))
    for p in price_all(owed):
        row = rows[p.item.venue_id]
        row.count += 1
        row.price_cents += p.item.price_cents
        row.amount_cents += p.priced.amount_cents
    return list(rows.values())


def accounts_with_venues(accounts) -> list:
    """The accounts, each with the names of its venues (two queries)."""
    accounts = list(accounts)
    names = defaultdict(list)
    for account_id, name in (
        Venue.objects.filter(bank_link__account__in=accounts)
        .order_by("name")
        .values_list("bank_link__account_id", "name")
    ):
        names[account_id].append(name)
    for account in accounts:
        account.venue_names = names[account.pk]
    return accounts


def runs_for_staff():
    """The last 24 runs, each with how many transfers its SEPA file holds (one query:
    the statements that `documents.payable_statements` would pay)."""
    payable = (
        Statement.objects.filter(PAYABLE, run=OuterRef("pk"), total_cents__gt=0)
        .order_by()
        .values("run")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return ReimbursementRun.objects.annotate(payable_count=Coalesce(Subquery(payable), 0)).order_by(
        "-period_start"
    )[:24]


def held_statements():
    return (
        Statement.objects.filter(held=True, released_at__isnull=True)
        .select_related("collectivite", "account", "run")
        .order_by("created_at")
    )
