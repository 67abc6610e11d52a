"""Places left, as conditions over a session's or a stock's own columns.

The one written form of "a place is left" (lookup ``"lt"``) and of "never oversold"
(lookup ``"lte"``, the CHECK constraints of Session and Stock). Every other copy names
this module: the guarded UPDATE of a booking (offers/services/bookings.py) and the
display status and catalog (offers/rules.py) use these conditions;
`Session.remaining` and `Stock.remaining` are the Python twins for one object, and
tests/offers/test_rules_agree.py proves all of them agree.

A session's bookable places are its pass Culture quota, else its total places, else
unlimited. A place held for the first in line of the waiting list (`held_count`,
offers/services/waitlist.py) is taken as much as a booked one: places left are
capacity − booked − held.
"""

from __future__ import annotations

from django.db.models import F, Q


def session_within_capacity(lookup: str, prefix: str = "") -> Q:
    """`booked_count <lookup> capacity − held_count` of a session (unlimited: always
    true)."""
    booked = f"{prefix}booked_count__{lookup}"
    held = F(f"{prefix}held_count")
    return (
        Q(**{f"{prefix}quota__isnull": False, booked: F(f"{prefix}quota") - held})
        | Q(
            **{
                f"{prefix}quota__isnull": True,
                f"{prefix}total_places__isnull": False,
                booked: F(f"{prefix}total_places") - held,
            }
        )
        | Q(**{f"{prefix}quota__isnull": True, f"{prefix}total_places__isnull": True})
    )


def stock_within_capacity(lookup: str, prefix: str = "") -> Q:
    """`booked_count <lookup> quantity − held_count` of a stock (no quantity:
    unlimited)."""
    return Q(**{f"{prefix}quantity__isnull": True}) | Q(
        **{f"{prefix}booked_count__{lookup}": F(f"{prefix}quantity") - F(f"{prefix}held_count")}
    )


SESSION_HAS_PLACE = session_within_capacity("lt")
STOCK_HAS_PLACE = stock_within_capacity("lt")
