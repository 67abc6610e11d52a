"""The beneficiaries' side: sign-up, bookable offers, booking, my bookings, cancel."""

from __future__ import annotations

from functools import wraps
from uuid import UUID

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import departements
from accounts.forms import BeneficiarySignupForm
from accounts.models import Beneficiary
from accounts.permissions import roles_of
from accounts.services.users import beneficiary_signup
from catalog.categories import CATEGORIES
from offers import selectors
from offers.models import Booking, BookingStatus, Session
from offers.services import bookings as services
from offers.views.offers import venue_time
from passlib.pagination import CountedPaginator
from passlib.refusal import Refusal, refusal_message

PAGE_SIZE = 20


class CatalogFilterForm(forms.Form):
    departement = forms.ChoiceField(
        label="Département", required=False, choices=[("", "Tous"), *departements.CHOICES]
    )
    category = forms.ChoiceField(
        label="Catégorie",
        required=False,
        choices=[("", "Toutes"), *((c.id, c.label) for c in CATEGORIES)],
    )
    free_only = forms.BooleanField(label="Gratuites uniquement", required=False)
    day = forms.DateField(
        label="Date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def beneficiary_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not roles_of(request.user)["beneficiary"]:
            raise PermissionDenied("Cette page est réservée aux jeunes inscrits au pass Culture.")
        return view(request, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("offers:my_bookings")
    form = BeneficiarySignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        user = beneficiary_signup(
            email=d["email"],
            password=d["password"],
            first_name=d["first_name"],
            last_name=d["last_name"],
            birth_date=d["birth_date"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("accounts:signup_sent")
    return render(request, "offers/beneficiary/signup.html", {"form": form})


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    form = CatalogFilterForm(request.GET or None)
    filters = selectors.CatalogFilters()
    if form.is_valid():
        d = form.cleaned_data
        filters = selectors.CatalogFilters(
            departement=d["departement"],
            category=d["category"],
            free_only=d["free_only"],
            day=d["day"],
        )
    offers = selectors.bookable_offers(filters)
    total = selectors.cached_counts(
        ("catalog", filters),
        lambda: {"total": selectors.bookable_offers(filters, per_row=False).count()},
    )
    page = CountedPaginator(offers, PAGE_SIZE, count=total["total"]).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "rows": selectors.catalog_rows(page.object_list),
        "query": query.urlencode(),
    }
    template = "offers/beneficiary/catalog.html"
    if request.htmx:
        template += "#results"
    return render(request, template, ctx)


def _bookable_offer(public_id: UUID):
    return get_object_or_404(
        selectors.bookable_offers(selectors.CatalogFilters()), public_id=public_id
    )


@require_GET
def offer_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    offer = _bookable_offer(public_id)
    existing = None
    if request.user.is_authenticated:
        existing = (
            Booking.objects.filter(beneficiary=request.user, offer=offer)
            .exclude(status=BookingStatus.CANCELLED)
            .first()
        )
    ctx = {
        "offer": offer,
        "sub": offer.subcategory,
        "sessions": selectors.bookable_sessions(offer),
        "stock": None if offer.is_event else getattr(offer, "stock", None),
        "existing": existing,
        "is_beneficiary": request.user.is_authenticated
        and Beneficiary.objects.filter(user=request.user).exists(),
    }
    with venue_time(offer):
        return render(request, "offers/beneficiary/offer.html", ctx)


@beneficiary_required
@require_POST
def book(request: HttpRequest, public_id: UUID) -> HttpResponse:
    offer = _bookable_offer(public_id)
    session = None
    if offer.is_event:
        session = Session.objects.filter(
            offer=offer, public_id=request.POST.get("session") or None
        ).first()
        if session is None:
            messages.error(request, "Choisissez une date.")
            return redirect("offers:catalog_offer", public_id=offer.public_id)
    try:
        booking = services.booking_create(user=request.user, offer=offer, session=session)
    except Refusal as exc:
        refusal_message(request, exc)
        return redirect("offers:catalog_offer", public_id=offer.public_id)
    messages.success(request, f"Réservation confirmée. Votre contremarque : {booking.code}.")
    return redirect("offers:my_bookings")


def qr_svg(code: str) -> str:
    """The code as an inline SVG QR code (server-side, no script, no image request)."""
    svg = segno.make(f"PASSLIB:{code}", error="m").svg_inline(scale=4, title=f"QR code {code}")
    return mark_safe(svg)  # noqa: S308 - generated by segno from a validated 6-char code


@beneficiary_required
@require_GET
def my_bookings(request: HttpRequest) -> HttpResponse:
    bookings = list(selectors.bookings_of_beneficiary(request.user))
    now = timezone.now()
    rows = []
    for b in bookings:
        deadline = services.cancellation_deadline(b)
        rows.append(
            {
                "booking": b,
                "qr": qr_svg(b.code) if b.status == BookingStatus.CONFIRMED else "",
                "deadline": deadline,
                "can_cancel": b.status == BookingStatus.CONFIRMED
                and (deadline is None or now <= deadline),
            }
        )
    beneficiary = Beneficiary.objects.get(user=request.user)
    ctx = {"rows": rows, "credit": beneficiary.credit_cents}
    return render(request, "offers/beneficiary/my_bookings.html", ctx)


@beneficiary_required
@require_POST
def cancel(request: HttpRequest, public_id: UUID) -> HttpResponse:
    booking = get_object_or_404(
        Booking.objects.select_related("session", "offer", "venue"),
        beneficiary=request.user,
        public_id=public_id,
    )
    try:
        services.booking_cancel_by_beneficiary(user=request.user, booking=booking)
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, f"Réservation {booking.code} annulée.")
    return redirect("offers:my_bookings")
