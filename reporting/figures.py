"""The figures of a year for a set of venues: what the statistics page, the activity
report and the territory view show. Every figure is a count or a sum over the same
querysets the lists use (`offers/policy.py` scopes them; `offers/models` statuses), by
month in the venues' time zone:

- bookings made (booked that month), validated (validated that month, by hand or
  automatically; reimbursed ones were validated too), cancelled (cancelled that
  month), no-shows (marked absent, by the session's month);
- young people reached: distinct young people with a booking made that month, neither
  cancelled nor marked absent; for the year, each once, by the age they reach that year
  (year − year of birth, as INSEE counts: one row per age, whatever the data);
- classes and students reached: collective bookings confirmed that month (réservée,
  terminée or remboursée), and their students;
- free and paid bookings made; amounts validated (prices of the validated bookings) and
  reimbursed (amounts of the statement lines issued that month, finance/);
- top offers (bookings made, not cancelled), by venue and subcategory;
- every channel (reporting/channels.py, issue 30): people registered, present and absent
  by channel and month, everyone present by month (`present`), the public reached (the
  young people reached plus the people present through the other channels), and the
  fill rate of the sessions of the year with every channel's places (its rule there:
  on a session with a total, places taken by everyone / total; with only a quota, pass
  Culture bookings / quota; a cancelled session offered nothing), in total, by venue
  and by subcategory.

A bounded number of queries whatever the data (one per figure and time zone).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear, TruncMonth

from accounts.models import Venue
from catalog.categories import UnknownSubcategory, get_subcategory
from finance.models import StatementLine
from offers.models import (
    Booking,
    BookingStatus,
    CollectiveBooking,
    CollectiveBookingStatus,
)
from reporting import channels
from reporting.periods import bounds as _bounds
from reporting.periods import month_index as _month_index
from reporting.periods import year_filter as _year_filter
from reporting.periods import zones as _zones

MONTHS_SHORT = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]
AGES = (15, 16, 17, 18)
MONTHLY = (
    "made",
    "validated",
    "cancelled",
    "no_shows",
    "young",
    "classes",
    "students",
    "free",
    "paid",
    "validated_cents",
    "reimbursed_cents",
    "present",
)
LABELS = {
    "made": "Réservations faites",
    "validated": "Réservations validées",
    "cancelled": "Réservations annulées",
    "no_shows": "Absences (non venus)",
    "young": "Jeunes touchés",
    "classes": "Classes touchées (offres collectives)",
    "students": "Élèves touchés (offres collectives)",
    "free": "Réservations gratuites",
    "paid": "Réservations payantes",
    "validated_cents": "Montant validé",
    "reimbursed_cents": "Montant remboursé",
    "present": "Participants présents (tous canaux)",
}
MONEY = {"validated_cents", "reimbursed_cents"}


@dataclass
class Figures:
    year: int
    months: list[dict[str, int]] = field(default_factory=lambda: [Counter() for _ in range(12)])
    totals: dict[str, int] = field(default_factory=Counter)
    by_age: dict[int, int] = field(default_factory=dict)
    top_offers: list[dict] = field(default_factory=list)
    fill: dict[str, int] = field(default_factory=dict)
    by_venue: list[dict] = field(default_factory=list)
    by_subcategory: list[dict] = field(default_factory=list)
    # Every channel (reporting/channels.py): figure → month → channel → people, their
    # year's totals by channel, the public reached, the fill rate's breakdowns.
    channel_months: dict[str, list[Counter]] = field(default_factory=channels.empty_months)
    by_channel: dict[str, Counter] = field(default_factory=dict)
    public: dict[str, int] = field(default_factory=dict)
    fill_by_venue: list[dict] = field(default_factory=list)
    fill_by_subcategory: list[dict] = field(default_factory=list)

    @property
    def fill_rate(self) -> int | None:
        """Percent of the places offered taken by every channel (None without a
        capacity; the rule: reporting/channels.py)."""
        return self.fill.get("rate")

    def series(self, key: str) -> list[int]:
        return [self.months[m][key] for m in range(12)]


def _monthly(figures, qs, when: str, tz, **aggregates):
    """Add figures by month: each aggregate of `qs` grouped by the month of `when` in
    the time zone, `when` within the year (one query)."""
    start, end = _bounds(figures.year, tz)
    rows = (
        qs.filter(**{f"{when}__gte": start, f"{when}__lt": end})
        .annotate(month=TruncMonth(when, tzinfo=tz))
        .values("month")
        .annotate(**aggregates)
        .order_by()
    )
    for row in rows:
        for key in aggregates:
            figures.months[_month_index(row["month"])][key] += row[key] or 0


VALIDATED = [BookingStatus.VALIDATED, BookingStatus.REIMBURSED]
COLLECTIVE_REACHED = [
    CollectiveBookingStatus.BOOKED,
    CollectiveBookingStatus.ENDED,
    CollectiveBookingStatus.REIMBURSED,
]


def reached(bookings):
    """A young person is reached by a booking neither cancelled nor marked absent."""
    return bookings.exclude(status=BookingStatus.CANCELLED).exclude(absent_at__isnull=False)


def year_figures(venue_ids: list[int], year: int) -> Figures:
    figures = Figures(year=year)
    venue_ids = list(venue_ids)
    if not venue_ids:
        return figures
    zones = _zones(venue_ids)
    for tz_name, ids in zones.items():
        tz = ZoneInfo(tz_name)
        bookings = Booking.objects.filter(venue_id__in=ids)
        _monthly(
            figures,
            bookings,
            "booked_at",
            tz,
            made=Count("pk"),
            free=Count("pk", filter=Q(price_cents=0)),
            paid=Count("pk", filter=Q(price_cents__gt=0)),
        )
        _monthly(
            figures,
            bookings.filter(status__in=VALIDATED),
            "validated_at",
            tz,
            validated=Count("pk"),
            validated_cents=Sum("price_cents"),
        )
        _monthly(
            figures,
            bookings.filter(status=BookingStatus.CANCELLED),
            "cancelled_at",
            tz,
            cancelled=Count("pk"),
        )
        _monthly(
            figures,
            bookings.filter(absent_at__isnull=False, status=BookingStatus.CONFIRMED),
            "session__starts_at",
            tz,
            no_shows=Count("pk"),
        )
        _monthly(
            figures,
            reached(bookings),
            "booked_at",
            tz,
            young=Count("beneficiary_id", distinct=True),
        )
        _monthly(
            figures,
            CollectiveBooking.objects.filter(venue_id__in=ids, status__in=COLLECTIVE_REACHED),
            "confirmed_at",
            tz,
            classes=Count("pk"),
            students=Sum("offer__students"),
        )
        _monthly(
            figures,
            StatementLine.objects.filter(venue_id__in=ids),
            "statement__created_at",
            tz,
            reimbursed_cents=Sum("amount_cents"),
        )
    names = dict(Venue.objects.filter(pk__in=venue_ids).values_list("pk", "name"))
    _top_and_breakdowns(figures, venue_ids, zones, names)
    channels.add_channels(figures, zones)
    for key in MONTHLY:
        figures.totals[key] = sum(figures.months[m][key] for m in range(12))
    # Young people in the year: each once (a month's figure counts them in that month),
    # by the age they reach in the year (year − year of birth, as INSEE counts).
    young = reached(Booking.objects.filter(_year_filter(year, "booked_at", zones)))
    figures.totals["young"] = young.aggregate(n=Count("beneficiary_id", distinct=True))["n"]
    ages = Counter()
    for row in (
        young.values(born=ExtractYear("beneficiary__beneficiary__birth_date"))
        .annotate(n=Count("beneficiary_id", distinct=True))
        .order_by()
    ):
        if row["born"] is not None:
            ages[year - row["born"]] += row["n"]
    figures.by_age = {age: ages.get(age, 0) for age in AGES}
    other = sum(n for age, n in ages.items() if age not in AGES)
    if other:
        figures.by_age["autre"] = other
    channels.public_reached(figures)
    channels.add_fill(figures, zones, (names, _label))
    return figures


def _top_and_breakdowns(figures: Figures, venue_ids: list[int], zones, names) -> None:
    year = figures.year
    made = Booking.objects.filter(_year_filter(year, "booked_at", zones))
    kept = made.exclude(status=BookingStatus.CANCELLED)
    figures.top_offers = list(
        kept.values("offer_id", "offer__title", "venue__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "offer__title")[:10]
    )
    validated = Booking.objects.filter(_year_filter(year, "validated_at", zones)).filter(
        status__in=[BookingStatus.VALIDATED, BookingStatus.REIMBURSED]
    )
    per_venue = {
        r["venue_id"]: r
        for r in made.values("venue_id").annotate(
            made=Count("pk"), cancelled=Count("pk", filter=Q(status=BookingStatus.CANCELLED))
        )
    }
    per_venue_validated = {
        r["venue_id"]: r
        for r in validated.values("venue_id").annotate(n=Count("pk"), cents=Sum("price_cents"))
    }
    figures.by_venue = sorted(
        (
            {
                "pk": pk,
                "venue": names[pk],
                "made": per_venue.get(pk, {}).get("made", 0),
                "cancelled": per_venue.get(pk, {}).get("cancelled", 0),
                "validated": per_venue_validated.get(pk, {}).get("n", 0),
                "validated_cents": per_venue_validated.get(pk, {}).get("cents", 0) or 0,
            }
            for pk in venue_ids
        ),
        key=lambda r: (-r["made"], r["venue"]),
    )
    figures.by_subcategory = sorted(
        (
            {"subcategory": _label(r["offer__subcategory_id"]), "made": r["n"]}
            for r in kept.values("offer__subcategory_id").annotate(n=Count("pk"))
        ),
        key=lambda r: (-r["made"], r["subcategory"]),
    )


def _label(subcategory_id: str) -> str:
    try:
        return get_subcategory(subcategory_id).label
    except UnknownSubcategory:
        return subcategory_id


# The figures of a large collectivité take a second to compute (300,000 bookings a year:
# docs/performance.md); statistics are read, not watched live: each set of venues and
# year is kept in the shared cache for a while, and the page says when it was computed.
CURRENT_YEAR_SECONDS = 10 * 60
PAST_YEAR_SECONDS = 6 * 60 * 60


def figures_key(venue_ids: list[int], year: int) -> str:
    """The cache key of a year's figures for a set of venues (the statistics page's
    rendered figures are kept under it too, with the instant they were computed)."""
    return "stats-2:" + hashlib.sha256(repr((year, sorted(set(venue_ids)))).encode()).hexdigest()


def cached_year_figures(venue_ids: list[int], year: int) -> tuple[Figures, datetime]:
    """(figures, when they were computed), from the shared cache when fresh enough."""
    from django.core.cache import cache
    from django.utils import timezone

    key = figures_key(venue_ids, year)
    found = cache.get(key)
    if found is None:
        found = (year_figures(sorted(set(venue_ids)), year), timezone.now())
        current = year >= timezone.localdate().year
        cache.set(key, found, CURRENT_YEAR_SECONDS if current else PAST_YEAR_SECONDS)
    return found
