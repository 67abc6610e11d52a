"""Reads of bookings for the pro side: the list and its counts, the guichet's lookup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import CharField, Count, DateTimeField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import User
from accounts.policy import managed_venue_ids
from offers import rules
from offers.models import Booking, BookingStatus, CancellationReason
from offers.policy import bookings_managed_by
from offers.templatetags.money import euros
from passlib.counts import cached_counts
from passlib.formats import datetime_fr
from passlib.links import uuid_url
from passlib.sql import aware

AUTO_LABEL = "Validée automatiquement"


def status_label(status: str, validated_auto: bool) -> str:
    """A booking's status as lists, exports and the guichet show it."""
    if status == BookingStatus.VALIDATED and validated_auto:
        return AUTO_LABEL
    return BookingStatus(status).label


@dataclass(frozen=True)
class BookingFilters:
    venue: int | None = None  # a venue id
    offer: str = ""  # words of the offer's title
    status: str = ""
    booked_from: date | None = None
    booked_to: date | None = None
    event_from: date | None = None
    event_to: date | None = None
    q: str = ""


def _day_start(day: date) -> datetime:
    """Midnight starting `day` in the current time zone, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _bookings_filtered(user: User, f: BookingFilters) -> QuerySet[Booking]:
    qs = bookings_managed_by(user)
    if f.venue is not None:
        qs = qs.filter(venue_id=f.venue)
    if f.offer:
        qs = qs.filter(offer__title__icontains=f.offer)
    # Dates are days of the current time zone, compared as instants (from that day's
    # midnight, until the next day's): `booked_at__date` would wrap the column in a
    # cast that no index can serve.
    if f.booked_from:
        qs = qs.filter(booked_at__gte=_day_start(f.booked_from))
    if f.booked_to:
        qs = qs.filter(booked_at__lt=_day_start(f.booked_to + timedelta(days=1)))
    if f.event_from:
        qs = qs.filter(session__starts_at__gte=_day_start(f.event_from))
    if f.event_to:
        qs = qs.filter(session__starts_at__lt=_day_start(f.event_to + timedelta(days=1)))
    if f.q:
        term = f.q.strip()
        qs = qs.filter(
            Q(code=term.upper())
            | Q(beneficiary__last_name__icontains=term)
            | Q(beneficiary__first_name__icontains=term)
        )
    return qs


def booking_list(user: User, f: BookingFilters) -> QuerySet[Booking]:
    qs = _bookings_filtered(user, f)
    if f.status:
        qs = qs.filter(status=f.status)
    return qs.select_related("offer", "venue", "session", "beneficiary", "validated_by").order_by(
        "-booked_at", "-id"
    )


def booking_counts(user: User, f: BookingFilters) -> dict[str, int]:
    """Bookings per status for the filters (status aside), in one grouped query, kept in
    the shared cache (passlib/counts.py). The list's total comes from these counts, so
    the table is never counted twice."""

    def compute() -> dict[str, int]:
        counts = dict.fromkeys(BookingStatus.values, 0)
        rows = _bookings_filtered(user, f).order_by().values("status").annotate(n=Count("pk"))
        for row in rows:
            counts[row["status"]] = row["n"]
        return counts

    return cached_counts(
        (
            "bookings",
            managed_venue_ids(user),
            f.venue,
            f.offer,
            f.booked_from,
            f.booked_to,
            f.event_from,
            f.event_to,
            f.q,
        ),
        compute,
    )


# --- rows of the list ---------------------------------------------------------------------
# The other tables a bookings row shows are read by scalar sub-selects rather than joins:
# the page query then has one table in its FROM, which PostgreSQL plans in 0.2 ms where
# the five-table join took 1.6 ms (more than running it), and each sub-select is one
# primary-key probe for each of the 25 rows. The ORM cannot write a scalar sub-select
# without a join to the outer table; they refer to the outer "offers_booking" row: for
# a top-level query of bookings only.
_BOOKING_ROW_SQL = {
    "offer_title": "SELECT o.title FROM offers_offer o WHERE o.id = offers_booking.offer_id",
    "event_at": "SELECT s.starts_at FROM offers_session s WHERE s.id = offers_booking.session_id",
    "beneficiary_name": "SELECT u.first_name || ' ' || u.last_name FROM accounts_user u "
    "WHERE u.id = offers_booking.beneficiary_id",
    "validator_name": "SELECT u.first_name || ' ' || u.last_name FROM accounts_user u "
    "WHERE u.id = offers_booking.validated_by_id",
}
_BOOKING_ROW_FIELDS = (
    "public_id",
    "code",
    "status",
    "validated_auto",
    "price_cents",
    "booked_at",
    "venue_id",
    *_BOOKING_ROW_SQL,
)
_BOOKING_ROW_COLUMNS = {
    name: RawSQL(  # noqa: S611 - constant SQL, no parameter
        f"({sql})", (), output_field=DateTimeField() if name == "event_at" else CharField()
    )
    for name, sql in _BOOKING_ROW_SQL.items()
}


def _local(value: datetime | None, tz_name: str) -> str:
    return datetime_fr(value, tz=tz_name) if value else ""


def booking_rows(queryset: QuerySet[Booking], venues: dict[int, tuple[str, str]]) -> list[dict]:
    """Display-ready rows of a page of bookings (one query). `venues`: the name and time
    zone of each venue (`managed_venue_labels`, read with the person's roles)."""
    rows = []
    for r in queryset.annotate(**_BOOKING_ROW_COLUMNS).values(*_BOOKING_ROW_FIELDS):
        venue, tz = venues[r["venue_id"]]
        validated_by_person = r["status"] == BookingStatus.VALIDATED and not r["validated_auto"]
        texts = {
            "public_id": r["public_id"],
            "cancel_url": uuid_url("offers:booking_cancel_by_venue", r["public_id"]),
            "code": r["code"],
            "beneficiary": r["beneficiary_name"],
            "offer": r["offer_title"],
            "venue": venue,
            "event": _local(r["event_at"], tz) or "—",
            "booked": _local(r["booked_at"], tz),
            "price": euros(r["price_cents"]) if r["price_cents"] else "Gratuit",
            "status": status_label(r["status"], r["validated_auto"]),
            "validated_by": (r["validator_name"] or "").strip() if validated_by_person else "",
        }
        row = texts
        row["cancellable"] = r["status"] == BookingStatus.CONFIRMED
        rows.append(row)
    return rows


# --- the guichet ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CounterBooking:
    """What the guichet shows of a booking."""

    id: int
    code: str
    status: str
    validated_auto: bool
    price_cents: int
    validated_at: datetime | None
    cancelled_at: datetime | None
    cancellation_reason: str
    venue_id: int
    venue_name: str
    time_zone: str
    offer_title: str
    starts_at: datetime | None
    beneficiary_name: str
    validated_by_name: str
    booked_at: datetime | None = None
    moved_at: datetime | None = None

    @property
    def status_label(self) -> str:
        return status_label(self.status, self.validated_auto)

    @property
    def validation_opens_at(self) -> datetime | None:
        """When the guichet may validate it (offers/rules.py), None: at once."""
        return rules.validation_opens_at(self.booked_at, self.starts_at, self.moved_at)

    @property
    def price(self) -> str:
        return euros(self.price_cents) if self.price_cents else "Gratuit"

    @property
    def cancellation_label(self) -> str:
        return dict(CancellationReason.choices).get(self.cancellation_reason, "")


# The counter is the hot path (a queue waits): one plain statement, because compiling
# the ORM's five-model select_related cost more than running the query.
_COUNTER_SQL = """
    SELECT b.id, b.code, b.status, b.validated_auto, b.price_cents, b.validated_at,
           b.cancelled_at, b.cancellation_reason, b.venue_id,
           COALESCE(NULLIF(v.public_name, ''), v.name), v.time_zone, o.title, s.starts_at,
           u.first_name, u.last_name, vu.first_name, vu.last_name, b.booked_at, s.moved_at
    FROM offers_booking b
    JOIN accounts_venue v ON v.id = b.venue_id
    JOIN offers_offer o ON o.id = b.offer_id
    JOIN accounts_user u ON u.id = b.beneficiary_id
    LEFT JOIN offers_session s ON s.id = b.session_id
    LEFT JOIN accounts_user vu ON vu.id = b.validated_by_id
    WHERE b.code = %(code)s
"""


def counter_booking(user: User, code: str) -> CounterBooking | None:
    """The booking of that code if one of the person's venues has it (the scope of
    `offers.policy.booking_at_counter`), else None."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNTER_SQL, {"code": code})
        row = cursor.fetchone()
    if row is None or row[8] not in managed_venue_ids(user):
        return None
    (pk, code, status, auto, price, validated_at, cancelled_at, reason, venue_id, venue_name) = row[
        :10
    ]
    tz, title, starts_at, first, last, v_first, v_last, booked_at, moved_at = row[10:]
    return CounterBooking(
        id=pk,
        code=code,
        status=status,
        validated_auto=bool(auto),
        price_cents=price,
        validated_at=aware(validated_at),
        cancelled_at=aware(cancelled_at),
        cancellation_reason=reason,
        venue_id=venue_id,
        venue_name=venue_name,
        time_zone=tz,
        offer_title=title,
        starts_at=aware(starts_at),
        beneficiary_name=f"{first} {last}",
        validated_by_name=f"{v_first or ''} {v_last or ''}".strip(),
        booked_at=aware(booked_at),
        moved_at=aware(moved_at),
    )
