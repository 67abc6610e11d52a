"""Reads for young people: the catalog of bookable offers, an offer's dates, their
bookings."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.files.storage import default_storage
from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from accounts import geo
from accounts.geo import Point
from accounts.models import User, Venue
from catalog.categories import get_subcategory
from offers import rules
from offers.models import (
    Booking,
    Offer,
    OfferStatus,
    Session,
    Stock,
    WaitlistEntry,
    WaitlistStatus,
)
from offers.models.waitlist import ACTIVE as WAITLIST_ACTIVE
from offers.policy import (
    bookable_offers,
    bookings_of_beneficiary,
    full_offers,
    waitlist_entries_of,
)
from offers.templatetags.money import euros
from passlib import search
from passlib.formats import age_range_fr, count_fr, session_time_fr
from passlib.links import uuid_url
from passlib.rows import escaped
from passlib.sql import CompiledExpression

SORT_LABELS = {
    "": "Le plus adapté (pertinence, ou distance si un lieu est indiqué)",
    "date": "Date la plus proche",
    "distance": "Distance",
}
OFFER_SEARCHED = ["title", "description"]
VENUE_SEARCHED = ["name", "public_name", "city"]


@dataclass(frozen=True)
class CatalogFilters:
    q: str = ""
    departement: str = ""
    category: str = ""
    free_only: bool = False
    day: date | None = None  # offers with a session that day
    near: Point | None = None  # the commune or postal code chosen (accounts/geo.py)
    sort: str = ""  # SORT_LABELS
    venue_id: int | None = None  # one venue's page
    age: int | None = None  # « Pour mon âge »: offers meant for this age (rules.for_age)


def venue_points(postal_code: str) -> list[Point]:
    """Positions of our venues with this postal code (accounts/geo.py `place_of`)."""
    rows = Venue.objects.filter(postal_code=postal_code, latitude__isnull=False).values_list(
        "latitude", "longitude"
    )[:20]
    return [Point(lat, lon) for lat, lon in rows]


def searched(qs: QuerySet, words: list[str], fields: list[str]) -> QuerySet:
    """Offers whose title or description, or whose venue's name or commune, hold one of
    the words (passlib/search.py), with their `relevance`. One `IN (… UNION …)`: the
    ids found through the GIN indexes drive the query (an OR of two conditions made
    PostgreSQL read every published offer and test each)."""
    model = qs.model
    venues = Venue.objects.filter(search.matching(VENUE_SEARCHED, words))
    found = (
        model.objects.filter(search.matching(fields, words))
        .values("pk")
        .union(model.objects.filter(venue__in=venues.values("pk")).values("pk"))
    )
    return qs.filter(pk__in=found).annotate(relevance=search.rank(fields, words))


def _squared_distance(near: Point):
    """Squared distance in degrees of latitude from `near` (equirectangular: a degree
    of longitude is cos(latitude) of one of latitude): enough to order (the cards'
    labels use accounts/geo.py `distance_km`)."""
    shrink = math.cos(math.radians(near.latitude))
    return ExpressionWrapper(
        (F("venue__latitude") - near.latitude) * (F("venue__latitude") - near.latitude)
        + (F("venue__longitude") - near.longitude)
        * (F("venue__longitude") - near.longitude)
        * (shrink * shrink),
        output_field=FloatField(),
    )


def catalog(f: CatalogFilters, *, per_row: bool = True, full: bool = False) -> QuerySet[Offer]:
    """Bookable offers (offers/policy.py) matching the filters: with a search, those
    holding more of its words first; else newest first; or by next date, or by
    distance from the place chosen. `full`: the offers left with their waiting list only
    (`full_offers`), filtered and ordered the same way by their open sessions. Counting
    them: `per_row=False` (offers/rules.py)."""
    qs = (full_offers if full else bookable_offers)(per_row=per_row)
    if f.venue_id:
        qs = qs.filter(venue_id=f.venue_id)
    if f.departement:
        qs = qs.filter(venue__departement=f.departement)
    if f.category:
        qs = qs.filter(category_id=f.category)
    if f.free_only:
        qs = qs.filter(price_cents=0)
    if f.age is not None:
        qs = qs.filter(rules.for_age(f.age))
    if f.day:
        now = timezone.now()
        sessions = rules.open_sessions(now) if full else rules.sessions_with_places(now)
        sessions = sessions.filter(offer=OuterRef("pk"))
        qs = qs.filter(Exists(sessions.filter(starts_at__date=f.day)))
    words = search.terms(f.q)
    if words:
        qs = searched(qs, words, OFFER_SEARCHED)
    if not per_row:
        return qs
    qs = qs.select_related("venue")
    order = ["-created_at", "-id"]
    if f.sort == "distance" and f.near is not None:
        qs = qs.annotate(distance2=_squared_distance(f.near))
        order = [F("distance2").asc(nulls_last=True), *order]
    elif f.sort == "date":
        next_at = _CARD["next_open_at" if full else "next_at"]
        qs = qs.annotate(next_at=next_at(now=timezone.now()))
        order = [F("next_at").asc(nulls_last=True), *order]
    elif words:
        order = ["-relevance", *order]
    return qs.order_by(*order)


@dataclass(frozen=True)
class CatalogList:
    """The catalog as one list for the paginator: the bookable offers, then the full ones
    (`catalog(full=True)`), each in the order chosen. A slice reads only the parts it
    covers, so the first pages cost what they did before full offers were listed; it
    gives `(queryset, full)` parts for `catalog_page_rows`."""

    filters: CatalogFilters
    bookable_count: int

    def __getitem__(self, part: slice) -> list[tuple[QuerySet[Offer], bool]]:
        start, stop, n = part.start or 0, part.stop, self.bookable_count
        parts = []
        if start < n:
            parts.append((catalog(self.filters)[start : min(stop, n)], False))
        if stop > n:
            parts.append((catalog(self.filters, full=True)[max(start - n, 0) : stop - n], True))
        return parts


def catalog_counts(f: CatalogFilters) -> dict[str, int]:
    """How many offers the catalog lists: bookable, and full (waiting list only)."""
    return {
        "bookable": catalog(f, per_row=False).count(),
        "full": catalog(f, per_row=False, full=True).count(),
    }


def catalog_page_rows(parts, *, near: Point | None = None) -> list[dict]:
    """The cards of a page of `CatalogList`: bookable ones, then full ones."""
    return [row for qs, full in parts for row in catalog_rows(qs, near=near, full=full)]


def next_publication() -> float:
    """The timestamp of the next scheduled publication (infinity when none): the
    catalog's cached count holds until then."""
    upcoming = Offer.objects.filter(status=OfferStatus.PUBLISHED, publish_at__gt=Now()).aggregate(
        first=Min("publish_at")
    )["first"]
    return upcoming.timestamp() if upcoming else float("inf")


