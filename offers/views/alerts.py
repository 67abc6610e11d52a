"""« Me prévenir », on the young people's page of an offer whose bookings open later: ask
to be told at the opening, or no longer (offers/services/alerts.py)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.decorators import beneficiary_required
from offers.services import alerts as services
from offers.views.beneficiary import _open_offer
from passlib.formats import datetime_fr
from passlib.refusal import Refusal, refusal_message


@beneficiary_required
@require_POST
def alert_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    offer = _open_offer(public_id)
    try:
        created = services.opening_alert_add(user=request.user, offer=offer)
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        opens = datetime_fr(offer.booking_opens_at, tz=offer.venue.time_zone)
        messages.success(
            request,
            ("C'est noté" if created else "C'est déjà noté")
            + f" : on t'écrira à l'ouverture des réservations, le {opens} (heure du lieu).",
        )
    return redirect("offers:catalog_offer", public_id=offer.public_id)


@beneficiary_required
@require_POST
def alert_remove(request: HttpRequest, public_id: UUID) -> HttpResponse:
    offer = _open_offer(public_id)
    services.opening_alert_remove(user=request.user, offer=offer)
    messages.success(request, "C'est noté : on ne t'écrira pas à l'ouverture des réservations.")
    return redirect("offers:catalog_offer", public_id=offer.public_id)
