"""Reads of individual offers for the pro side: the list, its counts, one offer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.policy import managed_venue_ids, officer_departements, roles_of
from catalog.categories import get_subcategory
from offers import rules
from offers.models import DisplayStatus, Offer
from offers.policy import offers_readable_by
from offers.templatetags.money import euros
from passlib.counts import cached_counts
from passlib.formats import count_fr, datetime_fr
from passlib.links import uuid_url
from passlib.sql import aware


def with_display_status(qs: QuerySet[Offer], *, per_row: bool = False) -> QuerySet[Offer]:
    """Annotate `display_status` (offers/rules.py) on a top-level query of offers."""
    return qs.annotate(display_status=rules.display_status(per_row=per_row))


@dataclass(frozen=True)
class OfferFilters:
    venue: int | None = None  # a venue id
    category: str = ""
    status: str = ""
    pricing: str = ""  # "free", "paid" or ""
    q: str = ""


def _filtered(qs: QuerySet[Offer], f: OfferFilters) -> QuerySet[Offer]:
    if f.venue is not None:
        qs = qs.filter(venue_id=f.venue)
    if f.category:
        qs = qs.filter(category_id=f.category)
    if f.pricing == "free":
        qs = qs.filter(price_cents=0)
    elif f.pricing == "paid":
        qs = qs.filter(price_cents__gt=0)
    if f.q:
        qs = qs.filter(title__icontains=f.q)
    return qs


def offer_list(user: User, f: OfferFilters) -> QuerySet[Offer]:
    # Without a status filter the page is read in order from an index and stops after
    # a page: the status is then worked out per row. Filtered by status, every offer's
    # status is needed, and the hashed form is the cheaper one.
    qs = with_display_status(_filtered(offers_readable_by(user), f), per_row=not f.status)
    if f.status:
        qs = qs.filter(display_status=f.status)
    return qs.order_by("-created_at", "-id")


def offer_counts(user: User, f: OfferFilters) -> dict[str, int]:
    """Offers per display status for the filters other than the status (one grouped
    query, kept in the shared cache: passlib/counts.py)."""

    def compute() -> dict[str, int]:
        qs = with_display_status(_filtered(offers_readable_by(user), f))
        counts = dict.fromkeys(DisplayStatus.values, 0)
        for row in qs.order_by().values("display_status").annotate(n=Count("pk")):
            counts[row["display_status"]] = row["n"]
        return counts

    return cached_counts(
        (
            "offers",
            managed_venue_ids(user),
            roles_of(user)["officer"] and sorted(officer_departements(user)),
            f.venue,
            f.category,
            f.pricing,
            f.q,
        ),
        compute,
    )


def offer_detail(user: User) -> QuerySet[Offer]:
    return with_display_status(offers_readable_by(user)).select_related(
        "venue", "venue__collectivite", "created_by", "updated_by"
    )


def offer_rows(queryset: QuerySet[Offer]) -> list[dict]:
    """Display-ready rows of a page of offers (with the `display_status` annotation), read
    with `.values()`: no model instances. Each row says what is bookable: an event
    offer's sessions to come (how many, the next one, places booked and left), a
    physical offer's stock (booked and left). Three queries whatever the page size."""
    labels = dict(DisplayStatus.choices)
    found = list(
        queryset.values(
            "id",
            "public_id",
            "title",
            "venue__name",
            "venue__public_name",
            "venue__time_zone",
            "subcategory_id",
            "price_cents",
            "display_status",
        )
    )
    places = _places_of([r["id"] for r in found])
    return [
        {
            "url": uuid_url("offers:detail", r["public_id"]),
            "public_id": r["public_id"],
            "title": r["title"],
            "venue": r["venue__public_name"] or r["venue__name"],
            "subcategory": get_subcategory(r["subcategory_id"]).label,
            "price": euros(r["price_cents"]) if r["price_cents"] else "Gratuit",
            "status": r["display_status"],
            "status_label": labels[r["display_status"]],
            "places": _places_text(places.get(r["id"]), r["venue__time_zone"]),
        }
        for r in found
    ]


# One round trip for a page's offers: their sessions to come (a cancelled one is not
# to come: it stays listed « Annulée » on the offer's page), aggregated, and their
# stocks. Booked: every channel's places; left: of the total for anyone (else of the
# quota), as offers/models/places.py counts them, held places included. Plain SQL:
# compiling the ORM's aggregate cost more than running it (the list
# is in `make bench`).
_PLACES_SQL = """
    SELECT s.offer_id, 'event',
           COUNT(*) FILTER (WHERE s.starts_at > %s AND s.cancelled_at IS NULL),
           MIN(s.starts_at) FILTER (WHERE s.starts_at > %s AND s.cancelled_at IS NULL),
           SUM(s.booked_count + s.other_count + s.outside_places)
               FILTER (WHERE s.starts_at > %s AND s.cancelled_at IS NULL),
           SUM(COALESCE(s.total_places - s.booked_count - s.held_count - s.other_count
                        - s.outside_places, s.quota - s.booked_count - s.held_count))
               FILTER (WHERE s.starts_at > %s AND s.cancelled_at IS NULL
                       AND (s.quota IS NOT NULL OR s.total_places IS NOT NULL)),
           COUNT(*) FILTER (WHERE s.starts_at > %s AND s.cancelled_at IS NULL
                            AND s.quota IS NULL AND s.total_places IS NULL)
    FROM offers_session s WHERE s.offer_id IN ({ids}) GROUP BY s.offer_id
    UNION ALL
    SELECT st.offer_id, 'stock', NULL, NULL, st.booked_count + st.other_count,
           st.quantity - st.held_count, NULL
    FROM offers_stock st WHERE st.offer_id IN ({ids})
"""


def _places_of(ids: list[int]) -> dict[int, dict]:
    """Per offer id: its sessions to come (count, next start, booked, left, unlimited
    ones) or its stock (booked, quantity less the places held)."""
    if not ids:
        return {}
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(_PLACES_SQL.format(ids=marks), [now] * 5 + ids + ids)
        found = {}
        for offer_id, kind, count, first, booked, left, unlimited in cursor.fetchall():
            if kind == "stock":
                # `left` is the quantity less the places held for the waiting list
                # (`booked_count` counts every channel's: their difference is left).
                found[offer_id] = {"kind": kind, "booked_count": booked, "available": left}
            else:
                found[offer_id] = {
                    "kind": kind,
                    "count": count,
                    "next": aware(first),
                    "booked": booked,
                    "left": left,
                    "unlimited": unlimited,
                }
    return found


def _places_text(places: dict | None, time_zone: str) -> str:
    """ "3 séances à venir, prochaine le 2 décembre 2026 à 15:00 — 5 places prises,
    19 places restantes" (taken and left by every channel, pass Culture's included)."""
    if places is None:
        return "Aucune séance"
    if places["kind"] == "stock":
        booked, available = places["booked_count"], places["available"]
        left = (
            "stock illimité"
            if available is None
            else count_fr(available - booked, "restant", "restants", "aucun restant")
        )
        return f"{count_fr(booked, 'réservé', 'réservés')}, {left}"
    if not places["count"]:
        return "Aucune séance à venir"
    left = (
        "places illimitées"
        if places["unlimited"]
        else count_fr(places["left"], "place restante", "places restantes", "aucune place restante")
    )
    booked = count_fr(places["booked"], "place prise", "places prises")
    return (
        f"{count_fr(places['count'], 'séance à venir', 'séances à venir')}, prochaine le "
        f"{datetime_fr(places['next'], tz=time_zone)} — {booked}, {left}"
    )