def bookable_sessions(offer: Offer) -> QuerySet[Session]:
    # `Session.ends_at` reads the offer: selected with each session, not one query each.
    return (
        rules.open_sessions(timezone.now())
        .filter(offer=offer)
        .select_related("offer")
        .order_by("starts_at")
    )


def dates_shown_to_young(offer: Offer) -> list[Session]:
    """The offer page's dates: those open for booking and, marked « Annulée » among
    them, those cancelled that were still to come (a cancelled date does not vanish)."""
    now = timezone.now()
    # `Session.ends_at` reads the offer: selected with each session, not one query each.
    open_ = rules.open_sessions(now).filter(offer=offer).select_related("offer")
    cancelled = rules.cancelled_sessions_to_come(now).filter(offer=offer).select_related("offer")
    return sorted([*open_, *cancelled], key=lambda s: (s.starts_at, s.pk))


def my_bookings(user: User) -> QuerySet[Booking]:
    return (
        bookings_of_beneficiary(user)
        .select_related("offer", "venue", "session__offer")
        .order_by("-booked_at")
    )


def waitlist_of(user: User) -> QuerySet[WaitlistEntry]:
    """A young person's entries on waiting lists, with what their pages show and their
    place in line (`rank`)."""
    return (
        waitlist_entries_of(user)
        .select_related("offer__venue", "session__offer", "stock")
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


def _next_session(now):
    return rules.sessions_with_places(now).filter(offer=OuterRef("pk")).order_by("starts_at")


def _next_open_session(now):
    return rules.open_sessions(now).filter(offer=OuterRef("pk")).order_by("starts_at")


# The card's next date, its places left, a stock's: sub-selects compiled once per
# process (passlib/sql.py: building and compiling them cost more than running them).
_CARD = {
    "next_at": CompiledExpression(
        Offer,
        lambda now: Subquery(_next_session(now).values("starts_at")[:1]),
        DateTimeField(),
        {"now": "datetime"},
    ),
    "next_open_at": CompiledExpression(
        Offer,
        lambda now: Subquery(_next_open_session(now).values("starts_at")[:1]),
        DateTimeField(),
        {"now": "datetime"},
    ),
    # The next session's own length (its end: offers/rules.py `duration_of`).
    "next_minutes": CompiledExpression(
        Offer,
        lambda now: Subquery(_next_session(now).values("duration_minutes")[:1]),
        IntegerField(),
        {"now": "datetime"},
    ),
    "next_open_minutes": CompiledExpression(
        Offer,
        lambda now: Subquery(_next_open_session(now).values("duration_minutes")[:1]),
        IntegerField(),
        {"now": "datetime"},
    ),
    "next_left": CompiledExpression(
        Offer,
        lambda now: Subquery(
            _next_session(now)
            .annotate(left=Coalesce("quota", "total_places") - F("booked_count") - F("held_count"))
            .values("left")[:1],
            output_field=IntegerField(),
        ),
        IntegerField(),
        {"now": "datetime"},
    ),
    "stock_left": CompiledExpression(
        Offer,
        lambda: Subquery(
            Stock.objects.filter(offer=OuterRef("pk"))
            .annotate(left=F("quantity") - F("booked_count") - F("held_count"))
            .values("left")[:1],
            output_field=IntegerField(),
        ),
        IntegerField(),
        {},
    ),
}


def _card_subqueries(now, full: bool) -> dict:
    """The next session with a place left of each card's offer, and what is left of it
    or of the stock (None: unlimited), as sub-selects of the page's one query. A full
    offer: its next open session (its waiting list)."""
    if full:
        return {
            "next_at": _CARD["next_open_at"](now=now),
            "next_minutes": _CARD["next_open_minutes"](now=now),
        }
    return {
        "next_at": _CARD["next_at"](now=now),
        "next_minutes": _CARD["next_minutes"](now=now),
        "next_left": _CARD["next_left"](now=now),
        "stock_left": _CARD["stock_left"](),
    }


def distance_label(km: float) -> str:
    """« à moins d'1 km », « à 3,1 km », « à 277 km »."""
    if km < 1:
        return "à moins d'1 km"
    return f"à {km:.0f} km" if km >= 10 else f"à {km:.1f} km".replace(".", ",")


def _places_label(left: int | None) -> str:
    if left is None:
        return "Places disponibles"
    return count_fr(left, "place restante", "places restantes")


FULL_LABEL = "Complet — liste d'attente"


def catalog_rows(
    queryset: QuerySet[Offer], *, near: Point | None = None, full: bool = False
) -> list[dict]:
    """Display-ready cards of a page of the catalog (one `.values()` query): the
    picture, the next date in the venue's time zone and the places left (a full offer:
    « Complet — liste d'attente »), the distance when a place was chosen; texts escaped
    once (passlib/rows.py)."""
    now = timezone.now()
    rows = []
    fields = ["next_at", "next_minutes"]
    if not full:
        fields += ["next_left", "stock_left"]
    values = queryset.annotate(**_card_subqueries(now, full)).values(
        "public_id",
        "title",
        "subcategory_id",
        "venue__name",
        "venue__public_name",
        "venue__city",
        "venue__departement",
        "venue__time_zone",
        "venue__latitude",
        "venue__longitude",
        "price_cents",
        "duration_minutes",
        "image_small",
        "image_small_width",
        "image_small_height",
        "image_alt",
        "age_min",
        "age_max",
        *fields,
    )
    for r in values:
        card = {
            "url": uuid_url("offers:catalog_offer", r["public_id"]),
            "title": r["title"],
            "subcategory": get_subcategory(r["subcategory_id"]).label,
            "venue": r["venue__public_name"] or r["venue__name"],
            "city": r["venue__city"],
            "departement": r["venue__departement"],
            "price": euros(r["price_cents"]) if r["price_cents"] else "Gratuit",
            "ages": age_range_fr(r["age_min"], r["age_max"]),
            "image_alt": r["image_alt"],
        }
        if r["next_at"] is not None:
            minutes = rules.duration_of(
                r["next_minutes"], r["duration_minutes"], r["subcategory_id"]
            )
            ends_at = r["next_at"] + timedelta(minutes=minutes)
            when = session_time_fr(r["next_at"], ends_at, weekday=True, tz=r["venue__time_zone"])
            card["when"] = f"Prochaine date : {when}"
        if full:
            card["places"] = FULL_LABEL
            card["full"] = True
        elif r["next_at"] is not None:
            card["places"] = _places_label(r["next_left"])
        else:
            card["places"] = _places_label(r["stock_left"]) if r["stock_left"] != 0 else ""
        if near is not None and r["venue__latitude"] is not None:
            km = geo.distance_km(near, Point(r["venue__latitude"], r["venue__longitude"]))
            card["distance"] = distance_label(km)
        row = escaped(card)
        if r["image_small"]:
            row["image"] = {
                "url": default_storage.url(r["image_small"]),
                "width": r["image_small_width"],
                "height": r["image_small_height"],
            }
        rows.append(row)
    return rows
