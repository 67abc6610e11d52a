"""Reads for young people: the catalog of bookable offers, an offer's dates, their
bookings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Exists, Min, OuterRef, QuerySet, When
from django.db.models.functions import Now
from django.utils import timezone

from accounts.models import User
from catalog.categories import get_subcategory
from offers import rules
from offers.models import Booking, Offer, OfferStatus, Session, WaitlistEntry, WaitlistStatus
from offers.models.waitlist import ACTIVE as WAITLIST_ACTIVE
from offers.policy import bookable_offers, bookings_of_beneficiary, waitlist_entries_of
from offers.templatetags.money import euros
from passlib.links import uuid_url
from passlib.rows import escaped


@dataclass(frozen=True)
class CatalogFilters:
    departement: str = ""
    category: str = ""
    free_only: bool = False
    day: date | None = None  # offers with a session that day


def catalog(f: CatalogFilters, *, per_row: bool = True) -> QuerySet[Offer]:
    """Bookable offers (offers/policy.py) matching the filters, newest first. Counting
    them: `per_row=False` (offers/rules.py)."""
    qs = bookable_offers(per_row=per_row)
    if f.departement:
        qs = qs.filter(venue__departement=f.departement)
    if f.category:
        qs = qs.filter(category_id=f.category)
    if f.free_only:
        qs = qs.filter(price_cents=0)
    if f.day:
        sessions = rules.sessions_with_places(timezone.now()).filter(offer=OuterRef("pk"))
        qs = qs.filter(Exists(sessions.filter(starts_at__date=f.day)))
    return qs.select_related("venue").order_by("-created_at", "-id")


def next_publication() -> float:
    """The timestamp of the next scheduled publication (infinity when none): the
    catalog's cached count holds until then."""
    upcoming = Offer.objects.filter(status=OfferStatus.PUBLISHED, publish_at__gt=Now()).aggregate(
        first=Min("publish_at")
    )["first"]
    return upcoming.timestamp() if upcoming else float("inf")


def bookable_sessions(offer: Offer) -> QuerySet[Session]:
    return rules.open_sessions(timezone.now()).filter(offer=offer).order_by("starts_at")


def my_bookings(user: User) -> QuerySet[Booking]:
    return (
        bookings_of_beneficiary(user)
        .select_related("offer", "venue", "session")
        .order_by("-booked_at")
    )


def waitlist_of(user: User) -> QuerySet[WaitlistEntry]:
    """A young person's entries on waiting lists, with what their pages show and their
    place in line (`rank`)."""
    return (
        waitlist_entries_of(user)
        .select_related("offer__venue", "session", "stock")
        .annotate(rank=rules.waitlist_rank())
    )


def my_waitlist(user: User) -> list[WaitlistEntry]:
    """The entries still in line or offered, soonest session first."""
    return list(
        waitlist_of(user)
        .filter(status__in=WAITLIST_ACTIVE)
        .order_by("session__starts_at", "joined_at", "id")
    )


def offer_waitlist(user: User, offer: Offer) -> dict:
    """The person's active entries of an offer, by session id (or "stock")."""
    return {
        e.session_id or "stock": e
        for e in waitlist_of(user).filter(offer=offer, status__in=WAITLIST_ACTIVE)
    }


def session_waitlist(session: Session) -> list[WaitlistEntry]:
    """A session's line as the venue sees it: places offered first, then those waiting,
    each with its place in line (`rank`)."""
    return list(
        WaitlistEntry.objects.filter(session=session, status__in=WAITLIST_ACTIVE)
        .select_related("person")
        .annotate(rank=rules.waitlist_rank())
        .order_by(Case(When(status=WaitlistStatus.OFFERED, then=0), default=1), "joined_at", "id")
    )


def catalog_rows(queryset: QuerySet[Offer]) -> list[dict]:
    """Display-ready cards of a page of the catalog (one `.values()` query); texts escaped once
    (passlib/rows.py)."""
    return [
        escaped(
            {
                "url": uuid_url("offers:catalog_offer", r["public_id"]),
                "title": r["title"],
                "subcategory": get_subcategory(r["subcategory_id"]).label,
                "venue": r["venue__public_name"] or r["venue__name"],
                "city": r["venue__city"],
                "departement": r["venue__departement"],
                "price": euros(r["price_cents"]) if r["price_cents"] else "Gratuit",
            }
        )
        for r in queryset.values(
            "public_id",
            "title",
            "subcategory_id",
            "venue__name",
            "venue__public_name",
            "venue__city",
            "venue__departement",
            "price_cents",
        )
    ]
