"""Reads of offers, scoped to the person, with the display status computed in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Status, User, Venue
from accounts.permissions import officer_departements, roles_of
from accounts.selectors import managed_venue_ids
from offers.models import DisplayStatus, Offer, OfferStatus, Session


def _sessions_with_places(now):
    """Sessions of the outer offer still open with a place left (for the day filter)."""
    return (
        Session.objects.filter(offer=OuterRef("pk"), booking_limit_at__gt=now)
        .annotate(cap=Coalesce("quota", "total_places"))
        .filter(Q(cap__isnull=True) | Q(booked_count__lt=F("cap")))
    )


# Inside an OR (or a CASE), PostgreSQL turns `EXISTS (… WHERE offer_id = outer.id)` into
# a hashed sub-plan when it expects many outer rows: it then reads every open session or
# stock of the database to build the hash, even for a page of 20 offers (5 ms on 10,000
# offers, growing with the table). A redundant inequality on the correlation
# (`offer_id >= outer.id`, implied by the equality) is not hashable, so the planner
# probes the offer_id index for each row it actually reads, and a page stops after 20.
# Counts, which read every row, keep the hashed form (`per_row=False`).
_PER_ROW = " AND {alias}.offer_id >= offers_offer.id"

# The display status as one SQL expression over the outer "offers_offer" row. Written
# as SQL rather than built from ORM expressions: the four EXISTS sub-queries cost more
# to build and compile on every request (4 ms) than the list query takes to run. Only
# code constants are formatted in; the dates are parameters.
_DISPLAY_STATUS_SQL = f"""CASE
  WHEN offers_offer.status = '{OfferStatus.DRAFT}' THEN '{DisplayStatus.DRAFT}'
  WHEN offers_offer.status = '{OfferStatus.DEACTIVATED}' THEN '{DisplayStatus.DEACTIVATED}'
  WHEN NOT EXISTS (
    SELECT 1 FROM accounts_venue dv
    JOIN accounts_collectivite dc ON dc.id = dv.collectivite_id
    WHERE dv.id = offers_offer.venue_id
      AND dv.status = '{Status.VALIDATED}' AND dc.status = '{Status.VALIDATED}'
  ) THEN '{DisplayStatus.AWAITING}'
  WHEN NOT (
    EXISTS (SELECT 1 FROM offers_session ds WHERE ds.offer_id = offers_offer.id{{s}}
            AND ds.booking_limit_at > %s)
    OR EXISTS (SELECT 1 FROM offers_stock dk WHERE dk.offer_id = offers_offer.id{{k}}
            AND (dk.booking_limit_date IS NULL OR dk.booking_limit_date >= %s))
  ) THEN '{DisplayStatus.EXPIRED}'
  WHEN NOT ({{has_places}}) THEN '{DisplayStatus.SOLD_OUT}'
  ELSE '{DisplayStatus.PUBLISHED}'
END"""  # noqa: S608

# A place left on a session or stock still open (params: now, today).
_HAS_PLACES_SQL = """
    EXISTS (SELECT 1 FROM offers_session ds WHERE ds.offer_id = offers_offer.id{s}
            AND ds.booking_limit_at > %s
            AND (COALESCE(ds.quota, ds.total_places) IS NULL
                 OR ds.booked_count < COALESCE(ds.quota, ds.total_places)))
    OR EXISTS (SELECT 1 FROM offers_stock dk WHERE dk.offer_id = offers_offer.id{k}
            AND (dk.booking_limit_date IS NULL OR dk.booking_limit_date >= %s)
            AND (dk.quantity IS NULL OR dk.booked_count < dk.quantity))"""


def _correlation(per_row: bool) -> dict[str, str]:
    """What closes the session (`s`) and stock (`k`) sub-queries' WHERE."""
    if not per_row:
        return {"s": "", "k": ""}
    return {"s": _PER_ROW.format(alias="ds"), "k": _PER_ROW.format(alias="dk")}


