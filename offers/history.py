"""Writing and reading the action history of offers and bookings (offers.Transition).

Services call `record` for each transition they make, in the same transaction; the
set-based commands call `record_bookings`, which writes one row per booking with one
INSERT … SELECT (300,000 rows must not cost 300,000 round trips).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone

from accounts.models import User
from offers.models import Action, Booking, Offer, Transition


def record(
    *,
    action: Action,
    actor: User | None,
    venue_id: int,
    label: str,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    comment: str = "",
    **targets,
) -> Transition:
    """One transition: `targets` names what it is about (offer=, booking=, …)."""
    return Transition.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        venue_id=venue_id,
        label=label[:255],
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        comment=comment[:500],
        **targets,
    )


def record_booking(
    booking: Booking, *, action: Action, actor: User | None, from_status: str, to_status: str, **kw
) -> Transition:
    return record(
        action=action,
        actor=actor,
        venue_id=booking.venue_id,
        label=f"Contremarque {booking.code}",
        from_status=from_status,
        to_status=to_status,
        offer_id=booking.offer_id,
        booking=booking,
        **kw,
    )


_BOOKING_COLUMNS = (
    "action",
    "actor_id",
    "created_at",
    "from_status",
    "to_status",
    "label",
    "reason",
    "comment",
    "venue_id",
    "offer_id",
    "booking_id",
)


def record_bookings(
    bookings: QuerySet[Booking], *, action: Action, from_status: str, to_status: str, at=None
) -> None:
    """One row per booking of the queryset, by the system, in one INSERT … SELECT.

    The SELECT is the ORM's own SQL for the queryset (Django has no INSERT … SELECT);
    only the column list and the table name are written here."""
    at = at or timezone.now()
    rows = bookings.order_by().annotate(
        t_action=Value(action, output_field=CharField()),
        t_actor=Value(None, output_field=CharField()),
        t_at=Value(at),
        t_from=Value(from_status, output_field=CharField()),
        t_to=Value(to_status, output_field=CharField()),
        t_label=Concat(Value("Contremarque "), F("code"), output_field=CharField()),
        t_reason=Value("", output_field=CharField()),
        t_comment=Value("", output_field=CharField()),
        t_venue=F("venue_id"),
        t_offer=F("offer_id"),
        t_booking=F("id"),
    )
    names = [
        "t_action",
        "t_actor",
        "t_at",
        "t_from",
        "t_to",
        "t_label",
        "t_reason",
        "t_comment",
        "t_venue",
        "t_offer",
        "t_booking",
    ]
    select, params = rows.values(*names).query.sql_with_params()
    table = connection.ops.quote_name(Transition._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _BOOKING_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)


def offer_history(offer: Offer) -> QuerySet[Transition]:
    """The offer's own transitions and its sessions' (not each booking's), newest first."""
    return (
        Transition.objects.filter(offer=offer, booking__isnull=True)
        .select_related("actor")
        .order_by("-created_at", "-id")[:50]
    )


def booking_history(booking_id: int) -> QuerySet[Transition]:
    return (
        Transition.objects.filter(booking_id=booking_id)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
