"""Reads of collective offers: the pro lists, the teachers' lists, bookings."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from accounts.models import School, Status, User, Venue
from offers import policy, rules
from offers.models import CollectiveBooking, CollectiveOffer, CollectiveShowcase, CollectiveStatus
from offers.selectors.catalog import OFFER_SEARCHED, searched
from passlib import search

COLLECTIVE_DISPLAY_LABELS = {
    "draft": "Brouillon",
    "archived": "Archivée",
    "awaiting": "En attente",
    "expired": "Expirée",
    "published": "Publiée",
    "prebooked": "Préréservée",
    "booked": "Réservée",
    "ended": "Terminée",
    "reimbursed": "Remboursée",
}


def _collective_display_status(qs: QuerySet[CollectiveOffer]) -> QuerySet[CollectiveOffer]:
    """Annotate `display_status` of bookable collective offers: the stored status, then
    the active booking's, then en attente / expirée / publiée."""
    booking_status = Subquery(
        rules.active_collective_bookings().filter(offer=OuterRef("pk")).values("status")[:1]
    )
    return qs.annotate(booking_status=booking_status).annotate(
        display_status=Case(
            When(status=CollectiveStatus.DRAFT, then=Value("draft")),
            When(status=CollectiveStatus.ARCHIVED, then=Value("archived")),
            When(booking_status__isnull=False, then=F("booking_status")),
            When(
                ~Q(venue__status=Status.VALIDATED)
                | ~Q(venue__collectivite__status=Status.VALIDATED),
                then=Value("awaiting"),
            ),
            When(booking_limit_at__lte=timezone.now(), then=Value("expired")),
            default=Value("published"),
            output_field=CharField(),
        )
    )


@dataclass(frozen=True)
class CollectiveFilters:
    venue: Venue | None = None
    status: str = ""
    q: str = ""


def _collective_filtered(qs: QuerySet, f: CollectiveFilters) -> QuerySet:
    if f.venue is not None:
        qs = qs.filter(venue=f.venue)
    if f.q:
        qs = qs.filter(title__icontains=f.q)
    return qs


def pro_showcases(user: User, f: CollectiveFilters) -> QuerySet[CollectiveShowcase]:
    qs = _collective_filtered(policy.showcases_managed_by(user), f)
    if f.status in ("draft", "published", "archived"):
        qs = qs.filter(status=f.status)
    return (
        qs.select_related("venue")
        .annotate(request_count=Count("requests"))
        .order_by("-created_at", "-id")
    )


def pro_collective_offers(user: User, f: CollectiveFilters) -> QuerySet[CollectiveOffer]:
    qs = _collective_display_status(
        _collective_filtered(policy.collective_offers_managed_by(user), f)
    )
    if f.status:
        qs = qs.filter(display_status=f.status)
    return qs.select_related("venue", "school").order_by("-created_at", "-id")


@dataclass(frozen=True)
class TeacherFilters:
    domain: str = ""
    level: str = ""
    subcategory: str = ""
    q: str = ""


def _teacher_filtered(qs: QuerySet, f: TeacherFilters) -> QuerySet:
    """The filters, and the text search of the young people's catalogue
    (offers/selectors/catalog.py `searched`: title, description, venue, commune)."""
    words = search.terms(f.q)
    if words:
        qs = searched(qs, words, OFFER_SEARCHED)
    if f.domain:
        qs = qs.filter(domains__contains=f",{f.domain},")
    if f.level:
        qs = qs.filter(school_levels__contains=f",{f.level},")
    if f.subcategory:
        qs = qs.filter(subcategory_id=f.subcategory)
    return qs


def showcases_for_teacher(school: School, f: TeacherFilters) -> QuerySet[CollectiveShowcase]:
    qs = policy.showcases_for_school(school)
    order = ["-created_at", "-id"]
    return _teacher_filtered(qs, f).select_related("venue").order_by(*_by_relevance(f, order))


def bookable_for_teacher(school: School, f: TeacherFilters) -> QuerySet[CollectiveOffer]:
    """Published, still open, not booked, and for this school or any school."""
    qs = policy.collective_offers_for_school(school, timezone.now())
    order = ["starts_at", "id"]
    return _teacher_filtered(qs, f).select_related("venue").order_by(*_by_relevance(f, order))


def _by_relevance(f: TeacherFilters, order: list[str]) -> list[str]:
    return ["-relevance", *order] if search.terms(f.q) else order


def school_bookings(school: School) -> QuerySet[CollectiveBooking]:
    return (
        policy.school_bookings(school)
        .select_related("offer", "venue", "teacher")
        .order_by("-prebooked_at", "-id")
    )


def collective_bookings_managed_by(user: User) -> QuerySet[CollectiveBooking]:
    return (
        policy.collective_bookings_managed_by(user)
        .select_related("offer", "venue", "school", "teacher")
        .order_by("-prebooked_at", "-id")
    )
