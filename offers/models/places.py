"""Places left, as conditions over a session's or a stock's own columns.

The one written form of "a place is left" (lookup ``"lt"``) and of "never oversold"
(lookup ``"lte"``, the CHECK constraints of Session and Stock). Every other copy names
this module: the guarded UPDATEs of a booking (offers/services/bookings.py) and of a
registration from another channel (offers/services/registrations.py), and the display
status and catalog (offers/rules.py) use these conditions; `Session.remaining`,
`Session.places_left` and `Stock.remaining` are the Python twins for one object, and
tests/offers/test_rules_agree.py proves all of them agree.

One capacity for every channel (SPEC §9). A session has its total places (None:
unlimited) and an optional pass Culture quota (≤ total). Everyone takes places from the
total: pass Culture bookings (`booked_count`), places held for the first in line of the
waiting list (`held_count`, offers/services/holds.py: held for a young person, so they
count as pass Culture places too), registrations from other channels (`other_count`) and
the number a library keeps on its own list (`outside_places`). The quota limits the pass
Culture bookings only:

    pass places left = min(quota − booked − held, total − booked − held − other − outside)

(a missing bound is no limit; both missing: unlimited). A stock has a quantity (None:
unlimited) shared the same way: quantity − booked − held − other.
"""

from __future__ import annotations

from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Least


def _taken_by_all(prefix: str = ""):
    """Places of the total taken by every channel, pass Culture's included."""
    return (
        F(f"{prefix}booked_count")
        + F(f"{prefix}held_count")
        + F(f"{prefix}other_count")
        + F(f"{prefix}outside_places")
    )


def session_within_capacity(lookup: str, prefix: str = "") -> Q:
    """`booked_count <lookup>` both the quota's and the total's room for pass Culture
    (unlimited: always true)."""
    booked = f"{prefix}booked_count__{lookup}"
    held = F(f"{prefix}held_count")
    others = F(f"{prefix}other_count") + F(f"{prefix}outside_places")
    quota_ok = Q(**{f"{prefix}quota__isnull": True}) | Q(**{booked: F(f"{prefix}quota") - held})
    total_ok = Q(**{f"{prefix}total_places__isnull": True}) | Q(
        **{booked: F(f"{prefix}total_places") - held - others}
    )
    return quota_ok & total_ok


def session_fits_others(places: int, prefix: str = "") -> Q:
    """`places` more for another channel fit in the total (the quota is not theirs)."""
    return Q(**{f"{prefix}total_places__isnull": True}) | Q(
        **{f"{prefix}total_places__gte": _taken_by_all(prefix) + Value(places)}
    )


def session_fits_places(quota: int | None, total: int | None) -> Q:
    """New places and quota keep everyone already in (a session's edit)."""
    fits = Q()
    if quota is not None:
        fits &= Q(booked_count__lte=Value(quota) - F("held_count"))
    if total is not None:
        fits &= Q(
            booked_count__lte=Value(total)
            - F("held_count")
            - F("other_count")
            - F("outside_places")
        )
    return fits


def session_pass_left(prefix: str = ""):
    """Pass Culture places left as an expression (NULL: unlimited), the same on SQLite
    (whose MIN is NULL as soon as one side is) and PostgreSQL."""
    quota_left = F(f"{prefix}quota") - F(f"{prefix}booked_count") - F(f"{prefix}held_count")
    total_left = F(f"{prefix}total_places") - _taken_by_all(prefix)
    return Least(Coalesce(quota_left, total_left), Coalesce(total_left, quota_left))


def pass_left(quota, total, booked, held, other, outside) -> int | None:
    """Python twin of `session_pass_left` on plain values (None: unlimited)."""
    bounds = []
    if quota is not None:
        bounds.append(quota - booked - held)
    if total is not None:
        bounds.append(total - booked - held - other - outside)
    return min(bounds) if bounds else None


def all_left(total, booked, held, other, outside) -> int | None:
    """Places of the total left for any channel (None: unlimited)."""
    return None if total is None else total - booked - held - other - outside


def stock_within_capacity(lookup: str, prefix: str = "") -> Q:
    """`booked_count <lookup> quantity − held_count − other_count` of a stock (no
    quantity: unlimited)."""
    return Q(**{f"{prefix}quantity__isnull": True}) | Q(
        **{
            f"{prefix}booked_count__{lookup}": F(f"{prefix}quantity")
            - F(f"{prefix}held_count")
            - F(f"{prefix}other_count")
        }
    )


def stock_fits_others(places: int) -> Q:
    return Q(quantity__isnull=True) | Q(
        quantity__gte=F("booked_count") + F("held_count") + F("other_count") + Value(places)
    )


SESSION_HAS_PLACE = session_within_capacity("lt")
STOCK_HAS_PLACE = stock_within_capacity("lt")
