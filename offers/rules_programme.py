"""The rules of a programme that changes (SPEC §9), each written once; offers/rules.py
names them, so `rules.<name>` is the way in:

- how long a session lasts and when it ends (`offer_duration`, `session_duration`,
  `session_ends_at`: the model's `Offer.duration`, `Session.duration`, `Session.ends_at`);
- a session's status in the programme and the feeds (`session_status`);
- the ages an offer is meant for (`age_range`, `fits_age`, its SQL twin `for_age`).
"""

from __future__ import annotations

from django.db.models import Q, TextChoices

from offers.models import Offer, Session

# --- a session's length and status (SPEC §9) ---------------------------------------------


def offer_duration(offer: Offer) -> int:
    """The offer's length in minutes: its own, else its subcategory's usual one (the
    model's `Offer.duration`, so templates read it too)."""
    return offer.duration


def session_duration(session: Session) -> int:
    """A session's length in minutes: its own, else its offer's (`Session.duration`)."""
    return session.duration


def session_ends_at(session: Session):
    return session.ends_at


class SessionState(TextChoices):
    """A session's status in the programme and the feeds; the values are the feeds'
    (docs/feeds.md maps them to OpenAgenda's)."""

    SCHEDULED = "scheduled", "Programmée"
    RESCHEDULED = "rescheduled", "Déplacée"
    FULL = "full", "Complète"
    CANCELLED = "cancelled", "Annulée"


def session_status(session: Session) -> str:
    """Cancelled, else full (no place left: `Session.remaining`), else rescheduled
    (moved at least once), else scheduled."""
    if session.cancelled_at is not None:
        return SessionState.CANCELLED
    remaining = session.remaining
    if remaining is not None and remaining <= 0:
        return SessionState.FULL
    if session.moved_at is not None:
        return SessionState.RESCHEDULED
    return SessionState.SCHEDULED


# --- an offer's ages (SPEC §9) ------------------------------------------------------------


def age_range(offer: Offer) -> tuple[int | None, int | None]:
    """The ages an offer is meant for, (minimum, maximum), None where it has no bound;
    both within 15..18 and minimum ≤ maximum (the CHECK constraint `offer_age_range`).
    People read it through passlib/formats.py `age_range_fr` (« 15–17 ans », `|fr_ages`);
    the feeds give it as OpenAgenda's `age`."""
    return offer.age_min, offer.age_max


def fits_age(offer: Offer, age: int) -> bool:
    """The offer is meant for a young person of this age (bounds included): the offer
    page and the booking service (offers/policy.py `age_range_refusal`). Its SQL twin is
    `for_age` (tests/offers/test_rules_agree.py)."""
    low, high = age_range(offer)
    return (low is None or low <= age) and (high is None or age <= high)


def for_age(age: int) -> Q:
    """`fits_age` as a condition on offers: the catalogue's « Pour mon âge »."""
    return (Q(age_min__isnull=True) | Q(age_min__lte=age)) & (
        Q(age_max__isnull=True) | Q(age_max__gte=age)
    )
