"""The business rules of offers and bookings, each written once.

Each rule is a named query expression (for selectors, services and guarded UPDATEs) or
a function; where a second form must exist (a CHECK constraint, a Python property), it
names this module and tests/offers/test_rules_agree.py proves both agree.

- places left: offers/models/places.py (conditions over a session's or stock's columns),
  used here to say whether an offer has a bookable place;
- an offer's display status (`display_status`);
- what a young person may book (`bookable_place`, with the offer's own state in
  offers/policy.py);
- the cancellation deadline of a booking (`cancellation_deadline`, `may_cancel`), the
  one a booking made now would get (`cancellation_if_booked`), from when the guichet
  validates (`validation_opens_at`) and marks absent (`absence_open`);
- which counter codes a pro's export shows (`code_in_pro_export`);
- a duplicate's title (`duplicate_title`, offers/rules_copies.py);
- an offer's next bookable session (`next_bookable_session`; its stored twin
  `Offer.next_session`, kept by offers/services/next_sessions.py);
- the ages an offer is meant for (`age_range`) and whether it fits an age (`fits_age`,
  in SQL `for_age`);
- how long a session lasts and when it ends (`usual_duration`, `duration_of`; the
  models' `Session.duration`, `Session.ends_at`), the venue's sessions a new one
  overlaps (`periods_overlap`, `overlapping_sessions`, `overlaps_of`),
  and its status in the programme (`session_status`: scheduled, rescheduled, full,
  cancelled);
- visible to a teacher's school (`visible_to_school`) and a collective offer still free
  (`collective_offer_free`).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from accounts.models import Status, Venue
from offers.models import (
    Booking,
    BookingStatus,
    DisplayStatus,
    Offer,
    OfferStatus,
    Registration,
    Session,
    Stock,
    WaitlistEntry,
    WaitlistStatus,
)
from offers.models.places import SESSION_HAS_PLACE, STOCK_HAS_PLACE

# A session's length and status, an offer's ages (SPEC §9), and the collective offers'
# rules live in their own modules, named here so that `rules.<name>` is the one way in.
from offers.rules_collective import (  # noqa: F401
    SCHOOL_CANCELLATION_NOTICE,
    active_collective_bookings,
    collective_offer_free,
    school_cancellation_deadline,
    school_may_cancel,
    visible_to_school,
)
from offers.rules_copies import copy_title_base, copy_title_prefix, duplicate_title  # noqa: F401
from offers.rules_programme import (  # noqa: F401
    SessionState,
    age_range,
    duration_of,
    fits_age,
    for_age,
    overlapping_sessions,
    overlaps_of,
    periods_overlap,
    presence_opens_at,
    session_status,
    usual_duration,
)
from passlib.sql import CompiledExpression

CANCELLATION_WINDOW = timedelta(hours=48)

# --- places left ---------------------------------------------------------------------------


def open_sessions(now) -> QuerySet[Session]:
    """Sessions still open for booking at `now`: not cancelled, their booking limit not
    reached."""
    return Session.objects.filter(booking_limit_at__gt=now, cancelled_at__isnull=True)


def open_stocks(today) -> QuerySet[Stock]:
    """Stocks still open for booking on `today` (no limit date, or not passed)."""
    return Stock.objects.filter(
        Q(booking_limit_date__isnull=True) | Q(booking_limit_date__gte=today)
    )


def _of_outer_offer(qs: QuerySet, per_row: bool) -> QuerySet:
    # Inside an OR (or a CASE), PostgreSQL turns `EXISTS (… WHERE offer_id = outer.id)`
    # into a hashed sub-plan when it expects many outer rows: it then reads every open
    # session or stock of the database to build the hash, even for a page of 20 offers
    # (5 ms on 10,000 offers, growing with the table). A redundant inequality on the
    # correlation (`offer_id >= outer.id`, implied by the equality) is not hashable, so
    # the planner probes the offer_id index for each row it actually reads, and a page
    # stops after 20. Counts, which read every row, keep the hashed form.
    qs = qs.filter(offer_id=OuterRef("pk"))
    return qs.filter(offer_id__gte=OuterRef("pk")) if per_row else qs


def _has_bookable_place(now, today, per_row: bool) -> Q:
    """The outer offer has an open session or stock with a place left."""
    return Exists(_of_outer_offer(open_sessions(now).filter(SESSION_HAS_PLACE), per_row)) | Exists(
        _of_outer_offer(open_stocks(today).filter(STOCK_HAS_PLACE), per_row)
    )


def _is_open(now, today, per_row: bool) -> Q:
    """The outer offer has a session or stock still open, full or not."""
    return Exists(_of_outer_offer(open_sessions(now), per_row)) | Exists(
        _of_outer_offer(open_stocks(today), per_row)
    )


def _venue_validated() -> Exists:
    """The outer offer's venue and its collectivité are validated."""
    return Exists(
        Venue.objects.filter(
            pk=OuterRef("venue_id"),
            status=Status.VALIDATED,
            collectivite__status=Status.VALIDATED,
        )
    )


