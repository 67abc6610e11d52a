"""Reads of individual offers for the pro side: the list, its counts, one offer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from accounts.models import User
from accounts.policy import managed_venue_ids, officer_departements, roles_of
from catalog.categories import get_subcategory
from offers import rules
from offers.models import DisplayStatus, Offer
from offers.policy import offers_readable_by
from offers.templatetags.money import euros
from passlib.counts import cached_counts
from passlib.links import uuid_url
from passlib.rows import escaped


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
    with `.values()`: no model instances, one query. Texts escaped once
    (passlib/rows.py)."""
    labels = dict(DisplayStatus.choices)
    return [
        escaped(
            {
                "url": uuid_url("offers:detail", r["public_id"]),
                "title": r["title"],
                "venue": r["venue__public_name"] or r["venue__name"],
                "subcategory": get_subcategory(r["subcategory_id"]).label,
                "price": euros(r["price_cents"]) if r["price_cents"] else "Gratuit",
                "status": r["display_status"],
                "status_label": labels[r["display_status"]],
            }
        )
        for r in queryset.values(
            "public_id",
            "title",
            "venue__name",
            "venue__public_name",
            "subcategory_id",
            "price_cents",
            "display_status",
        )
    ]
