"""Calendar files: "Ajouter à mon agenda" on a young person's booking, and each venue's
private iCal feed of its sessions (a revocable token URL a librarian subscribes to)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import beneficiary_required, member_required
from accounts.policy import venues_managed_by
from offers.calendar import FEED_PAST, booking_ics, venue_feed_ics
from offers.models import Session, VenueCalendar
from offers.policy import bookings_of_beneficiary
from offers.services import calendar as services
from passlib.middleware import private_page

FEED_MAX = 2000  # sessions in a feed: a year back and what is to come


def _ics(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@beneficiary_required
@require_GET
def booking_calendar(request: HttpRequest, public_id: UUID) -> HttpResponse:
    booking = get_object_or_404(
        bookings_of_beneficiary(request.user)
        .filter(session__isnull=False)
        .select_related("offer", "venue", "session"),
        public_id=public_id,
    )
    return _ics(booking_ics(booking), f"reservation-{booking.code}.ics")


@member_required
@require_http_methods(["GET", "POST"])
def venue_calendar(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The venue's feed URL, to create, renew or revoke."""
    venue = get_object_or_404(venues_managed_by(request.user), public_id=public_id)
    feed = VenueCalendar.objects.filter(venue=venue).first()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in ("create", "renew"):
            services.feed_renew(actor=request.user, venue=venue)
            messages.success(
                request,
                "Nouveau lien d'agenda créé : l'ancien ne fonctionne plus."
                if feed
                else "Lien d'agenda créé.",
            )
        elif action == "revoke" and services.feed_revoke(venue=venue):
            messages.success(request, "Lien d'agenda révoqué : il ne fonctionne plus.")
        else:
            messages.error(request, "Action inconnue.")
        return redirect("offers:venue_calendar", public_id=venue.public_id)
    url = (
        request.build_absolute_uri(reverse("offers:venue_feed", args=[feed.token])) if feed else ""
    )
    return render(request, "offers/venue_calendar.html", {"venue": venue, "feed": feed, "url": url})


@require_GET
@private_page
def venue_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself: no login (calendar apps do not log in), the token is the key."""
    feed = get_object_or_404(VenueCalendar.objects.select_related("venue"), token=token[:64])
    sessions = (
        Session.objects.filter(offer__venue=feed.venue, starts_at__gte=timezone.now() - FEED_PAST)
        .select_related("offer")
        .order_by("starts_at")[:FEED_MAX]
    )
    return _ics(venue_feed_ics(feed.venue, sessions), "seances.ics")
