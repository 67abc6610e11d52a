"""The pro side of individual offers: list, form, page, sessions, actions."""

from __future__ import annotations

from contextlib import contextmanager
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import member_required, pro_required
from accounts.policy import managed_venue_ids, venue_choices, venues_managed_by
from catalog.categories import GENERAL_GUIDANCE, TYPICAL_FREE_OFFERS
from offers import history, selectors
from offers.forms import (
    FREE_OFFER_MODELS,
    BulkForm,
    OfferFilterForm,
    OfferForm,
    SessionForm,
)
from offers.forms.offers import venue_wall_time
from offers.models import DisplayStatus, Offer, OfferStatus
from offers.policy import can_edit_offer, require_offer_editor
from offers.services import bulk
from offers.services import offers as services
from passlib import params
from passlib.pagination import counted_page
from passlib.refusal import Refusal, refusal_message
from passlib.views import image_page

PAGE_SIZE = 20


@contextmanager
def venue_time(offer_or_venue):
    """Dates typed and shown in the venue's time zone (stored in UTC)."""
    venue = getattr(offer_or_venue, "venue", offer_or_venue)
    with timezone.override(ZoneInfo(venue.time_zone)):
        yield


def _managed_venues(request: HttpRequest):
    return venues_managed_by(request.user).order_by("name")


def _readable_offer(request: HttpRequest, public_id: UUID) -> Offer:
    return get_object_or_404(selectors.offer_detail(request.user), public_id=public_id)


def editable_offer(request: HttpRequest, public_id: UUID) -> Offer:
    offer = _readable_offer(request, public_id)
    require_offer_editor(request.user, offer)
    return offer


@pro_required
@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    form = OfferFilterForm(request.GET or None, venue_choices=venue_choices(request.user))
    filters = form.to_filters()
    counts = selectors.offer_counts(request.user, filters)
    page = counted_page(
        request, selectors.offer_list(request.user, filters), counts, filters.status, PAGE_SIZE
    )
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "rows": selectors.offer_rows(page.object_list),
        "query": query.urlencode(),
        "counts": [(DisplayStatus(k).label, k, n) for k, n in counts.items()],
        "can_create": bool(managed_venue_ids(request.user)),
        "bulk_actions": BulkForm.base_fields["action"].choices,
    }
    template = "offers/list.html#table" if request.htmx else "offers/list.html"
    return render(request, template, ctx)


def _form_context(form: OfferForm, **extra) -> dict:
    sub = form.chosen_subcategory
    return {
        "form": form,
        "sub": sub,
        "extra_fields": [form[f.value] for f in sub.extra_fields] if sub else [],
        "general_guidance": GENERAL_GUIDANCE,
        "typical_free_offers": TYPICAL_FREE_OFFERS,
        **extra,
    }


def _refresh_requested(request: HttpRequest) -> bool:
    """The form asks to re-render for another subcategory (htmx, or the no-JS button)."""
    return bool(request.GET.get("refresh") or request.POST.get("refresh"))


def _render_form(request: HttpRequest, form: OfferForm, ctx: dict, status: int = 200):
    template = "offers/form.html"
    if request.htmx and _refresh_requested(request):
        template += "#dependent"
    return render(request, template, _form_context(form, **ctx), status=status)


def _initial_from(request: HttpRequest, venues) -> dict:
    initial = {"price": 0}
    model = FREE_OFFER_MODELS.get(request.GET.get("modele", ""))
    if model:
        initial.update(subcategory=model[1], title=model[2])
    lieu = params.uuid_or_404(request.GET.get("lieu"))
    venue = (
        venues.filter(public_id=lieu).first()
        if lieu
        else (venues.first() if venues.count() == 1 else None)
    )
    if venue is not None:
        initial.update(
            venue=venue.pk,
            accessibility_audio=venue.accessibility_audio,
            accessibility_mental=venue.accessibility_mental,
            accessibility_motor=venue.accessibility_motor,
            accessibility_visual=venue.accessibility_visual,
            withdrawal_details=venue.withdrawal_details,
            booking_email=venue.booking_email,
        )
    return initial


