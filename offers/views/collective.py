"""The pro side of collective offers: showcases, bookable offers, their bookings."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import member_required
from accounts.policy import venues_managed_by
from offers import exports, history, policy, rules, selectors
from offers.collective_reference import unpack
from offers.forms import BookableForm, CancellationForm, CollectiveFilterForm, CollectiveForm
from offers.models import (
    CollectiveBookingStatus,
    CollectiveOffer,
    CollectiveRequest,
    CollectiveShowcase,
    ExportLog,
)
from offers.services import collective as services
from offers.services import collective_bookings as booking_services
from passlib import params
from passlib.refusal import Refusal, refusal_message
from passlib.views import image_page

PAGE_SIZE = 20
KINDS = {"vitrines": CollectiveShowcase, "offres": CollectiveOffer}


def _venues(request: HttpRequest):
    return venues_managed_by(request.user).order_by("name")


def _managed(request: HttpRequest, kind: str, public_id: UUID):
    if kind == "vitrines":
        qs = policy.showcases_managed_by(request.user)
    elif kind == "offres":
        qs = policy.collective_offers_managed_by(request.user)
    else:
        raise Http404
    return get_object_or_404(qs.select_related("venue__collectivite"), public_id=public_id)


@member_required
@require_GET
def collective_list(request: HttpRequest) -> HttpResponse:
    venues = _venues(request)
    form = CollectiveFilterForm(request.GET or None, venues=venues)
    f = form.to_filters()
    ctx = {
        "form": form,
        "showcases": Paginator(selectors.pro_showcases(request.user, f), PAGE_SIZE).get_page(
            params.page_number(request.GET.get("page_v"))
        ),
        "offers": Paginator(selectors.pro_collective_offers(request.user, f), PAGE_SIZE).get_page(
            params.page_number(request.GET.get("page"))
        ),
        "labels": selectors.COLLECTIVE_DISPLAY_LABELS,
        "can_create": venues.exists(),
    }
    template = (
        "offers/collective/list.html#tables" if request.htmx else "offers/collective/list.html"
    )
    return render(request, template, ctx)


def _initial_from(obj) -> dict:
    initial = {
        "venue": obj.venue_id,
        "subcategory": obj.subcategory_id,
        "title": obj.title,
        "description": obj.description,
        "school_levels": unpack(obj.school_levels),
        "domains": unpack(obj.domains),
        "intervention_area": unpack(obj.intervention_area),
        "location_type": obj.location_type,
        "location_address": obj.location_address,
        "location_comment": obj.location_comment,
        "contact_email": obj.contact_email,
        "contact_phone": obj.contact_phone,
        "accessibility_audio": obj.accessibility_audio,
        "accessibility_mental": obj.accessibility_mental,
        "accessibility_motor": obj.accessibility_motor,
        "accessibility_visual": obj.accessibility_visual,
    }
    if isinstance(obj, CollectiveOffer):
        initial.update(
            starts_at=timezone.localtime(obj.starts_at),
            ends_at=timezone.localtime(obj.ends_at),
            booking_limit_at=timezone.localtime(obj.booking_limit_at),
            price=obj.price_cents / 100,
            price_details=obj.price_details,
            students=obj.students,
            school_uai=obj.school.uai if obj.school else "",
        )
    return initial


def _venue_defaults(venues) -> dict:
    venue = venues.first() if venues.count() == 1 else None
    if venue is None:
        return {"location_type": "venue"}
    return {
        "venue": venue.pk,
        "intervention_area": [venue.departement],
        "contact_email": venue.booking_email,
        "location_type": "venue",
        "accessibility_motor": venue.accessibility_motor,
    }


def _save(request, form, kind, obj=None, showcase=None, request_obj=None):
    """Call the right service; returns the saved object, or None with errors on the form."""
    try:
        if kind == "vitrines":
            if obj is None:
                return services.showcase_create(actor=request.user, data=form.common_data())
            return services.showcase_update(
                actor=request.user, showcase=obj, data=form.common_data()
            )
        if obj is None:
            return services.collective_offer_create(
                actor=request.user,
                data=form.common_data(),
                bookable=form.bookable_data(),
                showcase=showcase,
                request=request_obj,
            )
        return services.collective_offer_update(
            actor=request.user, offer=obj, data=form.common_data(), bookable=form.bookable_data()
        )
    except ValidationError as exc:
        form.add_error(None, exc)
    except Refusal as exc:
        form.add_error(None, exc.message)
    return None


@member_required
@require_http_methods(["GET", "POST"])
def collective_create(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    venues = _venues(request)
    form_class = CollectiveForm if kind == "vitrines" else BookableForm
    showcase = request_obj = None
    initial = _venue_defaults(venues)
    if kind == "offres":
        showcases = policy.showcases_managed_by(request.user)
        if demande := params.uuid_or_404(request.GET.get("demande")):
            request_obj = get_object_or_404(
                CollectiveRequest.objects.select_related("showcase", "school"),
                showcase__in=showcases,
                public_id=demande,
            )
            showcase = request_obj.showcase
        elif vitrine := params.uuid_or_404(request.GET.get("vitrine")):
            showcase = get_object_or_404(showcases, public_id=vitrine)
        if showcase is not None:
            initial = _initial_from(showcase)
        if request_obj is not None:
            initial.update(students=request_obj.students, school_uai=request_obj.school.uai)
    form = form_class(request.POST or None, venues=venues, initial=initial)
    if request.method == "POST" and form.is_valid():
        obj = _save(request, form, kind, showcase=showcase, request_obj=request_obj)
        if obj is not None:
            messages.success(
                request,
                f"« {obj.title} » enregistrée en brouillon. "
                "Publiez-la pour la rendre visible des enseignants.",
            )
            return redirect("offers:collective_detail", kind=kind, public_id=obj.public_id)
    ctx = {
        "form": form,
        "kind": kind,
        "obj": None,
        "showcase": showcase,
        "request_obj": request_obj,
        "has_venues": venues.exists(),
    }
    return render(
        request, "offers/collective/form.html", ctx, status=400 if request.method == "POST" else 200
    )


@member_required
@require_http_methods(["GET", "POST"])
def collective_edit(request: HttpRequest, kind: str, public_id: UUID) -> HttpResponse:
    obj = _managed(request, kind, public_id)
    form_class = CollectiveForm if kind == "vitrines" else BookableForm
    form = form_class(request.POST or None, venues=_venues(request), initial=_initial_from(obj))
    saved = request.method == "POST" and form.is_valid() and _save(request, form, kind, obj=obj)
    if saved:
        messages.success(request, f"« {obj.title} » enregistrée.")
        return redirect("offers:collective_detail", kind=kind, public_id=obj.public_id)
    ctx = {"form": form, "kind": kind, "obj": obj, "has_venues": True}
    return render(
        request, "offers/collective/form.html", ctx, status=400 if request.method == "POST" else 200
    )


@member_required
@require_GET
def collective_detail(request: HttpRequest, kind: str, public_id: UUID) -> HttpResponse:
    obj = _managed(request, kind, public_id)
    ctx = {"obj": obj, "kind": kind}
    if kind == "vitrines":
        ctx["requests"] = obj.requests.select_related("school", "teacher").order_by("-created_at")
        ctx["bookable_offers"] = obj.bookable_offers.order_by("-created_at")
    else:
        ctx["booking"] = rules.active_collective_bookings().filter(offer=obj).first()
        ctx["history"] = history.collective_offer_history(obj.pk)
        ctx["past_bookings"] = obj.bookings.filter(status="cancelled").select_related("school")
    return render(request, "offers/collective/detail.html", ctx)


def _action(request, kind, public_id, service, message):
    obj = _managed(request, kind, public_id)
    try:
        result = service(actor=request.user, obj=obj)
    except Refusal as exc:
        refusal_message(request, exc)
        return redirect("offers:collective_detail", kind=kind, public_id=obj.public_id)
    messages.success(request, message.format(title=result.title))
    return redirect("offers:collective_detail", kind=kind, public_id=result.public_id)


@member_required
@require_POST
def collective_publish(request: HttpRequest, kind: str, public_id: UUID) -> HttpResponse:
    return _action(
        request,
        kind,
        public_id,
        services.collective_publish,
        "« {title} » est publiée : les enseignants de la zone la voient.",
    )


@member_required
@require_POST
def collective_archive(request: HttpRequest, kind: str, public_id: UUID) -> HttpResponse:
    return _action(
        request, kind, public_id, services.collective_archive, "« {title} » est archivée."
    )


@member_required
@require_POST
def collective_duplicate(request: HttpRequest, kind: str, public_id: UUID) -> HttpResponse:
    return _action(
        request,
        kind,
        public_id,
        services.collective_duplicate,
        "Copie créée en brouillon : « {title} ».",
    )


# --- bookings ---------------------------------------------------------------------------


@member_required
@require_GET
def collective_bookings(request: HttpRequest) -> HttpResponse:
    qs = selectors.collective_bookings_managed_by(request.user)
    status = params.choice(request.GET.get("status"), CollectiveBookingStatus.choices)
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(params.page_number(request.GET.get("page")))
    ctx = {
        "page": page,
        "status": status,
        "statuses": CollectiveBookingStatus.choices,
        "query": f"status={status}" if status else "",
    }
    return render(request, "offers/collective/bookings.html", ctx)


@member_required
@require_GET
def collective_bookings_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    qs = selectors.collective_bookings_managed_by(request.user)
    if status := params.choice(request.GET.get("status"), CollectiveBookingStatus.choices):
        qs = qs.filter(status=status)
    ExportLog.objects.create(
        actor=request.user,
        kind="reservations-collectives",
        fmt=fmt,
        filters=request.GET.urlencode()[:1000],
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    rows = exports.collective_rows(qs)
    name = f"reservations-collectives-{stamp}.{fmt}"
    if fmt == "xlsx":
        return exports.xlsx_response_rows(exports.COLLECTIVE_COLUMNS, rows, name)
    return exports.csv_response_rows(exports.COLLECTIVE_COLUMNS, rows, name)


@member_required
@require_POST
def collective_booking_cancel(request: HttpRequest, public_id: UUID) -> HttpResponse:
    booking = get_object_or_404(
        selectors.collective_bookings_managed_by(request.user), public_id=public_id
    )
    reason = CancellationForm(request.POST)
    if not reason.is_valid():
        messages.error(request, reason.error_text())
        return redirect(
            "offers:collective_detail", kind="offres", public_id=booking.offer.public_id
        )
    try:
        booking_services.cancel_by_venue(
            actor=request.user, booking=booking, comment=reason.cleaned_data["comment"]
        )
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, "Réservation annulée ; l'établissement est prévenu.")
    return redirect("offers:collective_detail", kind="offres", public_id=booking.offer.public_id)


@member_required
@require_http_methods(["GET", "POST"])
def collective_image(request: HttpRequest, kind: str, public_id: UUID) -> HttpResponse:
    obj = _managed(request, kind, public_id)

    def save(**values):
        services.collective_image_save(actor=request.user, obj=obj, **values)

    return image_page(
        request,
        obj,
        save=save,
        back_url=reverse("offers:collective_detail", args=[kind, obj.public_id]),
        back_label="l'offre",
        delete_url=reverse("offers:collective_image_delete", args=[kind, obj.public_id]),
    )


@member_required
@require_POST
def collective_image_delete(request: HttpRequest, kind: str, public_id: UUID) -> HttpResponse:
    return _action(request, kind, public_id, services.collective_image_delete, "Image supprimée.")
