"""The guichet: look a code up, validate it, undo a validation (with a confirmation)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import member_required
from offers import history, policy, selectors
from offers.models import CODE_LENGTH
from offers.services import bookings as services
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
    booking = selectors.counter_booking(request.user, code)
    if booking is None:
        ctx["error"] = NOT_FOUND
    else:
        ctx["booking"] = booking
        ctx["history"] = history.booking_history(booking.id)
    return _render(request, ctx)


def _posted_booking(request: HttpRequest):
    code = services.normalize_code(request.POST.get("code", ""))
    booking = (
        policy.booking_at_counter(request.user, code) if services.is_valid_code(code) else None
    )
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
                "booking": selectors.counter_booking(request.user, booking.code),
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