def _display_status(now, today, per_row: bool) -> Case:
    return Case(
        When(status=OfferStatus.DRAFT, then=Value(DisplayStatus.DRAFT)),
        When(status=OfferStatus.DEACTIVATED, then=Value(DisplayStatus.DEACTIVATED)),
        When(~_venue_validated(), then=Value(DisplayStatus.AWAITING)),
        When(~_is_open(now, today, per_row), then=Value(DisplayStatus.EXPIRED)),
        When(~_has_bookable_place(now, today, per_row), then=Value(DisplayStatus.SOLD_OUT)),
        default=Value(DisplayStatus.PUBLISHED),
        output_field=CharField(),
    )


_SLOTS = {"now": "datetime", "today": "date"}
_DISPLAY_STATUS = {
    per_row: CompiledExpression(
        Offer,
        lambda now, today, per_row=per_row: _display_status(now, today, per_row),
        CharField(),
        _SLOTS,
    )
    for per_row in (False, True)
}
_BOOKABLE_PLACE = {
    per_row: CompiledExpression(
        Offer,
        lambda now, today, per_row=per_row: Case(
            When(_has_bookable_place(now, today, per_row), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        BooleanField(),
        _SLOTS,
    )
    for per_row in (False, True)
}
# Full but still open: the waiting list is all that is left (the display status
# « complète » without the offer's own state, which offers/policy.py adds).
_WAITLIST_ONLY = {
    per_row: CompiledExpression(
        Offer,
        lambda now, today, per_row=per_row: Case(
            When(
                _is_open(now, today, per_row) & ~_has_bookable_place(now, today, per_row),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
        BooleanField(),
        _SLOTS,
    )
    for per_row in (False, True)
}


def _now_and_today(now=None) -> dict:
    now = now or timezone.now()
    return {"now": now, "today": timezone.localdate(now)}


def display_status(*, per_row: bool = False, now=None):
    """An offer's status as shown in lists, for the outer offer row. Precedence:
    brouillon, désactivée, en attente (collectivité or venue not validated), expirée
    (nothing open for booking), complète (no place left), publiée.

    `per_row` for a page of rows read in order (see _of_outer_offer). Compiled once
    (passlib/sql.py): use it on a top-level query of offers."""
    return _DISPLAY_STATUS[per_row](**_now_and_today(now))


def bookable_place(*, per_row: bool = True, now=None):
    """True when the outer offer has an open session or stock with a place left."""
    return _BOOKABLE_PLACE[per_row](**_now_and_today(now))


def waitlist_only(*, per_row: bool = True, now=None):
    """True when the outer offer has a session or stock still open for booking but no
    place left on any: only a waiting list may be joined (the catalog lists it after the
    bookable offers, marked « Complet — liste d'attente »)."""
    return _WAITLIST_ONLY[per_row](**_now_and_today(now))


def still_open(now=None) -> Q:
    """True when the outer offer has a session or stock still open for booking, full or
    not (its page stays reachable, with the waiting list)."""
    return _is_open(**_now_and_today(now), per_row=False)


def cancelled_sessions_to_come(now) -> QuerySet[Session]:
    """Sessions cancelled that were to start at or after `now`: the public feeds keep
    them, marked cancelled, so a city agenda that copied them learns it (issue 28)."""
    return Session.objects.filter(cancelled_at__isnull=False, starts_at__gte=now)


def has_cancelled_session_to_come(now) -> Exists:
    """The outer offer has a cancelled session to come (`cancelled_sessions_to_come`;
    the index `session_offer_start` answers it for each offer)."""
    return Exists(cancelled_sessions_to_come(now).filter(offer_id=OuterRef("pk")))


def sessions_with_places(now) -> QuerySet[Session]:
    """Open sessions with a place left (the catalog's day filter, bookable dates)."""
    return open_sessions(now).filter(SESSION_HAS_PLACE)


def next_bookable_session(now) -> QuerySet[Session]:
    """The outer offer's next bookable session: of its open sessions with a place left,
    the first to start, when the offer is published. Its stored twin is the offer's
    `next_session` (`next_session_at`, `next_session_until`), written by offers/services/
    next_sessions.py; tests/offers/test_next_session.py proves they agree."""
    return (
        sessions_with_places(now)
        .filter(offer_id=OuterRef("pk"), offer__status=OfferStatus.PUBLISHED)
        .order_by("starts_at", "booking_limit_at", "id")
    )


# --- cancellation --------------------------------------------------------------------------


def cancellation_deadline(booking: Booking):
    """Until when the young person may cancel; None when any time before validation.

    An event booking: max(booked_at, min(start − 48 h, booked_at + 48 h)). A physical
    booking: any time before validation. A session moved after the booking
    (`Session.moved_at`): also until min(new start, moved_at + 48 h), whichever is
    later — a young person told of a move may say they can no longer come."""
    if booking.session_id is None:
        return None
    session = booking.session
    return cancellation_deadline_at(booking.booked_at, session.starts_at, session.moved_at)


def cancellation_deadline_at(booked_at, starts_at, moved_at=None):
    """The same rule on plain values (exports read rows, not objects); None without a
    session start."""
    if starts_at is None:
        return None
    deadline = max(booked_at, min(starts_at - CANCELLATION_WINDOW, booked_at + CANCELLATION_WINDOW))
    if moved_at is not None and moved_at > booked_at:
        deadline = max(deadline, min(starts_at, moved_at + CANCELLATION_WINDOW))
    return deadline


def cancellation_deadline_expr():
    """The same rule as an ORM expression over a booking's row and its session's start
    and move (the reminders before the deadline, offers/services/reminders.py)."""
    booked = F("booked_at")
    start = F("session__starts_at")
    moved = F("session__moved_at")
    usual = Greatest(
        booked,
        Least(start - Value(CANCELLATION_WINDOW), booked + Value(CANCELLATION_WINDOW)),
    )
    return ExpressionWrapper(
        Case(
            When(
                session__moved_at__gt=booked,
                then=Greatest(usual, Least(start, moved + Value(CANCELLATION_WINDOW))),
            ),
            default=usual,
        ),
        output_field=DateTimeField(),
    )


def cancellation_if_booked(starts_at, now):
    """The cancellation deadline a booking made `now` would get, and whether it would be
    passed at once (a session less than 48 h away: no cancellation at all). The offer
    page and the held place's page say it before the young person books."""
    deadline = cancellation_deadline_at(now, starts_at)
    return deadline, deadline_passed(deadline, now)


def validation_opens_at(booked_at, starts_at, moved_at=None):
    """From when the guichet may validate an event booking: its cancellation deadline, so
    that validating early never takes away the young person's right to cancel. None (at
    once) for a physical booking."""
    return cancellation_deadline_at(booked_at, starts_at, moved_at) if booked_at else None


def absence_opens_at(starts_at):
    """From when the venue may mark a young person absent: the session's start. Before
    it the young person may still come, or cancel; a physical booking (no start) is never
    marked absent. The guarded UPDATE of `booking_mark_absent` repeats it in SQL
    (`session__starts_at__lte`)."""
    return starts_at


def absence_open(starts_at, now) -> bool:
    """The session has started: « Absent » may be marked."""
    opens = absence_opens_at(starts_at)
    return opens is not None and now >= opens


def deadline_passed(deadline, now) -> bool:
    """The deadline is the last instant *before* which one may cancel: at the deadline
    itself it is too late, as in the scheme. No deadline never passes."""
    return deadline is not None and now >= deadline


def code_in_pro_export(code: str, *, status: str, is_event: bool) -> str:
    """The counter code as the pro's bookings export shows it: a physical (not event)
    booking still confirmed keeps its code hidden, since whoever holds the file could
    otherwise collect the thing with it; once validated, cancelled or reimbursed it is
    shown. Events always show theirs. pass Culture's own rule: `get_booking_token` in
    pass-culture/pass-culture-main, api/src/pcapi/core/bookings/exports.py."""
    if not is_event and status == BookingStatus.CONFIRMED:
        return ""
    return code


def cancellation_open(booking: Booking, now) -> bool:
    """The young person's cancellation deadline is not reached."""
    return not deadline_passed(cancellation_deadline(booking), now)


def may_cancel(booking: Booking, now) -> bool:
    """The young person may still cancel: confirmed, and the deadline not reached."""
    return booking.status == BookingStatus.CONFIRMED and cancellation_open(booking, now)


# --- waiting list ---------------------------------------------------------------------------

MIN_HOLD = timedelta(minutes=15)


def hold_until(now, closes_at, hold: timedelta):
    """Until when a freed place is held for the first in line: `hold` (WAITLIST_HOLD_HOURS),
    shortened to half of what is left before bookings close when the session is near, and
    never under MIN_HOLD. None when bookings close within MIN_HOLD: the place then stays
    open to anyone rather than being held for someone who cannot confirm in time.
    `closes_at` None (a stock without a limit date): the full `hold`."""
    if closes_at is None:
        return now + hold
    left = closes_at - now
    if left <= MIN_HOLD:
        return None
    return now + min(hold, max(MIN_HOLD, left / 2))


def _ahead(model, earlier: Q):
    """How many of `model` wait before the outer entry in its session's (or stock's) line."""
    return Subquery(
        model.objects.filter(
            Q(session__isnull=False, session_id=OuterRef("session_id"))
            | Q(stock__isnull=False, stock_id=OuterRef("stock_id")),
            earlier,
            status="waiting",
        )
        .order_by()
        .annotate(n=Func(F("id"), function="COUNT"))
        .values("n"),
        output_field=IntegerField(),
    )


def waitlist_rank():
    """An entry's place in its line (1: the first), as an expression over its row: the
    people of every channel waiting before it in the same session's (or stock's) line
    (young people's entries, and registrations from other channels: offers/services/
    holds.py serves them in one line, a young person first at the same instant), plus
    one; None when it is not waiting. Pages annotate it, one query for a list."""
    young = _ahead(
        WaitlistEntry,
        Q(joined_at__lt=OuterRef("joined_at"))
        | Q(joined_at=OuterRef("joined_at"), id__lt=OuterRef("id")),
    )
    others = _ahead(Registration, Q(joined_at__lt=OuterRef("joined_at")))
    return Case(
        When(status=WaitlistStatus.WAITING, then=young + others + 1),
        default=None,
        output_field=IntegerField(),
    )


def stock_closes_at(stock: Stock):
    """The instant a stock's bookings close: the end of its limit date (None: no limit)."""
    if stock.booking_limit_date is None:
        return None
    day = stock.booking_limit_date + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time.min))
