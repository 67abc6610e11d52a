"""The guichet: look a code up, validate it, undo a validation (with a confirmation)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import member_required
from offers import history, policy, rules, selectors
from offers.models import CODE_LENGTH
from offers.services import bookings as services
from passlib import ratelimit
from passlib.refusal import Refusal, refusal_message

NOT_FOUND = "Contremarque introuvable : vérifiez le code, ou il ne concerne pas vos lieux."
BAD_FORMAT = "Une contremarque comporte 6 caractères (lettres et chiffres, sans 0, O, 1, I ni L)."


TOO_FAST = "Trop de recherches en une minute : patientez quelques secondes."


def _rate_limited(request: HttpRequest) -> bool:
    """Lookups and validations share one sliding window per member and per IP, counted
    in the shared cache (passlib/ratelimit.py, settings.RATE_LIMITS["guichet…"])."""
    return not ratelimit.hit_request(request, "guichet", f"user:{request.user.pk}")


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
    if _rate_limited(request):
        ctx["error"] = TOO_FAST
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
        opens = booking.validation_opens_at
        ctx["too_early"] = opens is not None and not rules.deadline_passed(opens, timezone.now())
    return _render(request, ctx)


def _too_fast(request: HttpRequest) -> HttpResponse | None:
    """The 429 page when the member is over the guichet limit, else None."""
    if not _rate_limited(request):
        return None
    code = services.normalize_code(request.POST.get("code", ""))
    return _render(request, {"raw": code, "error": TOO_FAST}, status=429)


def _posted_booking(request: HttpRequest):
    code = services.normalize_code(request.POST.get("code", ""))
    booking = (
        policy.booking_at_counter(request.user, code) if services.is_valid_code(code) else None
    )
    return code, booking


@member_required
@require_POST
def validate(request: HttpRequest) -> HttpResponse:
    if refused := _too_fast(request):
        return refused
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
    if refused := _too_fast(request):
        return refused
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
