"""A venue's members manage its public page (the page itself is in
offers/views/venue_page.py: it lists the venue's offers): texts, contact, hours and
their exceptions, picture. Another person gets 404 (the venue is not among theirs)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts import hours, selectors
from accounts.decorators import member_required
from accounts.forms import HoursExceptionForm, VenuePageForm
from accounts.models import Venue
from accounts.policy import venues_managed_by
from accounts.services import venue_page as services
from passlib.forms import ID_MAX
from passlib.refusal import Refusal, refusal_message
from passlib.views import image_page


def _managed(request: HttpRequest, public_id: UUID) -> Venue:
    return get_object_or_404(
        venues_managed_by(request.user).select_related("collectivite"), public_id=public_id
    )


def _initial(venue: Venue) -> dict:
    initial = {
        name: getattr(venue, name) for name in VenuePageForm.base_fields if hasattr(venue, name)
    }
    for day, intervals in selectors.week_hours(venue).items():
        initial[f"hours_{day}"] = hours.typed(intervals)
    return initial


@member_required
@require_http_methods(["GET", "POST"])
def venue_page_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    venue = _managed(request, public_id)
    if request.method == "POST":
        form = VenuePageForm(request.POST)
        exception_form = HoursExceptionForm()
        if form.is_valid():
            services.venue_page_update(
                actor=request.user, venue=venue, data=form.to_data(), week=form.cleaned_data["week"]
            )
            messages.success(request, "Page du lieu enregistrée.")
            return redirect("accounts:venue_page_edit", public_id=venue.public_id)
        status = 400
    else:
        form = VenuePageForm(initial=_initial(venue))
        exception_form = HoursExceptionForm()
        status = 200
    return _render(request, venue, form, exception_form, status)


def _render(request, venue, form, exception_form, status):
    ctx = {
        "venue": venue,
        "form": form,
        "exception_form": exception_form,
        "exceptions": selectors.upcoming_exceptions(venue),
    }
    return render(request, "accounts/venue_page_form.html", ctx, status=status)


@member_required
@require_POST
def hours_exception_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    venue = _managed(request, public_id)
    exception_form = HoursExceptionForm(request.POST)
    if exception_form.is_valid():
        d = exception_form.cleaned_data
        try:
            services.hours_exception_add(
                actor=request.user, venue=venue, day=d["day"], label=d["label"], interval=d["hours"]
            )
        except Refusal as exc:
            exception_form.add_error("day", exc.message)
        else:
            messages.success(request, "Exception aux horaires ajoutée.")
            return redirect("accounts:venue_page_edit", public_id=venue.public_id)
    form = VenuePageForm(initial=_initial(venue))
    return _render(request, venue, form, exception_form, 400)


@member_required
@require_POST
def hours_exception_delete(
    request: HttpRequest, public_id: UUID, exception_id: int
) -> HttpResponse:
    venue = _managed(request, public_id)
    if exception_id > ID_MAX:
        raise Http404
    try:
        services.hours_exception_delete(actor=request.user, venue=venue, exception_id=exception_id)
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, "Exception aux horaires supprimée.")
    return redirect("accounts:venue_page_edit", public_id=venue.public_id)


@member_required
@require_http_methods(["GET", "POST"])
def venue_image(request: HttpRequest, public_id: UUID) -> HttpResponse:
    venue = _managed(request, public_id)

    def save(**values):
        services.venue_image_save(actor=request.user, venue=venue, **values)

    return image_page(
        request,
        venue,
        save=save,
        back_url=reverse("accounts:venue_page_edit", args=[venue.public_id]),
        back_label="la page du lieu",
        delete_url=reverse("accounts:venue_image_delete", args=[venue.public_id]),
    )


@member_required
@require_POST
def venue_image_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    venue = _managed(request, public_id)
    try:
        services.venue_image_delete(actor=request.user, venue=venue)
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, "Image supprimée.")
    return redirect("accounts:venue_page_edit", public_id=venue.public_id)
