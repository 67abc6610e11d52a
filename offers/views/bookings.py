"""The pro bookings list (per venue, or all the collectivité's), exports, venue cancel."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import member_required
from accounts.policy import managed_venue_labels, venue_choices
from offers import exports, policy, selectors
from offers.forms import BookingFilterForm, CancellationForm
from offers.models import BookingStatus, ExportLog
from offers.services import bookings as services
from passlib.pagination import counted_page
from passlib.refusal import Refusal, refusal_message

PAGE_SIZE = 25


def _filters(request: HttpRequest) -> tuple[BookingFilterForm, selectors.BookingFilters]:
    """The filter form and its filters (the empty ones when the input is invalid: the
    form shows why)."""
    form = BookingFilterForm(request.GET or None, venue_choices=venue_choices(request.user))
    return form, form.to_filters()


@member_required
@require_GET
def booking_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    counts = selectors.booking_counts(request.user, filters)
    page = counted_page(
        request, selectors.booking_list(request.user, filters), counts, filters.status, PAGE_SIZE
    )
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "rows": selectors.booking_rows(page.object_list, managed_venue_labels(request.user)),
        "query": query.urlencode(),
        "counts": [(BookingStatus(k).label, n) for k, n in counts.items()],
        # Django's CSRF input (as its Jinja2 backend gives it), rendered once for the
        # page's cancel forms instead of once per row, and only if a row has one.
        "csrf_input": SimpleLazyObject(lambda: csrf_input(request)),
    }
    template = "offers/bookings.html#table" if request.htmx else "offers/bookings.html"
    return render(request, template, ctx)


@member_required
@require_GET
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form, filters = _filters(request)
    if form.is_bound and not form.is_valid():
        # Never the whole list in place of a filtered one the person asked for.
        raise Refusal(
            "Les filtres de l'export sont invalides : corrigez-les sur la liste des réservations.",
            code="invalid_filters",
        )
    queryset = selectors.booking_list(request.user, filters)
    ExportLog.objects.create(
        actor=request.user, kind="reservations", fmt=fmt, filters=request.GET.urlencode()[:1000]
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        return exports.xlsx_response(queryset, f"reservations-{stamp}.xlsx")
    return exports.csv_response(queryset, f"reservations-{stamp}.csv")


@member_required
@require_POST
def cancel_by_venue(request: HttpRequest, public_id: UUID) -> HttpResponse:
    booking = get_object_or_404(
        policy.bookings_managed_by(request.user).select_related("beneficiary", "offer"),
        public_id=public_id,
    )
    reason = CancellationForm(request.POST)
    if not reason.is_valid():
        messages.error(request, reason.error_text())
        return redirect("offers:bookings")
    try:
        services.booking_cancel_by_venue(
            actor=request.user, booking=booking, comment=reason.cleaned_data["comment"]
        )
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, f"Réservation {booking.code} annulée ; le jeune est prévenu.")
    return redirect("offers:bookings")
