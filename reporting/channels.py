"""The figures of every channel (issue 30, « statistics count everyone »): pass Culture
bookings and the registrations from the other channels (offers/models/registrations.py)
side by side, by month, and the fill rate of the sessions with every channel's places.

By channel (pass Culture, accueil, téléphone, courrier électronique, autre outil, sans
inscription), in people (a registration of 3 places counts 3 people), by month of the
session in the venue's time zone (a stock's: the booking's `booked_at`, the
registration's `joined_at`):

- **present**: pass Culture bookings validated (validated or reimbursed, as the
  bookings' figures count them) and registrations marked present (a walk-in is counted
  present at the door);
- **registered**: places registered and not cancelled (pass Culture: bookings not
  cancelled; a registration still on the waiting line is not counted; a walk-in took
  no place: none);
- **absent**: pass Culture bookings marked absent (still confirmed, as `no_shows`) and
  registrations marked absent.

Only the venues in scope (a registration's venue is its offer's), never a cancelled
registration or booking, never a cancelled session.

**Fill rate** of the year's sessions that are not cancelled: on a session with a total,
the places taken by every channel (pass Culture bookings + registrations + « places
déjà prises hors pass Culture », `booked_count + other_count + outside_places`; places
only offered to the waiting line are not taken yet) over its total; on a session with
only a pass Culture quota (no total: the other channels are not limited), the pass
Culture bookings over the quota, as before; sessions without either are left out. The
same by venue and by subcategory.

**Public reached** (« public touché »): the young people reached through pass Culture
(`young`: distinct, each once in the year) plus the people present through the other
channels; both parts are kept.

Two grouped queries per time zone whatever the number of rows or channels (bookings,
registrations), plus one for the fill rate.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from offers.models import Booking, BookingStatus, Registration, RegistrationStatus, Session
from offers.models.registrations import ALL_CHANNELS, PASS_CULTURE, Attendance, Channel
from reporting.periods import bounds, month_index, year_filter

PASS = PASS_CULTURE[0]
CHANNELS = dict(ALL_CHANNELS)  # key → label, in the order lists show them
FIGURES = {
    "registered": "Places inscrites (non annulées)",
    "present": "Présents",
    "absent": "Absents (non venus)",
}
VALIDATED = [BookingStatus.VALIDATED, BookingStatus.REIMBURSED]
OPEN_SESSION = Q(session__isnull=True) | Q(session__cancelled_at__isnull=True)


def empty_months() -> dict[str, list[Counter]]:
    return {figure: [Counter() for _ in range(12)] for figure in FIGURES}


def _by_month(qs, moment: str, year: int, tz: ZoneInfo, group: list[str], **aggregates):
    """Rows of `qs` within the year by the month of `moment` in `tz` (one query)."""
    start, end = bounds(year, tz)
    return (
        qs.filter(OPEN_SESSION)
        .annotate(moment=Coalesce("session__starts_at", moment))
        .filter(moment__gte=start, moment__lt=end)
        .annotate(month=TruncMonth("moment", tzinfo=tz))
        .values("month", *group)
        .annotate(**aggregates)
        .order_by()
    )


def add_channels(figures, zones: dict[str, list[int]]) -> None:
    """Fill `figures.channel_months` (figure → month → channel → people), their totals
    `figures.by_channel`, the monthly « present » of every channel, and per venue."""
    months = figures.channel_months
    per_venue: dict[int, Counter] = defaultdict(Counter)
    for tz_name, ids in zones.items():
        tz = ZoneInfo(tz_name)
        bookings = _by_month(
            Booking.objects.filter(venue_id__in=ids),
            "booked_at",
            figures.year,
            tz,
            ["venue_id"],
            registered=Count("pk", filter=~Q(status=BookingStatus.CANCELLED)),
            present=Count("pk", filter=Q(status__in=VALIDATED)),
            absent=Count("pk", filter=Q(absent_at__isnull=False, status=BookingStatus.CONFIRMED)),
        )
        for row in bookings:
            for figure in FIGURES:
                months[figure][month_index(row["month"])][PASS] += row[figure]
                per_venue[row["venue_id"]][figure] += row[figure]
        registrations = _by_month(
            Registration.objects.filter(
                offer__venue_id__in=ids, status=RegistrationStatus.REGISTERED
            ),
            "joined_at",
            figures.year,
            tz,
            ["offer__venue_id", "channel"],
            registered=Sum("places", filter=~Q(channel=Channel.WALK_IN)),
            present=Sum("places", filter=Q(attendance=Attendance.PRESENT)),
            absent=Sum("places", filter=Q(attendance=Attendance.ABSENT)),
        )
        for row in registrations:
            for figure in FIGURES:
                n = row[figure] or 0
                months[figure][month_index(row["month"])][row["channel"]] += n
                per_venue[row["offer__venue_id"]][figure] += n
    for figure in FIGURES:
        figures.by_channel[figure] = Counter(
            {key: sum(months[figure][m][key] for m in range(12)) for key in CHANNELS}
        )
    for m in range(12):
        figures.months[m]["present"] = sum(months["present"][m].values())
    for row in figures.by_venue:
        row.update({figure: per_venue[row["pk"]][figure] for figure in FIGURES})


def public_reached(figures) -> None:
    """The young people reached through pass Culture (each once in the year) and the
    people present through every other channel."""
    others = sum(n for key, n in figures.by_channel["present"].items() if key != PASS)
    young = figures.totals["young"]
    figures.public = {"total": young + others, "pass": young, "others": others}


def add_fill(figures, zones, labels) -> None:
    """The fill rate of the year's sessions (the rule in this module's docstring), in
    total, by venue and by subcategory: one grouped query."""
    sessions = Session.objects.filter(
        year_filter(figures.year, "starts_at", zones, "offer__venue_id"),
        cancelled_at__isnull=True,
    ).filter(Q(total_places__isnull=False) | Q(quota__isnull=False))
    with_total = Q(total_places__isnull=False)
    rows = sessions.values("offer__venue_id", "offer__subcategory_id").annotate(
        sessions=Count("pk"),
        places=Sum(Coalesce("total_places", "quota")),
        booked=Sum("booked_count"),
        others=Sum(F("other_count") + F("outside_places"), filter=with_total),
    )
    total, venues, subcategories = Counter(), defaultdict(Counter), defaultdict(Counter)
    for row in rows.order_by():
        counted = {
            "sessions": row["sessions"],
            "places": row["places"] or 0,
            "booked": row["booked"] or 0,
            "others": row["others"] or 0,
        }
        for counter in (
            total,
            venues[row["offer__venue_id"]],
            subcategories[row["offer__subcategory_id"]],
        ):
            counter.update(counted)
    figures.fill = _fill(total)
    names, subcategory_label = labels
    figures.fill_by_venue = sorted(
        ({"name": names[pk], **_fill(c)} for pk, c in venues.items()),
        key=lambda r: r["name"],
    )
    figures.fill_by_subcategory = sorted(
        ({"name": subcategory_label(sub), **_fill(c)} for sub, c in subcategories.items()),
        key=lambda r: r["name"],
    )


def _fill(counter: Counter) -> dict:
    taken = counter["booked"] + counter["others"]
    places = counter["places"]
    return {
        "sessions": counter["sessions"],
        "places": places,
        "booked": counter["booked"],
        "others": counter["others"],
        "taken": taken,
        "rate": round(100 * taken / places) if places else None,
    }
