"""Reads for young people: the catalog of bookable offers, an offer's dates, their
bookings."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.files.storage import default_storage
from django.db.models import (
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from accounts import geo
from accounts.geo import Point
from accounts.models import Venue
from accounts.positions import DistanceFrom, VenuePosition, WithinCircle
from catalog.categories import get_subcategory
from offers import rules
from offers.models import (
    Offer,
    OfferStatus,
    Session,
    Stock,
)
from offers.models.places import session_pass_left
from offers.policy import (
    bookable_offers,
    full_offers,
)
from offers.templatetags.money import euros
from passlib import search
from passlib.formats import age_range_fr, count_fr, number_fr, session_time_fr
from passlib.links import uuid_url

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
    the words (passlib/search.py), with their `relevance`. One OR that PostgreSQL reads
    as a BitmapOr of the offers' GIN index and their venue index (`AmongFound`): each
    offer found is read once from the table (an `IN (… UNION …)` probed each id found by
    primary key; an OR with `IN (sub-select)` tested every published offer)."""
    venues = Venue.objects.filter(search.matching(VENUE_SEARCHED, words)).order_by()
    found = search.matching(fields, words) | Q(search.AmongFound("venue_id", venues.values("pk")))
    return qs.filter(found).annotate(relevance=search.rank(fields, words))


def _distance(near: Point):
    """What orders venues nearest first: on PostgreSQL, the distance in the Mercator
    plane that the GiST index on `accounts_venue.mercator_point` orders by
    (accounts/positions.py); on SQLite, a squared distance in degrees of latitude
    (equirectangular: a degree of longitude is cos(latitude) of one of latitude), enough
    to order. The cards' labels use accounts/geo.py `distance_km`."""
    if search.is_postgres():
        return DistanceFrom(VenuePosition("venue"), near)
    shrink = math.cos(math.radians(near.latitude))
    return ExpressionWrapper(
        (F("venue__latitude") - near.latitude) * (F("venue__latitude") - near.latitude)
        + (F("venue__longitude") - near.longitude)
        * (F("venue__longitude") - near.longitude)
        * (shrink * shrink),
        output_field=FloatField(),
    )


def _within_nearest_venues(near: Point, venues: int):
    """The outer offer's venue is no farther from `near` than the `venues`-th nearest
    venue (ties included): both the radius (a KNN walk of the GiST index) and the circle
    are read from the index on `accounts_venue.mercator_point`."""
    radius = (
        Venue.objects.filter(latitude__isnull=False, longitude__isnull=False)
        .annotate(distance=DistanceFrom(VenuePosition(""), near))
        .order_by("distance")
        .values("distance")[venues - 1 : venues]
    )
    return WithinCircle(
        VenuePosition("venue"),
        near,
        Coalesce(Subquery(radius), Value(math.inf), output_field=FloatField()),
    )


def nearest_venue_ids(near: Point) -> list[int]:
    """The venues nearest to `near`, all at the same distance (usually one): a walk of
    the GiST index on `accounts_venue.mercator_point` (PostgreSQL)."""
    rows = list(
        Venue.objects.filter(latitude__isnull=False, longitude__isnull=False)
        .annotate(distance=DistanceFrom(VenuePosition(""), near))
        .order_by("distance")
        .values_list("pk", "distance")[:8]
    )
    return [pk for pk, distance in rows if distance == rows[0][1]]


def catalog(
    f: CatalogFilters,
    *,
    per_row: bool = True,
    full: bool = False,
    nearest_venues: int | None = None,
    venue_ids: list[int] | None = None,
) -> QuerySet[Offer]:
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
    # At the same distance (the venues of one place), the soonest first.
    soonest = [F("next_session_at").asc(nulls_last=True), *order]
    if f.sort == "distance" and f.near is not None and venue_ids is not None:
        # Venues all at the nearest distance (`nearest_venue_ids`): the distance is the
        # same for each of their offers, so the order is theirs, soonest first, read
        # from the index `offer_venue_next_session` and stopped after the page.
        qs = qs.filter(venue_id__in=venue_ids)
        order = soonest
    elif f.sort == "distance" and f.near is not None:
        if nearest_venues:
            qs = qs.filter(_within_nearest_venues(f.near, nearest_venues))
        order = [_distance(f.near).asc(nulls_last=True), *soonest]
    elif f.sort == "date" and full:
        # The full offers (few): by their next open session, computed per row.
        qs = qs.annotate(next_open_at=Subquery(_next_open_session().values("starts_at")[:1]))
        order = [F("next_open_at").asc(nulls_last=True), *order]
    elif f.sort == "date":
        # The stored next bookable session (offers/services/next_sessions.py): PostgreSQL
        # walks the index `offer_next_session` in this order (ASC is NULLS LAST there) and
        # stops after the page, checking each offer's filters as it reads it.
        order = [F("next_session_at").asc(nulls_last=True), *order]
    elif words:
        order = ["-relevance", *order]
    return qs.order_by(*order)


