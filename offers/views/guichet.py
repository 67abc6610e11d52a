"""The guichet: look a code up, validate it, undo a validation (with a confirmation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import member_required
from accounts.selectors import managed_venue_ids
from offers.models import CODE_LENGTH, Booking, BookingStatus, CancellationReason
from offers.services import bookings as services
from offers.templatetags.money import euros
from passlib.refusal import Refusal, refusal_message

NOT_FOUND = "Contremarque introuvable : vérifiez le code, ou il ne concerne pas vos lieux."
BAD_FORMAT = "Une contremarque comporte 6 caractères (lettres et chiffres, sans 0, O, 1, I ni L)."


def _rate_limited(user) -> bool:
    """At most GUICHET_LOOKUPS_PER_MINUTE lookups per member and minute (shared cache)."""
    key = f"guichet:{user.pk}:{timezone.now():%Y%m%d%H%M}"
    cache.add(key, 0, timeout=90)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=90)
        count = 1
    return count > settings.GUICHET_LOOKUPS_PER_MINUTE


def _find(user, code: str) -> Booking | None:
    """The booking of that code if it belongs to one of the member's venues.

    Looked up by its unique code, then checked against the member's venues: any other
    code answers "introuvable", whether it exists elsewhere or not.
    """
    booking = (
        Booking.objects.select_related("offer", "venue", "session", "beneficiary", "validated_by")
        .filter(code=code)
        .first()
    )
    if booking is None or booking.venue_id not in managed_venue_ids(user):
        return None
    return booking


@dataclass(frozen=True)
class CounterBooking:
    """What the guichet shows of a booking, read in one plain SQL statement."""

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

    @property
    def status_label(self) -> str:
        if self.status == BookingStatus.VALIDATED and self.validated_auto:
            return "Validée automatiquement"
        return BookingStatus(self.status).label

    @property
    def price(self) -> str:
        return euros(self.price_cents) if self.price_cents else "Gratuit"

    @property
    def cancellation_label(self) -> str:
        return dict(CancellationReason.choices).get(self.cancellation_reason, "")


# The counter is the hot path (a queue waits): one statement instead of the ORM's
# five-model select_related, whose compilation cost more than the query.
_COUNTER_SQL = """
    SELECT b.code, b.status, b.validated_auto, b.price_cents, b.validated_at, b.cancelled_at,
           b.cancellation_reason, b.venue_id, COALESCE(NULLIF(v.public_name, ''), v.name),
           v.time_zone, o.title, s.starts_at, u.first_name, u.last_name,
           vu.first_name, vu.last_name
    FROM offers_booking b
    JOIN accounts_venue v ON v.id = b.venue_id
    JOIN offers_offer o ON o.id = b.offer_id
    JOIN accounts_user u ON u.id = b.beneficiary_id
    LEFT JOIN offers_session s ON s.id = b.session_id
    LEFT JOIN accounts_user vu ON vu.id = b.validated_by_id
    WHERE b.code = %(code)s
"""


def _aware(value):
    """Raw cursors give datetimes (PostgreSQL) or ISO strings (SQLite)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def counter_lookup(user, code: str) -> CounterBooking | None:
    """The booking of that code if it belongs to one of the member's venues, else None."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNTER_SQL, {"code": code})
        row = cursor.fetchone()
    if row is None or row[7] not in managed_venue_ids(user):
        return None
    (
        code,
        status,
        auto,
        price,
        validated_at,
        cancelled_at,
        reason,
        venue_id,
        venue_name,
        tz,
        title,
        starts_at,
        first,
        last,
        v_first,
        v_last,
    ) = row
    return CounterBooking(
        code=code,
        status=status,
        validated_auto=bool(auto),
        price_cents=price,
        validated_at=_aware(validated_at),
        cancelled_at=_aware(cancelled_at),
        cancellation_reason=reason,
        venue_id=venue_id,
        venue_name=venue_name,
        time_zone=tz,
        offer_title=title,
        starts_at=_aware(starts_at),
        beneficiary_name=f"{first} {last}",
        validated_by_name=f"{v_first or ''} {v_last or ''}".strip(),
    )


def _render(request: HttpRequest, ctx: dict, status: int = 200) -> HttpResponse:
    ctx.setdefault("code_length", CODE_LENGTH)
    template = "offers/guichet.html#result" if request.htmx else "offers/guichet.html"
    booking = ctx.get("booking")
    if booking is not None:
        with timezone.override(ZoneInfo(booking.time_zone)):
            return render(request, template, ctx, status=status)
    return render(request, template, ctx, status=status)


def _back_to(code: str) -> HttpResponse:
    return redirect(f"{reverse('offers:guichet')}?{urlencode({'code': code})}")


@member_required
@require_GET
def guichet(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("code", "")
    ctx: dict = {"raw": raw}
    if not raw.strip():
        return _render(request, ctx)
    if _rate_limited(request.user):
        ctx["error"] = "Trop de recherches en une minute : patientez quelques secondes."
        return _render(request, ctx, status=429)
    code = services.normalize_code(raw)
    ctx["code"] = code
    if not services.is_valid_code(code):
        ctx["error"] = BAD_FORMAT
        return _render(request, ctx)
    booking = counter_lookup(request.user, code)
    if booking is None:
        ctx["error"] = NOT_FOUND
    else:
        ctx["booking"] = booking
    return _render(request, ctx)


def _posted_booking(request: HttpRequest):
    code = services.normalize_code(request.POST.get("code", ""))
    booking = _find(request.user, code) if services.is_valid_code(code) else None
    return code, booking


@member_required
@require_POST
def validate(request: HttpRequest) -> HttpResponse:
    code, booking = _posted_booking(request)
    if booking is None:
        return _render(request, {"raw": code, "error": NOT_FOUND}, status=404)
    try:
        services.booking_validate(actor=request.user, booking=booking)
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, f"Contremarque {booking.code} validée.")
    return _back_to(booking.code)


@member_required
@require_POST
def unvalidate(request: HttpRequest) -> HttpResponse:
    """First POST asks for a confirmation; the second (confirm=1) undoes the validation."""
    code, booking = _posted_booking(request)
    if booking is None:
        return _render(request, {"raw": code, "error": NOT_FOUND}, status=404)
    if request.POST.get("confirm") != "1":
        return _render(
            request,
            {
                "raw": code,
                "code": code,
                "booking": counter_lookup(request.user, booking.code),
                "confirm_unvalidate": True,
            },
        )
    try:
        services.booking_unvalidate(actor=request.user, booking=booking)
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, f"Validation de la contremarque {booking.code} annulée.")
    return _back_to(booking.code)