@member_required
@require_http_methods(["GET", "POST"])
def offer_create(request: HttpRequest) -> HttpResponse:
    venues = _managed_venues(request)
    ctx = {"offer": None, "has_venues": venues.exists()}
    if _refresh_requested(request):
        data = request.POST if request.method == "POST" else request.GET
        form = OfferForm(venues=venues, initial=data.dict())
        return _render_form(request, form, ctx)
    if request.method == "POST":
        form = OfferForm(request.POST, venues=venues)
        if form.is_valid():
            offer_data, stock_data = form.to_data()
            try:
                offer = services.offer_create(actor=request.user, data=offer_data, stock=stock_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                hint = (
                    " Ajoutez ses séances, puis publiez-la."
                    if offer.is_event
                    else (" Publiez-la quand elle est prête.")
                )
                messages.success(
                    request, f"Offre « {offer.title} » enregistrée en brouillon.{hint}"
                )
                return redirect("offers:detail", public_id=offer.public_id)
        return _render_form(request, form, ctx, status=400)
    form = OfferForm(venues=venues, initial=_initial_from(request, venues))
    return _render_form(request, form, ctx)


def _initial_from_offer(offer: Offer) -> dict:
    stock = getattr(offer, "stock", None) if not offer.is_event else None
    return {
        "venue": offer.venue_id,
        "subcategory": offer.subcategory_id,
        "title": offer.title,
        "description": offer.description,
        "speaker": offer.speaker,
        "director": offer.director,
        "visa": offer.visa,
        "price": offer.price_cents / 100,
        "quantity": stock.quantity if stock else None,
        "booking_limit_date": stock.booking_limit_date if stock else None,
        "accessibility_audio": offer.accessibility_audio,
        "accessibility_mental": offer.accessibility_mental,
        "accessibility_motor": offer.accessibility_motor,
        "accessibility_visual": offer.accessibility_visual,
        "age_min": offer.age_min,
        "age_max": offer.age_max,
        "withdrawal_details": offer.withdrawal_details,
        "booking_email": offer.booking_email,
        "publish_at": venue_wall_time(offer.publish_at, offer.venue),
        "booking_opens_at": venue_wall_time(offer.booking_opens_at, offer.venue),
        "duration_minutes": offer.duration_minutes,
    }


@member_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    offer = editable_offer(request, public_id)
    venues = _managed_venues(request)
    ctx = {"offer": offer, "has_venues": True}
    if _refresh_requested(request):
        data = request.POST if request.method == "POST" else request.GET
        return _render_form(request, OfferForm(venues=venues, initial=data.dict()), ctx)
    if request.method == "POST":
        form = OfferForm(request.POST, venues=venues)
        if form.is_valid():
            offer_data, stock_data = form.to_data()
            try:
                services.offer_update(
                    actor=request.user, offer=offer, data=offer_data, stock=stock_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Offre « {offer.title} » enregistrée.")
                return redirect("offers:detail", public_id=offer.public_id)
        return _render_form(request, form, ctx, status=400)
    return _render_form(request, OfferForm(venues=venues, initial=_initial_from_offer(offer)), ctx)


def detail_context(request: HttpRequest, offer: Offer, session_form: SessionForm | None = None):
    stock = None if offer.is_event else getattr(offer, "stock", None)
    # `Session.ends_at` reads `session.offer`: the related manager sets it to `offer`.
    sessions = list(offer.sessions.all())
    now = timezone.now()
    return {
        "offer": offer,
        "sub": offer.subcategory,
        "stock": stock,
        "sessions": sessions,
        "upcoming": [x for x in sessions if x.starts_at > now and not x.is_cancelled],
        "session_form": session_form or SessionForm(),
        "can_edit": can_edit_offer(request.user, offer),
        "has_bookings": services.offer_has_bookings(offer),
        "history": history.offer_history(offer),
        "now": now,
    }


@pro_required
@require_GET
def offer_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    offer = _readable_offer(request, public_id)
    with venue_time(offer):
        return render(request, "offers/detail.html", detail_context(request, offer))


@pro_required
@require_GET
def offer_preview(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The offer as a beneficiary would see it."""
    offer = _readable_offer(request, public_id)
    ctx = {
        "offer": offer,
        "sub": offer.subcategory,
        "stock": None if offer.is_event else getattr(offer, "stock", None),
        "sessions": offer.sessions.filter(booking_limit_at__gt=timezone.now()),
        "preview": True,
    }
    with venue_time(offer):
        return render(request, "offers/preview.html", ctx)


def _action(request: HttpRequest, public_id: UUID, service, success) -> HttpResponse:
    """Run a service on an offer the person edits; `success` is the message, or a
    function of the offer as it was before the service ran."""
    offer = editable_offer(request, public_id)
    message = success(offer) if callable(success) else success.format(title=offer.title)
    try:
        service(actor=request.user, offer=offer)
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, message)
    return redirect("offers:detail", public_id=offer.public_id)


@member_required
@require_POST
def offer_publish(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Publish a draft, or reactivate a deactivated offer (the message says which)."""

    def success(offer: Offer) -> str:
        done = "réactivée" if offer.status == OfferStatus.DEACTIVATED else "publiée"
        return f"Offre « {offer.title} » {done}."

    return _action(request, public_id, services.offer_publish, success)


@member_required
@require_POST
def offer_deactivate(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _action(
        request,
        public_id,
        services.offer_deactivate,
        "Offre « {title} » désactivée : elle n'est plus visible des jeunes.",
    )


@member_required
@require_POST
def offer_duplicate(request: HttpRequest, public_id: UUID) -> HttpResponse:
    offer = editable_offer(request, public_id)
    copy = services.offer_duplicate(actor=request.user, offer=offer)
    messages.success(request, f"Copie créée en brouillon : « {copy.title} ».")
    return redirect("offers:detail", public_id=copy.public_id)


@member_required
@require_POST
def offer_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    offer = editable_offer(request, public_id)
    try:
        services.offer_delete(actor=request.user, offer=offer)
    except Refusal as exc:
        refusal_message(request, exc)
        return redirect("offers:detail", public_id=offer.public_id)
    messages.success(request, f"Offre « {offer.title} » supprimée.")
    return redirect("offers:list")


@member_required
@require_GET
def free_offer_start(request: HttpRequest) -> HttpResponse:
    """ "Publier une offre gratuite": the typical free offers, each pre-filling the form."""
    ctx = {"models": [(key, label) for key, (label, _, _) in FREE_OFFER_MODELS.items()]}
    return render(request, "offers/free.html", ctx)


@member_required
@require_http_methods(["GET", "POST"])
def offer_image(request: HttpRequest, public_id: UUID) -> HttpResponse:
    offer = editable_offer(request, public_id)

    def save(**values):
        services.offer_image_save(actor=request.user, offer=offer, **values)

    return image_page(
        request,
        offer,
        save=save,
        back_url=reverse("offers:detail", args=[offer.public_id]),
        back_label="l'offre",
        delete_url=reverse("offers:image_delete", args=[offer.public_id]),
    )


@member_required
@require_POST
def offer_image_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _action(request, public_id, services.offer_image_delete, "Image supprimée.")


def _bulk_selection(request: HttpRequest, form: BulkForm):
    """The offers a grouped action is about: the rows checked, or every offer of the
    list's filters (read again now, from the query string the page carried)."""
    d = form.cleaned_data
    if d["tout"]:
        filters = OfferFilterForm(
            QueryDict(d["filtres"]), venue_choices=venue_choices(request.user)
        ).to_filters()
        return selectors.offer_list(request.user, filters)
    return Offer.objects.filter(public_id__in=d["offres"])


@member_required
@require_POST
def offer_bulk(request: HttpRequest) -> HttpResponse:
    """A grouped action from the offers list: first a confirmation page saying what will
    happen to how many offers, then the action (offers/services/bulk.py) and its
    result, with each refusal and its reason."""
    form = BulkForm(request.POST)
    if not form.is_valid():
        for error in form.problems():
            messages.error(request, error)
        return redirect(_list_url(form.data.get("filtres", "")[:1000]))
    d = form.cleaned_data
    selection = _bulk_selection(request, form)
    spec = bulk.ACTIONS[d["action"]]
    if not d["confirme"]:
        offers = bulk.editable(request.user, selection)
        ctx = {
            "form": form,
            "spec": spec,
            "count": offers.count(),
            "sample": list(offers.order_by("title").values_list("title", flat=True)[:10]),
            "ids": d["offres"],
            "list_url": _list_url(d["filtres"]),
        }
        return render(request, "offers/bulk_confirm.html", ctx)
    try:
        result = bulk.offers_bulk(actor=request.user, action=d["action"], selection=selection)
    except Refusal as exc:
        refusal_message(request, exc)
        return redirect(_list_url(d["filtres"]))
    ctx = {"result": result, "list_url": _list_url(d["filtres"])}
    return render(request, "offers/bulk_result.html", ctx)


def _list_url(query: str) -> str:
    clean = QueryDict(query).urlencode() if query else ""
    return reverse("offers:list") + (f"?{clean}" if clean else "")