# Nearest first on PostgreSQL: the offers of the nearest venue (and of those at the
# same distance), soonest first, else of the 8 nearest, else of the 64 nearest, else all
# of them (catalog_page_rows).
NEAREST_VENUES = (1, 8, 64, None)


@dataclass(frozen=True)
class CatalogList:
    """The catalog as one list for the paginator: the bookable offers, then the full ones
    (`catalog(full=True)`), each in the order chosen. A slice reads only the parts it
    covers, so the first pages cost what they did before full offers were listed; it
    gives `(filters, start, stop, full)` parts for `catalog_page_rows`."""

    filters: CatalogFilters
    bookable_count: int

    def __getitem__(self, part: slice) -> list[tuple[CatalogFilters, int, int, bool]]:
        start, stop, n = part.start or 0, part.stop, self.bookable_count
        parts = []
        if start < n:
            parts.append((self.filters, start, min(stop, n), False))
        if stop > n:
            parts.append((self.filters, max(start - n, 0), stop - n, True))
        return parts


def catalog_counts(f: CatalogFilters) -> dict[str, int]:
    """How many offers the catalog lists: bookable, and full (waiting list only)."""
    return {
        "bookable": catalog(f, per_row=False).count(),
        "full": catalog(f, per_row=False, full=True).count(),
    }


def catalog_page_rows(parts, *, near: Point | None = None) -> list[dict]:
    """The cards of a page of `CatalogList`: bookable ones, then full ones.

    Nearest first on PostgreSQL, the bookable ones are read first among the offers of
    the nearest venue (`nearest_venue_ids`: one distance, so its own index gives the
    order), then among the nearest venues (`NEAREST_VENUES`), widened while the page is
    not full: PostgreSQL 15 walks a GiST index by distance only when the distance is the
    whole ORDER BY, not its first key, so the order (distance, soonest, newest) cannot
    stop early on its own. Every venue outside the circle is farther than every venue
    inside it, so the page is the same (tests/offers/test_catalog_sorted.py)."""
    rows = []
    for f, start, stop, full in parts:
        tries = (None,)
        if not full and f.sort == "distance" and f.near is not None and search.is_postgres():
            tries = NEAREST_VENUES
        for venues in tries:
            if venues == 1:
                qs = catalog(f, full=full, venue_ids=nearest_venue_ids(f.near))[start:stop]
            else:
                qs = catalog(f, full=full, nearest_venues=venues)[start:stop]
            cards = catalog_rows(qs, near=near, full=full)
            if len(cards) == stop - start:
                break
        rows += cards
    return rows


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


def _next_open_session():
    return rules.open_sessions(timezone.now()).filter(offer=OuterRef("pk")).order_by("starts_at")


def _card_columns(full: bool) -> dict:
    """Each card's next date, its length and the places left. A bookable offer: its
    stored next bookable session (`Offer.next_session`, joined), else what is left of its
    stock (a sub-select; None: unlimited). A full offer: its next open session (its
    waiting list), a sub-select. Places left for pass Culture, as
    offers/models/places.py counts them (`session_pass_left`)."""
    if full:
        nxt = _next_open_session()
        return {
            "next_at": Subquery(nxt.values("starts_at")[:1]),
            "next_minutes": Subquery(nxt.values("duration_minutes")[:1]),
        }
    stock = Stock.objects.filter(offer=OuterRef("pk"))
    return {
        "next_at": F("next_session__starts_at"),
        "next_minutes": F("next_session__duration_minutes"),
        "next_left": session_pass_left("next_session__"),
        "stock_left": Subquery(
            stock.values(
                left=F("quantity") - F("booked_count") - F("held_count") - F("other_count")
            )[:1]
        ),
    }


def distance_label(km: float) -> str:
    """« à moins d'1 km », « à 3,1 km », « à 277 km », « à 8 993 km » (overseas)."""
    if km < 1:
        return "à moins d'1 km"
    return f"à {number_fr(round(km))} km" if km >= 10 else f"à {km:.1f} km".replace(".", ",")


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
    « Complet — liste d'attente »), the distance when a place was chosen."""
    rows = []
    columns = _card_columns(full)
    values = queryset.annotate(**columns).values(
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
        *columns,
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
        row = card
        if r["image_small"]:
            row["image"] = {
                "url": default_storage.url(r["image_small"]),
                "width": r["image_small_width"],
                "height": r["image_small_height"],
            }
        rows.append(row)
    return rows
