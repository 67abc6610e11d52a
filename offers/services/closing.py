"""The scheme's closing rules, run by periodic commands (docs/operations.md):

- a free subscription card still confirmed 30 days after booking is validated (AUTO);
- an event booking still confirmed 48 h after its session's start is validated (AUTO),
  unless the venue marked the young person absent;
- a paid physical booking (escape game, paid subscription) not validated 30 days after
  booking is cancelled, the place freed and the credit refunded, both sides e-mailed.

Each is set-based and conditional (a row already handled is not touched again), so a
run is idempotent; on PostgreSQL an advisory lock per rule serialises runs on several
nodes, and two concurrent runs handle each booking once. Each handled booking is written
in the history by the system, by one INSERT … SELECT that also locks the rows.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from offers import history
from offers.models import Action, Booking, BookingStatus, CancellationReason, Session, Stock
from offers.services import bookings, holds
from passlib.counts import counts_changed
from passlib.emails import send_on_commit

AUTO_VALIDATION_DELAY = timedelta(days=30)  # free subscription cards
EVENT_VALIDATION_DELAY = timedelta(hours=48)  # after the session's start
PAID_PHYSICAL_DELAY = timedelta(days=30)  # then cancelled and refunded

AUTO_VALIDATION_LOCK = 0x70A55_0001  # constants shared by every node, one per rule
EVENT_VALIDATION_LOCK = 0x70A55_0002
PAID_PHYSICAL_LOCK = 0x70A55_0003


def subscriptions_due(now) -> QuerySet[Booking]:
    return Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        is_free_subscription=True,
        booked_at__lte=now - AUTO_VALIDATION_DELAY,
    )


def events_due(now) -> QuerySet[Booking]:
    """Event bookings still confirmed 48 h after the start, not marked absent."""
    started = Session.objects.filter(starts_at__lte=now - EVENT_VALIDATION_DELAY)
    return Booking.objects.filter(
        status=BookingStatus.CONFIRMED, absent_at__isnull=True, session__in=started
    )


def paid_physical_due(now) -> QuerySet[Booking]:
    """Paid physical bookings not validated 30 days after booking."""
    return Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        stock__isnull=False,
        price_cents__gt=0,
        booked_at__lte=now - PAID_PHYSICAL_DELAY,
    )


def validate_due_subscription_bookings(*, now=None, workers: int = 1) -> int:
    """Free subscription cards still confirmed 30 days after booking become validated."""
    now = now or timezone.now()
    return _validate_due(
        subscriptions_due(now), lock=AUTO_VALIDATION_LOCK, now=now, workers=workers
    )


def validate_due_event_bookings(*, now=None, workers: int = 1) -> int:
    """Event bookings still confirmed 48 h after their session's start become validated,
    except those the venue marked absent."""
    now = now or timezone.now()
    return _validate_due(events_due(now), lock=EVENT_VALIDATION_LOCK, now=now, workers=workers)


def _validate_due(due: QuerySet[Booking], *, lock: int, now, workers: int) -> int:
    """Validate (AUTO) the due rows.

    `workers` > 1, on PostgreSQL outside a transaction: the due rows are split into that
    many ranges of ids, each updated at the same time by its own connection in its own
    transaction (the UPDATE is bound by one core per connection, maintaining the
    indexes). Each range commits on its own: a run stopped half way is finished by the
    next."""
    changes = {
        "status": BookingStatus.VALIDATED,
        "validated_at": now,
        "validated_auto": True,
        "validated_by": None,
    }
    parallel = workers > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block
    if not parallel:
        with transaction.atomic(), locked(lock, transaction_scoped=True):
            return _validate_set(due, changes, now)

    def run(bounds: tuple[int, int]) -> int:
        try:  # in a worker thread: its own connection, its own transaction
            with transaction.atomic():
                rows = due.filter(id__gte=bounds[0], id__lte=bounds[1])
                return _validate_set(rows, changes, now)
        finally:
            connection.close()

    with locked(lock, transaction_scoped=False):
        span = due.aggregate(lo=Min("id"), hi=Max("id"))
        if span["lo"] is None:
            return 0
        step = (span["hi"] - span["lo"]) // workers + 1
        ranges = [(span["lo"] + i * step, span["lo"] + (i + 1) * step - 1) for i in range(workers)]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return sum(pool.map(run, ranges))


@contextmanager
def locked(lock: int, *, transaction_scoped: bool):
    """The rule's advisory lock on PostgreSQL (nothing to lock on SQLite, which
    serialises writers anyway)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        if transaction_scoped:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock])
        else:
            cursor.execute("SELECT pg_advisory_lock(%s)", [lock])
    try:
        yield
    finally:
        if not transaction_scoped:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [lock])


def _validate_set(due: QuerySet[Booking], changes: dict, now) -> int:
    """Log then validate the due rows (inside the caller's transaction)."""
    history.record_bookings(
        due.select_for_update(),
        action=Action.AUTO_VALIDATED,
        from_status=BookingStatus.CONFIRMED,
        to_status=BookingStatus.VALIDATED,
        at=now,
    )
    validated = due.update(**changes)
    if validated:
        counts_changed()
    return validated


def cancel_expired_paid_physical(*, now=None) -> int:
    """Cancel the paid physical bookings not validated 30 days after booking: free their
    place, refund the credit, e-mail the young person and the venue."""
    now = now or timezone.now()
    with transaction.atomic(), locked(PAID_PHYSICAL_LOCK, transaction_scoped=True):
        due = paid_physical_due(now)
        # The stocks' rows first, as every change of their bookings (offers/services/
        # bookings.py): a young person cancelling at the same instant is waited for.
        list(
            Stock.objects.select_for_update()
            .filter(pk__in=due.values("stock_id"))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        rows = bookings.cancel_confirmed_set(
            due,
            actor=None,
            reason=CancellationReason.EXPIRED,
            comment="Non retirée dans les 30 jours qui suivent la réservation.",
            now=now,
            action=Action.AUTO_CANCELLED,
        )
        if not rows:
            return 0
        ids = [r["id"] for r in rows]
        for stock_id in sorted({r["stock_id"] for r in rows}):  # freed: the lines first
            holds.offer_places(stock_id=stock_id, now=now)
        for booking in Booking.objects.filter(id__in=ids).select_related(
            "offer", "venue", "beneficiary"
        ):
            send_on_commit(
                to=[booking.beneficiary.email],
                template="booking_cancelled",
                context={"booking": booking, "by": "expired"},
            )
            send_on_commit(
                to=[booking.offer.booking_email or booking.venue.booking_email],
                template="booking_cancelled",
                context={"booking": booking, "by": "expired_venue"},
            )
        counts_changed()
        return len(rows)