_HAS_PLACES = {p: _HAS_PLACES_SQL.format(**_correlation(p)) for p in (False, True)}
_DISPLAY_STATUS = {
    p: _DISPLAY_STATUS_SQL.format(**_correlation(p), has_places=_HAS_PLACES[p])
    for p in (False, True)
}


def _now_and_today() -> tuple:
    """The current instant and local day, as query parameters."""
    from django.db import connection

    return (
        connection.ops.adapt_datetimefield_value(timezone.now()),
        connection.ops.adapt_datefield_value(timezone.localdate()),
    )


def with_display_status(qs: QuerySet[Offer], *, per_row: bool = False) -> QuerySet[Offer]:
    """Annotate `display_status` in SQL (no per-row Python).

    Order of precedence: brouillon, désactivée, en attente (collectivité or venue not
    validated), expirée (nothing bookable in the future), complète (no place left),
    publiée. `per_row` for a page of rows read in order (see _PER_ROW).

    The expression refers to the outer table by its name: use it on a top-level query of
    offers, not inside a sub-query (where Django renames the table).
    """
    now, today = _now_and_today()
    return qs.annotate(
        display_status=RawSQL(  # noqa: S611 - constant SQL, dates as parameters
            _DISPLAY_STATUS[per_row], (now, today, now, today), output_field=CharField()
        )
    )


def offers_readable_by(user: User) -> QuerySet[Offer]:
    """Managed offers, plus (read-only) the offers of an officer's départements."""
    departements = officer_departements(user) if roles_of(user)["officer"] else ()
    managed = Q(venue_id__in=managed_venue_ids(user))
    if departements:
        return Offer.objects.filter(managed | Q(venue__departement__in=departements))
    return Offer.objects.filter(managed)


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
    return qs.select_related("venue", "venue__collectivite").order_by("-created_at", "-id")


def offer_counts(user: User, f: OfferFilters) -> dict[str, int]:
    """Offers per display status for the filters other than the status (one query,
    cached like the booking counts: the generation moves with every offer or booking
    write)."""

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


# --- beneficiaries ------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogFilters:
    departement: str = ""
    category: str = ""
    free_only: bool = False
    day: object = None  # a date: offers with a session that day


def bookable_offers(f: CatalogFilters, *, per_row: bool = True) -> QuerySet[Offer]:
    """What a beneficiary may book now: published offers of validated collectivités and
    venues with a place left and an open booking limit. Counting them: `per_row=False`
    (see _PER_ROW)."""
    qs = Offer.objects.filter(
        status=OfferStatus.PUBLISHED,
        venue__status=Status.VALIDATED,
        venue__collectivite__status=Status.VALIDATED,
    ).filter(
        RawSQL(  # noqa: S611 - constant SQL, dates as parameters
            f"({_HAS_PLACES[per_row]})", _now_and_today(), output_field=BooleanField()
        )
    )
    if f.departement:
        qs = qs.filter(venue__departement=f.departement)
    if f.category:
        qs = qs.filter(category_id=f.category)
    if f.free_only:
        qs = qs.filter(price_cents=0)
    if f.day:
        qs = qs.filter(Exists(_sessions_with_places(timezone.now()).filter(starts_at__date=f.day)))
    return qs.select_related("venue").order_by("-created_at", "-id")


def bookable_sessions(offer: Offer) -> QuerySet[Session]:
    return offer.sessions.filter(booking_limit_at__gt=timezone.now()).order_by("starts_at")


def bookings_of_beneficiary(user: User):
    from offers.models import Booking

    return (
        Booking.objects.filter(beneficiary=user)
        .select_related("offer", "venue", "session")
        .order_by("-booked_at")
    )


# --- pro side: bookings --------------------------------------------------------------------


def bookings_managed_by(user: User):
    """Bookings of the venues the person manages (the guichet and the lists)."""
    from offers.models import Booking

    return Booking.objects.filter(venue_id__in=managed_venue_ids(user))


@dataclass(frozen=True)
class BookingFilters:
    venue: int | None = None  # a venue id
    offer: str = ""  # words of the offer's title
    status: str = ""
    booked_from: object = None
    booked_to: object = None
    event_from: object = None
    event_to: object = None
    q: str = ""


