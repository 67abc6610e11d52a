"""A venue's public page: who it is, when it is open, how to reach it, what it offers
young people now (its members write it: accounts/views/venue_page.py)."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts import selectors as account_selectors
from accounts.models import Status, Venue
from accounts.policy import can_manage_venue
from offers import selectors

UPCOMING_OFFERS = 30
EXCEPTION_DAYS = 60


@require_GET
def venue_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    venue = get_object_or_404(
        Venue.objects.select_related("collectivite").prefetch_related("opening_hours"),
        public_id=public_id,
        status=Status.VALIDATED,
        collectivite__status=Status.VALIDATED,
    )
    filters = selectors.CatalogFilters(venue_id=venue.pk, sort="date")
    rows = selectors.catalog_rows(selectors.catalog(filters)[:UPCOMING_OFFERS])
    if len(rows) < UPCOMING_OFFERS:
        # then its full offers, whose waiting list is still open
        full = selectors.catalog(filters, full=True)[: UPCOMING_OFFERS - len(rows)]
        rows += selectors.catalog_rows(full, full=True)
    ctx = {
        "venue": venue,
        "week": account_selectors.public_week(venue),
        "exceptions": account_selectors.upcoming_exceptions(venue, days=EXCEPTION_DAYS),
        "rows": rows,
        "can_manage": request.user.is_authenticated and can_manage_venue(request.user, venue),
    }
    return render(request, "offers/venue_page.html", ctx)
