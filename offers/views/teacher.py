"""The teachers' side: offers of their zone, requests, bookings (their sign-up lives with
the accounts: accounts/views/signup.py)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import departements
from accounts.decorators import teacher_required
from accounts.models import Teacher
from offers import rules, selectors
from offers.forms import CancellationForm, CollectiveRequestForm, TeacherFilterForm
from offers.models import CollectiveBooking
from offers.services import collective_bookings as services
from passlib import params
from passlib.refusal import Refusal, refusal_message

PAGE_SIZE = 20


@teacher_required
@require_GET
def offers_for_school(request: HttpRequest, teacher: Teacher) -> HttpResponse:
    form = TeacherFilterForm(request.GET or None)
    f = form.to_filters()
    school = teacher.school
    ctx = {
        "form": form,
        "teacher": teacher,
        "departement": departements.BY_CODE.get(school.departement),
        "showcases": Paginator(selectors.showcases_for_teacher(school, f), PAGE_SIZE).get_page(
            params.page_number(request.GET.get("page_v"))
        ),
        "offers": Paginator(selectors.bookable_for_teacher(school, f), PAGE_SIZE).get_page(
            params.page_number(request.GET.get("page"))
        ),
    }
    template = (
        "offers/teacher/offers.html#results" if request.htmx else "offers/teacher/offers.html"
    )
    return render(request, template, ctx)


@teacher_required
@require_http_methods(["GET", "POST"])
def showcase_page(request: HttpRequest, teacher: Teacher, public_id: UUID) -> HttpResponse:
    showcase = get_object_or_404(
        selectors.showcases_for_teacher(teacher.school, selectors.TeacherFilters()),
        public_id=public_id,
    )
    form = CollectiveRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_create(user=request.user, showcase=showcase, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        except Refusal as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                "Votre demande a été envoyée au lieu : il vous proposera une offre réservable.",
            )
            return redirect("offers:teacher_offers")
    ctx = {"obj": showcase, "form": form, "teacher": teacher}
    return render(
        request,
        "offers/teacher/showcase.html",
        ctx,
        status=400 if request.method == "POST" else 200,
    )


@teacher_required
@require_GET
def offer_page(request: HttpRequest, teacher: Teacher, public_id: UUID) -> HttpResponse:
    offer = get_object_or_404(
        selectors.bookable_for_teacher(teacher.school, selectors.TeacherFilters()),
        public_id=public_id,
    )
    ctx = {
        "obj": offer,
        "teacher": teacher,
        # told before pre-booking: until when the school could cancel it
        "cancel_until": rules.school_cancellation_deadline(offer.starts_at),
        "no_cancel": not rules.school_may_cancel(offer.starts_at, timezone.now()),
    }
    return render(request, "offers/teacher/offer.html", ctx)


@teacher_required
@require_POST
def prebook(request: HttpRequest, teacher: Teacher, public_id: UUID) -> HttpResponse:
    offer = get_object_or_404(
        selectors.bookable_for_teacher(teacher.school, selectors.TeacherFilters()),
        public_id=public_id,
    )
    try:
        services.prebook(user=request.user, offer=offer)
    except Refusal as exc:
        refusal_message(request, exc)
        return redirect("offers:teacher_offers")
    messages.success(
        request, "Offre préréservée. L'établissement doit maintenant confirmer la réservation."
    )
    return redirect("offers:teacher_bookings")


@teacher_required
@require_GET
def school_bookings(request: HttpRequest, teacher: Teacher) -> HttpResponse:
    now = timezone.now()
    bookings = list(selectors.school_bookings(teacher.school))
    for b in bookings:  # told before the click (the service refuses after the deadline)
        b.cancel_until = rules.school_cancellation_deadline(b.offer.starts_at)
        b.school_may_cancel = rules.school_may_cancel(b.offer.starts_at, now)
    ctx = {"bookings": bookings, "teacher": teacher}
    return render(request, "offers/teacher/bookings.html", ctx)


def _school_booking(teacher: Teacher, public_id: UUID) -> CollectiveBooking:
    return get_object_or_404(selectors.school_bookings(teacher.school), public_id=public_id)


@teacher_required
@require_POST
def confirm(request: HttpRequest, teacher: Teacher, public_id: UUID) -> HttpResponse:
    booking = _school_booking(teacher, public_id)
    try:
        services.confirm(user=request.user, booking=booking)
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, "Réservation confirmée par l'établissement.")
    return redirect("offers:teacher_bookings")


@teacher_required
@require_POST
def cancel(request: HttpRequest, teacher: Teacher, public_id: UUID) -> HttpResponse:
    booking = _school_booking(teacher, public_id)
    reason = CancellationForm(request.POST)
    if not reason.is_valid():
        messages.error(request, reason.error_text())
        return redirect("offers:teacher_bookings")
    try:
        services.cancel_by_school(
            user=request.user, booking=booking, comment=reason.cleaned_data["comment"]
        )
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, "Réservation annulée ; le lieu est prévenu.")
    return redirect("offers:teacher_bookings")