def _day_start(day) -> datetime:
    """Midnight starting `day` in the current time zone, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _bookings_filtered(user: User, f: BookingFilters):
    qs = bookings_managed_by(user)
    if f.venue is not None:
        qs = qs.filter(venue_id=f.venue)
    if f.offer:
        qs = qs.filter(offer__title__icontains=f.offer)
    # Dates are days of the current time zone, compared as instants (from that day's
    # midnight, until the next day's): `booked_at__date` would wrap the column in a
    # cast that no index can serve.
    if f.booked_from:
        qs = qs.filter(booked_at__gte=_day_start(f.booked_from))
    if f.booked_to:
        qs = qs.filter(booked_at__lt=_day_start(f.booked_to + timedelta(days=1)))
    if f.event_from:
        qs = qs.filter(session__starts_at__gte=_day_start(f.event_from))
    if f.event_to:
        qs = qs.filter(session__starts_at__lt=_day_start(f.event_to + timedelta(days=1)))
    if f.q:
        term = f.q.strip()
        qs = qs.filter(
            Q(code=term.upper())
            | Q(beneficiary__last_name__icontains=term)
            | Q(beneficiary__first_name__icontains=term)
        )
    return qs


def booking_list(user: User, f: BookingFilters):
    qs = _bookings_filtered(user, f)
    if f.status:
        qs = qs.filter(status=f.status)
    return qs.select_related("offer", "venue", "session", "beneficiary", "validated_by").order_by(
        "-booked_at", "-id"
    )


COUNTS_CACHE_SECONDS = 60
_GENERATION_KEY = "booking-counts-generation"


def cached_counts(key_parts: tuple, compute):
    """Counts for a list, kept COUNTS_CACHE_SECONDS per (generation, key): lists are
    counted once a minute at most, or again right after a write (see counts_changed)."""
    import hashlib

    from django.core.cache import cache

    key = "counts:" + hashlib.sha256(repr((counts_generation(), *key_parts)).encode()).hexdigest()
    counts = cache.get(key)
    if counts is None:
        counts = compute()
        cache.set(key, counts, COUNTS_CACHE_SECONDS)
    return counts


def counts_generation() -> int:
    from django.core.cache import cache

    return cache.get_or_set(_GENERATION_KEY, 0, None)


def counts_changed() -> None:
    """Called after any booking write: cached counts are recomputed on the next view."""
    from django.core.cache import cache

    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:
        cache.set(_GENERATION_KEY, 1, None)


def booking_counts(user: User, f: BookingFilters) -> dict[str, int]:
    """Bookings per status for the filters (status aside), in one grouped query.

    On a large collectivité this grouped count is a scan of every booking, while the
    rows of a page are read live from an index: the counts are cached (cached_counts),
    keyed by the venues, the filters and a generation number that every booking write
    increments, so a librarian sees their own action at once. The list's total comes
    from these counts, so the table is never counted twice. With several web
    processes, share the cache (CACHE_URL).
    """
    from offers.models import BookingStatus

    def compute() -> dict[str, int]:
        counts = dict.fromkeys(BookingStatus.values, 0)
        rows = _bookings_filtered(user, f).order_by().values("status").annotate(n=Count("pk"))
        for row in rows:
            counts[row["status"]] = row["n"]
        return counts

    return cached_counts(
        (
            "bookings",
            managed_venue_ids(user),
            f.venue,
            f.offer,
            f.booked_from,
            f.booked_to,
            f.event_from,
            f.event_to,
            f.q,
        ),
        compute,
    )


# --- collective offers ----------------------------------------------------------------------


def _collective_display_status(qs):
    """Annotate `display_status` of bookable collective offers in SQL."""
    from django.db.models import Subquery

    from offers.models import CollectiveBooking, CollectiveBookingStatus, CollectiveStatus

    booking_status = Subquery(
        CollectiveBooking.objects.filter(offer=OuterRef("pk"))
        .exclude(status=CollectiveBookingStatus.CANCELLED)
        .values("status")[:1]
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


def showcases_managed_by(user: User):
    from offers.models import CollectiveShowcase

    return CollectiveShowcase.objects.filter(venue_id__in=managed_venue_ids(user))


def collective_offers_managed_by(user: User):
    from offers.models import CollectiveOffer

    return CollectiveOffer.objects.filter(venue_id__in=managed_venue_ids(user))


@dataclass(frozen=True)
class CollectiveFilters:
    venue: Venue | None = None
    status: str = ""
    q: str = ""


def _collective_filtered(qs, f: CollectiveFilters):
    if f.venue is not None:
        qs = qs.filter(venue=f.venue)
    if f.q:
        qs = qs.filter(title__icontains=f.q)
    return qs


def pro_showcases(user: User, f: CollectiveFilters):
    qs = _collective_filtered(showcases_managed_by(user), f)
    if f.status in ("draft", "published", "archived"):
        qs = qs.filter(status=f.status)
    return (
        qs.select_related("venue")
        .annotate(request_count=Count("requests"))
        .order_by("-created_at", "-id")
    )


def pro_collective_offers(user: User, f: CollectiveFilters):
    qs = _collective_display_status(_collective_filtered(collective_offers_managed_by(user), f))
    if f.status:
        qs = qs.filter(display_status=f.status)
    return qs.select_related("venue", "school").order_by("-created_at", "-id")


def _teacher_scope(qs, school):
    return qs.filter(
        status="published",
        venue__status=Status.VALIDATED,
        venue__collectivite__status=Status.VALIDATED,
        intervention_area__contains=f",{school.departement},",
    )


@dataclass(frozen=True)
class TeacherFilters:
    domain: str = ""
    level: str = ""
    subcategory: str = ""


def _teacher_filtered(qs, f: TeacherFilters):
    if f.domain:
        qs = qs.filter(domains__contains=f",{f.domain},")
    if f.level:
        qs = qs.filter(school_levels__contains=f",{f.level},")
    if f.subcategory:
        qs = qs.filter(subcategory_id=f.subcategory)
    return qs


def showcases_for_teacher(school, f: TeacherFilters):
    from offers.models import CollectiveShowcase

    qs = _teacher_scope(CollectiveShowcase.objects.all(), school)
    return _teacher_filtered(qs, f).select_related("venue").order_by("-created_at", "-id")


def bookable_for_teacher(school, f: TeacherFilters):
    """Published, still open, not booked, and for this school or any school."""
    from offers.models import CollectiveBooking, CollectiveBookingStatus, CollectiveOffer

    taken = CollectiveBooking.objects.filter(offer=OuterRef("pk")).exclude(
        status=CollectiveBookingStatus.CANCELLED
    )
    qs = (
        _teacher_scope(CollectiveOffer.objects.all(), school)
        .filter(booking_limit_at__gt=timezone.now())
        .filter(Q(school__isnull=True) | Q(school=school))
        .filter(~Exists(taken))
    )
    return _teacher_filtered(qs, f).select_related("venue").order_by("starts_at", "id")


def school_bookings(school):
    from offers.models import CollectiveBooking

    return (
        CollectiveBooking.objects.filter(school=school)
        .select_related("offer", "venue", "teacher")
        .order_by("-prebooked_at", "-id")
    )


def collective_bookings_managed_by(user: User):
    from offers.models import CollectiveBooking

    return (
        CollectiveBooking.objects.filter(venue_id__in=managed_venue_ids(user))
        .select_related("offer", "venue", "school", "teacher")
        .order_by("-prebooked_at", "-id")
    )


# --- list rows as plain values ---------------------------------------------------------------
# The list pages print many rows; reading them with `.values()` and formatting them
# once here avoids instantiating six joined models per row and the template engine's
# attribute lookups, which cost more than the query itself on a large collectivité.

# The other tables a bookings row shows are read by scalar sub-selects rather than joins:
# the page query then has one table in its FROM, which PostgreSQL plans in 0.2 ms where
# the five-table join took 1.6 ms (more than running it), and each sub-select is one
# primary-key probe for each of the 25 rows. They refer to the outer "offers_booking" row:
# for a top-level query of bookings only.
_BOOKING_ROW_SQL = {
    "offer_title": "SELECT o.title FROM offers_offer o WHERE o.id = offers_booking.offer_id",
    "event_at": "SELECT s.starts_at FROM offers_session s WHERE s.id = offers_booking.session_id",
    "beneficiary_name": "SELECT u.first_name || ' ' || u.last_name FROM accounts_user u "
    "WHERE u.id = offers_booking.beneficiary_id",
    "validator_name": "SELECT u.first_name || ' ' || u.last_name FROM accounts_user u "
    "WHERE u.id = offers_booking.validated_by_id",
}
_BOOKING_ROW_FIELDS = (
    "public_id",
    "code",
    "status",
    "validated_auto",
    "price_cents",
    "booked_at",
    "venue_id",
    *_BOOKING_ROW_SQL,
)


def _booking_row_columns() -> dict:
    from django.db.models import DateTimeField

    return {
        name: RawSQL(  # noqa: S611 - constant SQL, no parameter
            f"({sql})", (), output_field=DateTimeField() if name == "event_at" else CharField()
        )
        for name, sql in _BOOKING_ROW_SQL.items()
    }


def _local(value, tz_name: str, fmt: str = "%d/%m/%Y %H:%M") -> str:
    from zoneinfo import ZoneInfo

    return timezone.localtime(value, ZoneInfo(tz_name)).strftime(fmt) if value else ""


def booking_rows(queryset, venues: dict[int, tuple[str, str]]) -> list[dict]:
    """Display-ready rows of a page of bookings (one query). `venues`: the name and time
    zone of each venue (`managed_venue_labels`), read with the person's roles; the other
    tables through the sub-selects of _BOOKING_ROW_SQL (the query joins none)."""
    from offers.models import BookingStatus
    from offers.templatetags.money import euros

    labels = dict(BookingStatus.choices)
    rows = []
    for r in queryset.annotate(**_booking_row_columns()).values(*_BOOKING_ROW_FIELDS):
        venue, tz = venues[r["venue_id"]]
        status = labels[r["status"]]
        validator = (r["validator_name"] or "").strip()
        if r["status"] == "validated" and r["validated_auto"]:
            status = "Validée automatiquement"
        rows.append(
            {
                "public_id": r["public_id"],
                "code": r["code"],
                "beneficiary": r["beneficiary_name"],
                "offer": r["offer_title"],
                "venue": venue,
                "event": _local(r["event_at"], tz) or "—",
                "booked": _local(r["booked_at"], tz),
                "price": euros(r["price_cents"]) if r["price_cents"] else "Gratuit",
                "status": status,
                "validated_by": validator
                if r["status"] == "validated" and not r["validated_auto"]
                else "",
                "cancellable": r["status"] == "confirmed",
            }
        )
    return rows


def offer_rows(queryset) -> list[dict]:
    """Display-ready rows of a page of offers (with the `display_status` annotation)."""
    from catalog.categories import get_subcategory
    from offers.templatetags.money import euros

    labels = dict(DisplayStatus.choices)
    return [
        {
            "public_id": r["public_id"],
            "title": r["title"],
            "venue": r["venue__public_name"] or r["venue__name"],
            "subcategory": get_subcategory(r["subcategory_id"]).label,
            "price": euros(r["price_cents"]) if r["price_cents"] else "Gratuit",
            "status": r["display_status"],
            "status_label": labels[r["display_status"]],
        }
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


def catalog_rows(queryset) -> list[dict]:
    """Display-ready cards of a page of the beneficiaries' catalog (one query)."""
    from catalog.categories import get_subcategory
    from offers.templatetags.money import euros

    return [
        {
            "public_id": r["public_id"],
            "title": r["title"],
            "subcategory": get_subcategory(r["subcategory_id"]).label,
            "venue": r["venue__public_name"] or r["venue__name"],
            "city": r["venue__city"],
            "departement": r["venue__departement"],
            "price": euros(r["price_cents"]) if r["price_cents"] else "Gratuit",
        }
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
