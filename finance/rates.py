"""The scheme's reimbursement rules as data, and the one function that prices a booking.

The scale (the pass Culture's public finance rules), per venue and calendar year:
individual bookings of reimbursed subcategories are reimbursed at

    100 % while the year's reimbursable revenue stays at or below 20 000 €,
     95 % up to 40 000 €,
     92 % up to 150 000 €,
     90 % above.

The revenue that picks the rate includes the booking being priced (as the scheme's own
code does): a booking that takes the year from 19 990 € to 20 010 € is reimbursed at
95 % as a whole; the line records the one rate applied. The year is the validation's, in
the venue's time zone; the revenue counts the venue's individual bookings of reimbursed
subcategories already priced that year, whatever rate priced them.

Collective bookings are reimbursed at 100 % and do not count in the revenue. A
subcategory marked "Remboursement : Non" in the catalog gives 0. A custom rate set by
staff for the offer (first) or the venue, valid on the validation date, replaces the
scale. Everything is in integer cents and basis points; an amount is rounded half up to
the cent, and a statement's total is the sum of its lines' amounts.
"""

from __future__ import annotations

from dataclasses import dataclass

from finance.models import FULL_RATE_BP, RateRule


@dataclass(frozen=True)
class Tier:
    up_to_cents: int | None  # revenue of the year, this booking included; None: no limit
    rate_bp: int
    rule: RateRule


STANDARD_SCALE: tuple[Tier, ...] = (
    Tier(2_000_000, 10_000, RateRule.STANDARD_100),
    Tier(4_000_000, 9_500, RateRule.STANDARD_95),
    Tier(15_000_000, 9_200, RateRule.STANDARD_92),
    Tier(None, 9_000, RateRule.STANDARD_90),
)


@dataclass(frozen=True)
class Priced:
    rate_bp: int
    rule: RateRule
    amount_cents: int
    counts_in_revenue: bool


def amount(price_cents: int, rate_bp: int) -> int:
    """price × rate, rounded half up to the cent (integers only)."""
    return (price_cents * rate_bp + FULL_RATE_BP // 2) // FULL_RATE_BP


def tier_for(revenue_cents: int) -> Tier:
    for tier in STANDARD_SCALE:
        if tier.up_to_cents is None or revenue_cents <= tier.up_to_cents:
            return tier
    raise AssertionError("the last tier has no limit")  # pragma: no cover


def price(
    *,
    price_cents: int,
    collective: bool,
    subcategory_reimbursed: bool,
    custom_rate_bp: int | None,
    revenue_before_cents: int,
) -> Priced:
    """The rule, rate and amount of one booking (see the module)."""
    if not subcategory_reimbursed:
        return Priced(0, RateRule.NOT_REIMBURSED, 0, counts_in_revenue=False)
    if collective:
        return Priced(FULL_RATE_BP, RateRule.COLLECTIVE, price_cents, counts_in_revenue=False)
    if custom_rate_bp is not None:
        return Priced(
            custom_rate_bp,
            RateRule.CUSTOM,
            amount(price_cents, custom_rate_bp),
            counts_in_revenue=True,
        )
    tier = tier_for(revenue_before_cents + price_cents)
    return Priced(tier.rate_bp, tier.rule, amount(price_cents, tier.rate_bp), True)


def percent(rate_bp: int) -> str:
    """10 000 → "100 %", 9 250 → "92,5 %" (French)."""
    whole, rest = divmod(rate_bp, 100)
    if rest == 0:
        return f"{whole} %"
    return f"{whole},{rest:02d}".rstrip("0") + " %"
