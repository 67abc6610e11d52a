"""The rules of a programme that changes (SPEC §9), each written once; offers/rules.py
names them, so `rules.<name>` is the way in:

- how long a session lasts (`duration_of` on plain values, for a card's row too; the
  models' `Offer.duration`, `Session.duration` and `Session.ends_at` read it), the usual
  length of a subcategory (`usual_duration`);
- the venue's sessions a new one overlaps (`periods_overlap`, `overlapping_sessions`,
  `overlaps_of`): a warning to the librarian, not a refusal;
- a session's status in the programme and the feeds (`session_status`);
- the ages an offer is meant for (`age_range`, `fits_age`, its SQL twin `for_age`).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, TextChoices
from django.utils import timezone

from accounts.models import Venue
from offers.models import Offer, Session
from offers.models.individual import duration_of
from passlib.durations import MAX_MINUTES

# --- a session's length and status (SPEC §9) ---------------------------------------------


def usual_duration(subcategory_id: str) -> int:
    """A subcategory's usual length in minutes (catalog/categories.py), offered when an
    offer is created; DEFAULT_DURATION when it names none."""
    return duration_of(None, None, subcategory_id)


def periods_overlap(start, end, other_start, other_end) -> bool:
    """[start, end) and [other_start, other_end) share a moment: one ending when the
    other starts does not overlap it."""
    return start < other_end and other_start < end


def overlapping_sessions(venue: Venue, start, end, *, exclude=()) -> list[Session]:
    """The venue's sessions not cancelled (any of its offers) that overlap [start, end)
    (`periods_overlap`), but those in `exclude`. One query: a session lasts at most
    MAX_MINUTES, so only those starting less than that before `start` can reach it;
    their end is `Session.ends_at` (the one rule, with the offer selected). Soonest
    first."""
    nearby = (
        Session.objects.filter(
            offer__venue=venue,
            cancelled_at__isnull=True,
            starts_at__lt=end,
            starts_at__gt=start - timedelta(minutes=MAX_MINUTES),
        )
        .exclude(public_id__in=[s.public_id for s in exclude])
        .select_related("offer")
        .order_by("starts_at", "pk")
    )
    return [
        other for other in nearby if periods_overlap(start, end, other.starts_at, other.ends_at)
    ]


def overlaps_of(venue: Venue, sessions: list[Session]) -> list[tuple[Session, list[Session]]]:
    """Each of `sessions` (just created: one, or a series) with the venue's other
    sessions it overlaps, those of the series included; one query for all of them."""
    if not sessions:
        return []
    ends = {new.public_id: new.ends_at for new in sessions}
    first = min(new.starts_at for new in sessions)
    span = overlapping_sessions(venue, first, max(ends.values()))
    found = []
    for session in sessions:
        start, end = session.starts_at, ends[session.public_id]
        others = [
            o
            for o in span
            if o.public_id != session.public_id
            and periods_overlap(start, end, o.starts_at, o.ends_at)
        ]
        if others:
            found.append((session, others))
    return found


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


def presence_opens_at(starts_at: datetime, tz: str) -> datetime:
    """From when a person registered through another channel may be marked present, or a
    walk-in counted at the door: the session's day, from midnight in the venue's time
    zone (people arrive before the start; weeks before is a mis-click that would count in
    the statistics). A young person's « Présent » is a validation, with its own rule
    (offers/rules.py `validation_opens_at`)."""
    day = timezone.localtime(starts_at, ZoneInfo(tz)).date()
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz))
