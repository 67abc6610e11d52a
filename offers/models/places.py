"""Places left, as conditions over a session's or a stock's own columns.

The one written form of "a place is left" (lookup ``"lt"``) and of "never oversold"
(lookup ``"lte"``, the CHECK constraints of Session and Stock). Every other copy names
this module: the guarded UPDATE of a booking (offers/services/bookings.py) and the
display status and catalog (offers/rules.py) use these conditions;
`Session.remaining` and `Stock.remaining` are the Python twins for one object, and
tests/offers/test_rules_agree.py proves all of them agree.

A session's bookable places are its pass Culture quota, else its total places, else
unlimited.
"""

from __future__ import annotations

from django.db.models import F, Q


def session_within_capacity(lookup: str, prefix: str = "") -> Q:
    """`booked_count <lookup> capacity` of a session (unlimited: always true)."""
    booked = f"{prefix}booked_count__{lookup}"
    return (
        Q(**{f"{prefix}quota__isnull": False, booked: F(f"{prefix}quota")})
        | Q(
            **{
                f"{prefix}quota__isnull": True,
                f"{prefix}total_places__isnull": False,
                booked: F(f"{prefix}total_places"),
            }
        )
        | Q(**{f"{prefix}quota__isnull": True, f"{prefix}total_places__isnull": True})
    )


def stock_within_capacity(lookup: str, prefix: str = "") -> Q:
    """`booked_count <lookup> quantity` of a stock (no quantity: unlimited)."""
    return Q(**{f"{prefix}quantity__isnull": True}) | Q(
        **{f"{prefix}booked_count__{lookup}": F(f"{prefix}quantity")}
    )


SESSION_HAS_PLACE = session_within_capacity("lt")
STOCK_HAS_PLACE = stock_within_capacity("lt")
