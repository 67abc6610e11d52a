"""The waiting list, on the young person's side: join from the offer page, see one's
place in line, confirm a held place from the e-mailed link, leave in one click. The venue
sees each session's list on its participants page (offers/views/sessions.py)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import beneficiary_required
from offers import policy, rules, selectors
from offers.models import WaitlistStatus
from offers.services import waitlist as services
from offers.views.beneficiary import posted_choice
from offers.views.offers import venue_time
from passlib.refusal import Refusal, refusal_message


@beneficiary_required
@require_POST
def join(request: HttpRequest, public_id: UUID) -> HttpResponse:
    try:
        offer, session = posted_choice(request, public_id)
        services.waitlist_join(user=request.user, offer=offer, session=session)
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(
            request,
            # The page says the position (offers/beneficiary/_waitlist_status.html).
            "C'est noté : si une place se libère, on te l'écrit et tu auras un délai pour "
            "la confirmer.",
        )
    return redirect("offers:catalog_offer", public_id=public_id)


def _entry(request: HttpRequest, public_id: UUID):
    return get_object_or_404(selectors.waitlist_of(request.user), public_id=public_id)


@beneficiary_required
@require_GET
def entry_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    entry = _entry(request, public_id)
    ctx = {"entry": entry, "offer": entry.offer}
    if entry.status == WaitlistStatus.OFFERED:
        # Confirming books: told before the click, as on the offer page.
        now = timezone.now()
        ctx["refusal"] = policy.booking_refusal(request.user, entry.offer, timezone.localdate(now))
        if entry.session is not None:
            ctx["cancel_before"], ctx["no_cancel"] = rules.cancellation_if_booked(
                entry.session.starts_at, now
            )
    with venue_time(entry.offer):
        return render(request, "offers/beneficiary/waitlist_entry.html", ctx)


@beneficiary_required
@require_POST
def confirm(request: HttpRequest, public_id: UUID) -> HttpResponse:
    entry = _entry(request, public_id)
    try:
        booking = services.waitlist_confirm(user=request.user, entry=entry)
    except Refusal as exc:
        refusal_message(request, exc)
        return redirect("offers:waitlist_entry", public_id=entry.public_id)
    messages.success(request, f"Réservation confirmée. Ta contremarque : {booking.code}.")
    return redirect("offers:my_bookings")


@beneficiary_required
@require_POST
def leave(request: HttpRequest, public_id: UUID) -> HttpResponse:
    entry = _entry(request, public_id)
    try:
        services.waitlist_leave(user=request.user, entry=entry)
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, "Tu as quitté la liste d'attente.")
    return redirect("offers:my_bookings")
