"""The young people's side: bookable offers, booking, my bookings, cancel (their sign-up
lives with the accounts: accounts/views/signup.py)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import beneficiary_required
from accounts.policy import beneficiary_of, roles_of
from accounts.services.beneficiaries import credit_not_yet
from offers import policy, rules, selectors
from offers.forms import CatalogFilterForm
from offers.models import Booking, BookingStatus, Session
from offers.qr import booking_qr_svg
from offers.services import alerts, reminders
from offers.services import bookings as services
from offers.views.offers import venue_time
from passlib import params
from passlib.counts import cached_counts
from passlib.middleware import private_page
from passlib.pagination import CountedPaginator
from passlib.refusal import Refusal, refusal_message

PAGE_SIZE = 20


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    young = beneficiary_of(request.user) if roles_of(request.user)["beneficiary"] else None
    today = timezone.localdate()
    form = CatalogFilterForm(request.GET or None, age=young and young.age_on(today))
    filters = form.to_filters()
    counts = cached_counts(
        ("catalog", filters),
        lambda: {
            **selectors.catalog_counts(filters),
            "valid_until": selectors.next_publication(),
        },
    )
    offers = selectors.CatalogList(filters, bookable_count=counts["bookable"])
    page = CountedPaginator(offers, PAGE_SIZE, count=counts["bookable"] + counts["full"]).get_page(
        params.page_number(request.GET.get("page"))
    )
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "rows": selectors.catalog_page_rows(page.object_list, near=filters.near),
        "place": form.place,
        "sort": filters.sort,
        "query": query.urlencode(),
        "credit_starts_at": young and credit_not_yet(young, today),
    }
    template = "offers/beneficiary/catalog.html"
    if request.htmx:
        template += "#results"
    return render(request, template, ctx)


def _open_offer(public_id: UUID):
    return get_object_or_404(
        policy.offers_open_to_young().select_related("venue"), public_id=public_id
    )


@require_GET
def offer_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    # Also an offer whose dates to come are all cancelled: its page says so (the same
    # offers as the public programme links to), and booking it is refused.
    offer = get_object_or_404(
        policy.offers_in_programme().select_related("venue"), public_id=public_id
    )
    existing = None
    if request.user.is_authenticated:
        existing = (
            policy.bookings_of_beneficiary(request.user)
            .filter(offer=offer)
            .exclude(status=BookingStatus.CANCELLED)
            .first()
        )
    waitlist = {}
    if request.user.is_authenticated and existing is None:
        waitlist = selectors.offer_waitlist(request.user, offer)
    now = timezone.now()
    sessions = selectors.dates_shown_to_young(offer)
    for s in sessions:
        s.waitlist_entry = waitlist.get(s.pk)
        s.cancel_before, s.no_cancel = rules.cancellation_if_booked(s.starts_at, now)
    is_beneficiary = roles_of(request.user)["beneficiary"]
    ctx = {
        "offer": offer,
        "sub": offer.subcategory,
        "sessions": sessions,
        "stock_entry": waitlist.get("stock"),
        # Booking one date leaves the lines of the others (one booking per offer):
        # the page says so next to each « Réserver » (services/holds.py after_booking).
        "waiting_on": sorted(
            (e for key, e in waitlist.items() if key != "stock"),
            key=lambda e: e.session.starts_at,
        ),
        "stock": None if offer.is_event else getattr(offer, "stock", None),
        "existing": existing,
        "is_beneficiary": is_beneficiary,
        "booking_opened": policy.booking_opened(offer),
        # Told before the click: the button is disabled with this reason (the service
        # asks the same rule and still refuses).
        "refusal": is_beneficiary
        and existing is None
        and policy.booking_refusal(request.user, offer, timezone.localdate(now)),
    }
    # Outside the offer's ages, no button at all: the reason instead (SPEC §9).
    ctx["out_of_ages"] = bool(ctx["refusal"]) and ctx["refusal"].code == "booking.offer_age"
    # « Me prévenir » while bookings are not open (offers/services/alerts.py).
    ctx["alert"] = (
        None
        if ctx["booking_opened"] or not is_beneficiary
        else alerts.opening_alert_of(request.user, offer)
    )
    # Outside the offer's ages, nothing to ask to be told of: the reason instead.
    ctx["alert_refusal"] = (
        is_beneficiary
        and not ctx["booking_opened"]
        and policy.age_range_refusal(beneficiary_of(request.user), offer, timezone.localdate(now))
    )
    # « Réserver » lists the dates itself to a young person who may book them: the
    # offer's description then leaves them out, so that each date is written once.
    # Every date shown cancelled: nothing to book, no « Réserver » over « Annulée »
    # dates; the description lists them and the page says so.
    ctx["all_cancelled"] = (
        offer.is_event and bool(sessions) and all(s.is_cancelled for s in sessions)
    )
    ctx["dates_in_booking"] = (
        offer.is_event
        and not ctx["all_cancelled"]
        and ctx["is_beneficiary"]
        and ctx["booking_opened"]
        and existing is None
        and not ctx["out_of_ages"]
    )
    with venue_time(offer):
        return render(request, "offers/beneficiary/offer.html", ctx)


def posted_choice(request: HttpRequest, public_id: UUID):
    """The offer of the page and, for an event, the date chosen in its form (refused
    when missing or not one of the offer's)."""
    offer = _open_offer(public_id)
    if not offer.is_event:
        return offer, None
    session_id = params.uuid_or_none(request.POST.get("session"))
    session = Session.objects.filter(offer=offer, public_id=session_id).first()
    if session is None:
        raise Refusal("Choisis une date.", code="booking.session_required")
    return offer, session


@beneficiary_required
@require_POST
def book(request: HttpRequest, public_id: UUID) -> HttpResponse:
    try:
        offer, session = posted_choice(request, public_id)
        booking = services.booking_create(user=request.user, offer=offer, session=session)
    except Refusal as exc:
        refusal_message(request, exc)
        return redirect("offers:catalog_offer", public_id=public_id)
    messages.success(request, f"Réservation confirmée. Ta contremarque : {booking.code}.")
    return redirect("offers:my_bookings")


@beneficiary_required
@require_GET
def my_bookings(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = [
        {
            "booking": b,
            "qr": booking_qr_svg(b.code) if b.status == BookingStatus.CONFIRMED else "",
            "deadline": rules.cancellation_deadline(b),
            "can_cancel": rules.may_cancel(b, now),
        }
        for b in selectors.my_bookings(request.user)
    ]
    beneficiary = beneficiary_of(request.user)
    ctx = {
        "rows": rows,
        "waitlist": selectors.my_waitlist(request.user),
        "credit": beneficiary.credit_cents,
        "credit_starts_at": credit_not_yet(beneficiary, timezone.localdate()),
    }
    return render(request, "offers/beneficiary/my_bookings.html", ctx)


@beneficiary_required
@require_POST
def cancel(request: HttpRequest, public_id: UUID) -> HttpResponse:
    booking = get_object_or_404(
        policy.bookings_of_beneficiary(request.user).select_related(
            "session__offer", "offer", "venue"
        ),
        public_id=public_id,
    )
    try:
        services.booking_cancel_by_beneficiary(user=request.user, booking=booking)
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, f"Réservation {booking.code} annulée.")
    return redirect("offers:my_bookings")


def _released_booking(public_id: UUID, token: str):
    """The booking a reminder's "Je ne viendrai pas" link names; 404 for a wrong token."""
    booking = get_object_or_404(
        Booking.objects.select_related("offer", "venue", "session__offer", "beneficiary"),
        public_id=public_id,
    )
    if not reminders.release_token_valid(booking, token):
        raise Http404("Lien invalide.")
    return booking


@require_http_methods(["GET", "POST"])
@private_page
def release(request: HttpRequest, public_id: UUID, token: str) -> HttpResponse:
    """ "Je ne viendrai pas", from the reminder e-mail: the signed link opens this page
    (no login: the link is the young person's); only its button (POST) frees the place,
    as a cancellation by the young person, for the waiting list."""
    booking = _released_booking(public_id, token)
    if request.method == "POST":
        try:
            services.booking_cancel_by_beneficiary(user=booking.beneficiary, booking=booking)
        except Refusal as exc:
            refusal_message(request, exc)
        # No message on success: the page it comes back to says the place is free and
        # thanks once (two thank-yous read like a stutter).
        return redirect(request.path)
    ctx = {
        "booking": booking,
        "can_release": rules.may_cancel(booking, timezone.now()),
        "deadline": rules.cancellation_deadline(booking),
    }
    with venue_time(booking.venue):
        return render(request, "offers/beneficiary/release.html", ctx)
