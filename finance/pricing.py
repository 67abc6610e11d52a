"""Which bookings are owed, and what each is worth: read by the fortnightly run (which
writes the lines) and by the "Gestion financière" page (the amount to come), so both
price the same way (finance/rates.py).

A booking is owed once validated (individual) or terminée (collective), for a paid
offer, and not yet on a statement (its status is still validated / terminée: the run
makes it remboursée in the same transaction as its line).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import F, Q, Sum
from django.utils import timezone

from catalog.categories import UnknownSubcategory, get_subcategory
from finance.models import CustomRate, RateRule, StatementLine
from finance.rates import Priced, price
from offers.models import Booking, BookingStatus, CollectiveBooking, CollectiveBookingStatus


@dataclass(frozen=True)
class Item:
    """A booking owed to a venue."""

    collective: bool
    id: int
    venue_id: int
    venue_name: str
    time_zone: str
    account_id: int | None
    offer_id: int
    offer_title: str
    subcategory_id: str
    reference: str
    validated_at: datetime
    price_cents: int

    @property
    def local_date(self):
        return timezone.localtime(self.validated_at, ZoneInfo(self.time_zone)).date()

    @property
    def year(self) -> int:
        return self.local_date.year


@dataclass(frozen=True)
class PricedItem:
    item: Item
    priced: Priced
    year: int


def owed_individual(*, cutoff: datetime | None = None, venue_ids: Iterable[int] | None = None):
    qs = Booking.objects.filter(status=BookingStatus.VALIDATED, price_cents__gt=0)
    if cutoff is not None:
        qs = qs.filter(validated_at__lt=cutoff)
    if venue_ids is not None:
        qs = qs.filter(venue_id__in=list(venue_ids))
    return qs


def owed_collective(*, cutoff: datetime | None = None, venue_ids: Iterable[int] | None = None):
    qs = CollectiveBooking.objects.filter(
        status=CollectiveBookingStatus.ENDED, offer__price_cents__gt=0
    )
    if cutoff is not None:
        qs = qs.filter(ended_at__lt=cutoff)
    if venue_ids is not None:
        qs = qs.filter(venue_id__in=list(venue_ids))
    return qs


_COMMON = {
    "venue_name": F("venue__name"),
    "venue_public_name": F("venue__public_name"),
    "time_zone": F("venue__time_zone"),
    "account_id": F("venue__bank_link__account_id"),
    "offer_title": F("offer__title"),
    "subcategory_id": F("offer__subcategory_id"),
}


def items(individual, collective) -> list[Item]:
    """The owed bookings of both querysets as items, in the order they are priced: by
    venue, then validation time (the year's revenue grows in that order)."""
    found: list[Item] = []
    for row in individual.values(
        "id", "venue_id", "offer_id", "code", "validated_at", "price_cents", **_COMMON
    ):
        found.append(
            _item(
                row,
                collective=False,
                reference=row["code"],
                validated_at=row["validated_at"],
                price_cents=row["price_cents"],
            )
        )
    for row in collective.values(
        "id", "venue_id", "offer_id", "ended_at", price=F("offer__price_cents"), **_COMMON
    ):
        found.append(
            _item(
                row,
                collective=True,
                reference=f"COLL-{row['id']}",
                validated_at=row["ended_at"],
                price_cents=row["price"],
            )
        )
    found.sort(key=lambda i: (i.venue_id, i.validated_at, i.collective, i.id))
    return found


def _item(row: dict, *, collective: bool, reference: str, validated_at, price_cents) -> Item:
    return Item(
        collective=collective,
        id=row["id"],
        venue_id=row["venue_id"],
        venue_name=row["venue_public_name"] or row["venue_name"],
        time_zone=row["time_zone"],
        account_id=row["account_id"],
        offer_id=row["offer_id"],
        offer_title=row["offer_title"],
        subcategory_id=row["subcategory_id"],
        reference=reference,
        validated_at=validated_at,
        price_cents=price_cents,
    )


def revenue_so_far(venue_ids: Iterable[int], years: Iterable[int]) -> dict[tuple[int, int], int]:
    """(venue, year) → the revenue already priced on statements (finance/rates.py)."""
    rows = (
        StatementLine.objects.filter(
            venue_id__in=list(venue_ids),
            year__in=list(years),
            booking__isnull=False,
        )
        .exclude(rule=RateRule.NOT_REIMBURSED)
        .values("venue_id", "year")
        .annotate(total=Sum("price_cents"))
    )
    return {(r["venue_id"], r["year"]): r["total"] for r in rows}


def custom_rates(found: list[Item]) -> list[CustomRate]:
    offer_ids = {i.offer_id for i in found if not i.collective}
    venue_ids = {i.venue_id for i in found if not i.collective}
    if not offer_ids:
        return []
    return list(CustomRate.objects.filter(Q(offer_id__in=offer_ids) | Q(venue_id__in=venue_ids)))


def custom_rate_for(item: Item, rates: list[CustomRate]) -> int | None:
    """The offer's custom rate valid on the validation date, else the venue's; the one
    that started last wins."""
    day = item.local_date

    def valid(rate: CustomRate) -> bool:
        return rate.starts_on <= day and (rate.ends_on is None or day <= rate.ends_on)

    for matches in (
        [r for r in rates if r.offer_id == item.offer_id and valid(r)],
        [r for r in rates if r.venue_id == item.venue_id and valid(r)],
    ):
        if matches:
            return max(matches, key=lambda r: (r.starts_on, r.id)).rate_bp
    return None


def price_all(found: list[Item]) -> list[PricedItem]:
    """Price the items in order, the revenue of each venue and year growing line by
    line from what the statements already hold."""
    if not found:
        return []
    revenue = defaultdict(int, revenue_so_far({i.venue_id for i in found}, {i.year for i in found}))
    rates = custom_rates(found)
    priced: list[PricedItem] = []
    for item in found:
        key = (item.venue_id, item.year)
        result = price(
            price_cents=item.price_cents,
            collective=item.collective,
            subcategory_reimbursed=_reimbursed(item.subcategory_id),
            custom_rate_bp=None if item.collective else custom_rate_for(item, rates),
            revenue_before_cents=revenue[key],
        )
        if result.counts_in_revenue:
            revenue[key] += item.price_cents
        priced.append(PricedItem(item, result, item.year))
    return priced


def _reimbursed(subcategory_id: str) -> bool:
    try:
        return get_subcategory(subcategory_id).reimbursed
    except UnknownSubcategory:  # not in the catalog (any more): nothing is owed for it
        return False
