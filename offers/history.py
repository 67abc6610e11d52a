"""Writing and reading the action history of offers and bookings (offers.Transition).

Services call `record` for each transition they make, in the same transaction; the
set-based commands call `record_bookings`, which writes one row per booking with one
INSERT … SELECT (300,000 rows must not cost 300,000 round trips).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from django.db import connection
from django.db.models import CharField, F, IntegerField, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone

from accounts.models import User
from offers.models import Action, Booking, CancellationReason, Offer, Transition
from offers.models.collective import CollectiveCancellationReason
from offers.models.history import STATUS_LABELS
from passlib.sql import CompiledQuery, aware, fetch_dicts


def record_offer(offer, action: Action, actor, *, from_status="", to_status="", **kw):
    """A transition about an offer (or one of its sessions), labelled by its title."""
    return record(
        action=action,
        actor=actor,
        venue_id=offer.venue_id,
        label=kw.pop("label", offer.title),
        from_status=from_status,
        to_status=to_status,
        offer=offer,
        **kw,
    )


def record(**arguments) -> Transition:
    """One transition (`_transition`'s arguments): `targets` names what it is about
    (offer=, booking=, …)."""
    return Transition.objects.create(**_transition(**arguments))


def record_many(rows: list[dict]) -> None:
    """Several transitions in one INSERT; each row holds `record`'s arguments (a move
    of a series writes a row per session and per booking confirmed again)."""
    Transition.objects.bulk_create([Transition(**_transition(**row)) for row in rows])


def _transition(
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
) -> dict:
    return dict(
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


def record_collective_booking(
    booking, *, action: Action, actor: User | None, from_status: str, to_status: str, **kw
) -> Transition:
    """A transition of a collective booking, labelled by its offer's title."""
    return record(
        action=action,
        actor=actor,
        venue_id=booking.venue_id,
        label=f"Réservation collective — {booking.offer.title}",
        from_status=from_status,
        to_status=to_status,
        collective_offer_id=booking.offer_id,
        collective_booking=booking,
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
    bookings: QuerySet[Booking],
    *,
    action: Action,
    from_status: str,
    to_status: str,
    at=None,
    actor: User | None = None,
    reason: str = "",
    comment: str = "",
) -> None:
    """One row per booking of the queryset, in one INSERT … SELECT: by the system, or by
    `actor` (a venue cancelling a whole session, offers/services/cancellations.py).

    The SELECT is the ORM's own SQL for the queryset (Django has no INSERT … SELECT);
    only the column list and the table name are written here."""
    at = at or timezone.now()
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    rows = bookings.order_by().annotate(
        t_action=Value(action, output_field=CharField()),
        t_actor=Value(actor_id, output_field=IntegerField()),
        t_at=Value(at),
        t_from=Value(from_status, output_field=CharField()),
        t_to=Value(to_status, output_field=CharField()),
        t_label=Concat(Value("Contremarque "), F("code"), output_field=CharField()),
        t_reason=Value(reason, output_field=CharField()),
        t_comment=Value(comment[:500], output_field=CharField()),
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


# Every reason a transition may carry: individual and collective cancellations.
REASON_LABELS = {**dict(CollectiveCancellationReason.choices), **dict(CancellationReason.choices)}


@dataclass(frozen=True)
class TransitionRow:
    """A transition as the history shows it (read without model instances)."""

    action: str
    created_at: datetime
    from_status: str
    to_status: str
    label: str
    reason: str
    comment: str
    actor_id: int | None
    actor_first_name: str | None
    actor_last_name: str | None

    @property
    def action_label(self) -> str:
        return Action(self.action).label

    @property
    def from_label(self) -> str:
        return STATUS_LABELS.get(self.from_status, self.from_status).lower()

    @property
    def to_label(self) -> str:
        return STATUS_LABELS.get(self.to_status, self.to_status).lower()

    @property
    def reason_label(self) -> str:
        """The reason in words (« Annulée par le jeune »), never its stored code; a code
        no choice knows any more is not shown."""
        return REASON_LABELS.get(self.reason, "")

    @property
    def actor_label(self) -> str:
        """The young person's own actions say "le jeune" (their name is on the booking
        already), the system's say so."""
        if self.action == Action.BOOKED or (
            self.action == Action.CANCELLED and self.reason == CancellationReason.BENEFICIARY
        ):
            return "le jeune"
        if self.actor_id is None:
            return "le système (automatique)"
        return f"{self.actor_first_name or ''} {self.actor_last_name or ''}".strip()


_ROW_FIELDS = [f.name for f in fields(TransitionRow)]


def _rows_of(qs: QuerySet[Transition]) -> QuerySet:
    return (
        qs.annotate(actor_first_name=F("actor__first_name"), actor_last_name=F("actor__last_name"))
        .order_by("-created_at", "-id")
        .values(*_ROW_FIELDS)
    )


# Compiled once (passlib/sql.py): the guichet shows a booking's history on every lookup.
_BOOKING_HISTORY = CompiledQuery(
    lambda booking_id: _rows_of(Transition.objects.filter(booking_id=booking_id)),
    {"booking_id": "int"},
)
_OFFER_HISTORY = CompiledQuery(
    lambda offer_id: _rows_of(Transition.objects.filter(offer_id=offer_id, booking__isnull=True))[
        :50
    ],
    {"offer_id": "int"},
)
_COLLECTIVE_HISTORY = CompiledQuery(
    lambda offer_id: _rows_of(Transition.objects.filter(collective_offer_id=offer_id)),
    {"offer_id": "int"},
)


def _rows(compiled: CompiledQuery, **values) -> list[TransitionRow]:
    return [
        TransitionRow(**{**row, "created_at": aware(row["created_at"])})
        for row in fetch_dicts(compiled, **values)
    ]


def booking_history(booking_id: int) -> list[TransitionRow]:
    return _rows(_BOOKING_HISTORY, booking_id=booking_id)


def offer_history(offer: Offer) -> list[TransitionRow]:
    """The offer's own transitions and its sessions' (not each booking's), newest first."""
    return _rows(_OFFER_HISTORY, offer_id=offer.pk)


def collective_offer_history(offer_id: int) -> list[TransitionRow]:
    return _rows(_COLLECTIVE_HISTORY, offer_id=offer_id)
