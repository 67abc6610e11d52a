"""Individual offers of a venue, with a stock (physical) or sessions (event)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.utils import timezone

from catalog.categories import SUBCATEGORIES, get_subcategory
from offers.models.places import (
    all_left,
    pass_left,
    session_within_capacity,
    stock_within_capacity,
)
from offers.templatetags.money import euros
from passlib.dates import FIRST_DAY, LAST_DAY, within_range
from passlib.durations import MAX_MINUTES, MIN_MINUTES
from passlib.images import ImageFields, alt_required

# `title__length` in the CHECK constraints below.
models.CharField.register_lookup(Length)
models.TextField.register_lookup(Length)

MAX_PRICE_CENTS = 30_000
DEFAULT_DURATION = 90  # minutes: an event subcategory that names none
# The ages of the individual scheme (SPEC §5): an offer's age range lies within them.
AGE_MIN, AGE_MAX = 15, 18
TITLE_MAX = 90
DESCRIPTION_MAX = 10_000


class OfferStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    PUBLISHED = "published", "Publiée"
    DEACTIVATED = "deactivated", "Désactivée"


class DisplayStatus(models.TextChoices):
    """Status shown in lists: the stored one, refined by places, dates and validation."""

    DRAFT = "draft", "Brouillon"
    PUBLISHED = "published", "Publiée"
    DEACTIVATED = "deactivated", "Désactivée"
    SOLD_OUT = "sold_out", "Complète"
    EXPIRED = "expired", "Expirée"
    AWAITING = "awaiting", "En attente"


def duration_of(session_minutes: int | None, offer_minutes: int | None, subcategory_id: str):
    """How long a session lasts, in minutes (SPEC §9), on plain values (a catalogue
    card's row reads them so): the session's own length, else the offer's, else the
    subcategory's usual one (catalog/categories.py), else DEFAULT_DURATION. The models'
    `Offer.duration` and `Session.duration` read it; offers/rules.py names it."""
    usual = get_subcategory(subcategory_id).default_duration or DEFAULT_DURATION
    return session_minutes or offer_minutes or usual


def _catalog_pair_condition() -> models.Q:
    return reduce(
        or_,
        (models.Q(category_id=s.category.id, subcategory_id=s.id) for s in SUBCATEGORIES),
    )


class Offer(ImageFields, models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    venue = models.ForeignKey("accounts.Venue", on_delete=models.PROTECT, related_name="offers")
    category_id = models.CharField("catégorie", max_length=20)
    subcategory_id = models.CharField("sous-catégorie", max_length=30)
    title = models.CharField("titre", max_length=TITLE_MAX)
    description = models.TextField("description", max_length=DESCRIPTION_MAX, blank=True)
    speaker = models.CharField("intervenant", max_length=200, blank=True)
    director = models.CharField("réalisateur", max_length=200, blank=True)
    visa = models.CharField("visa d'exploitation", max_length=20, blank=True)
    accessibility_audio = models.BooleanField("handicap auditif", default=False)
    accessibility_mental = models.BooleanField("handicap psychique ou cognitif", default=False)
    accessibility_motor = models.BooleanField("handicap moteur", default=False)
    accessibility_visual = models.BooleanField("handicap visuel", default=False)
    withdrawal_details = models.TextField("modalités de retrait", blank=True, max_length=2000)
    booking_email = models.EmailField("adresse électronique pour les réservations", blank=True)
    price_cents = models.PositiveIntegerField("prix (centimes)", default=0)
    status = models.CharField(
        "statut", max_length=12, choices=OfferStatus.choices, default=OfferStatus.DRAFT
    )
    # Scheduled publication (offers/policy.py): a published offer appears to young people
    # from `publish_at` and takes bookings from `booking_opens_at` (None: at once). Both
    # are instants, derived from time: no job flips anything.
    publish_at = models.DateTimeField("publication le", null=True, blank=True)
    booking_opens_at = models.DateTimeField("ouverture des réservations le", null=True, blank=True)
    # How long each session lasts (minutes), unless a session says otherwise; None: the
    # subcategory's usual length (`duration_of`). Events only.
    duration_minutes = models.PositiveSmallIntegerField("durée (minutes)", null=True, blank=True)
    # The ages the offer is meant for ("Dès 15 ans", "15–17 ans"); None: no bound.
    age_min = models.PositiveSmallIntegerField("âge minimum", null=True, blank=True)
    age_max = models.PositiveSmallIntegerField("âge maximum", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The stored twin of offers/rules.py `next_bookable_session`: the next session a young
    # person may book (None: none, or not published), its start (the catalogue's order by
    # date, read from the index `offer_next_session`) and its booking limit (when the
    # twin must be looked for again: the periodic `refresh_next_sessions`). Written only
    # by offers/services/next_sessions.py.
    next_session = models.ForeignKey(
        "offers.Session",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    next_session_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_session_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "offre"
        ordering = ["-created_at", "-id"]
        constraints = [
            alt_required("offer"),
            models.CheckConstraint(condition=_catalog_pair_condition(), name="offer_catalog_pair"),
            models.CheckConstraint(
                condition=models.Q(price_cents__gte=0, price_cents__lte=MAX_PRICE_CENTS),
                name="offer_price_range",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=OfferStatus.values), name="offer_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(title__length__gte=1, title__length__lte=TITLE_MAX),
                name="offer_title_length",
            ),
            models.CheckConstraint(
                condition=models.Q(description__length__lte=DESCRIPTION_MAX),
                name="offer_description_length",
            ),
            models.CheckConstraint(
                condition=within_range("publish_at", "booking_opens_at", nullable=True),
                name="offer_schedule_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__isnull=True)
                | models.Q(duration_minutes__gte=MIN_MINUTES, duration_minutes__lte=MAX_MINUTES),
                name="offer_duration_range",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(age_min__isnull=True)
                    | models.Q(age_min__gte=AGE_MIN, age_min__lte=AGE_MAX)
                )
                & (
                    models.Q(age_max__isnull=True)
                    | models.Q(age_max__gte=AGE_MIN, age_max__lte=AGE_MAX)
                )
                & (
                    models.Q(age_min__isnull=True)
                    | models.Q(age_max__isnull=True)
                    | models.Q(age_min__lte=models.F("age_max"))
                ),
                name="offer_age_range",
            ),
        ]
        indexes = [
            models.Index(fields=["venue", "status"], name="offer_venue_status"),
            models.Index(fields=["venue", "-created_at", "-id"], name="offer_venue_created"),
            models.Index(fields=["-created_at", "-id"], name="offer_created_desc"),
            # « Date la plus proche »: the published offers in the catalogue's order, those
            # without a next session (stocks, expired) last (PostgreSQL's ASC: NULLS LAST).
            models.Index(
                fields=["next_session_at", "-created_at", "-id"],
                condition=models.Q(status="published"),
                name="offer_next_session",
            ),
            # Nearest first: a venue's offers, soonest first (offers/selectors/catalog.py).
            models.Index(
                fields=["venue", "next_session_at", "-created_at", "-id"],
                condition=models.Q(status="published"),
                name="offer_venue_next_session",
            ),
            models.Index(
                fields=["next_session_until"],
                condition=models.Q(next_session_until__isnull=False),
                name="offer_next_session_until",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def subcategory(self):
        return get_subcategory(self.subcategory_id)

    @property
    def is_event(self) -> bool:
        return self.subcategory.is_event

    @property
    def duration(self) -> int:
        """How long each session lasts, in minutes: the offer's own length, else its
        subcategory's usual one (`duration_of`)."""
        return duration_of(None, self.duration_minutes, self.subcategory_id)

    @property
    def is_free(self) -> bool:
        return self.price_cents == 0

    @property
    def display_status_label(self) -> str:
        """Label of the `display_status` annotation (see offers.selectors)."""
        return DisplayStatus(self.display_status).label

    @property
    def price_euros(self) -> str:
        return euros(self.price_cents)


class Stock(models.Model):
    """The single stock of a physical offer; quantity None means unlimited."""

    offer = models.OneToOneField(Offer, on_delete=models.CASCADE, related_name="stock")
    quantity = models.PositiveIntegerField("quantité", null=True, blank=True)
    booked_count = models.PositiveIntegerField("réservations", default=0)
    # Places held for the waiting list (offers/services/waitlist.py).
    held_count = models.PositiveIntegerField("places proposées à la liste d'attente", default=0)
    # Places taken by registrations from other channels (offers/services/registrations.py).
    other_count = models.PositiveIntegerField("places prises hors pass Culture", default=0)
    booking_limit_date = models.DateField("date limite de réservation", null=True, blank=True)

    class Meta:
        verbose_name = "stock"
        constraints = [
            # offers/models/places.py: the one form of the rule.
            models.CheckConstraint(
                condition=stock_within_capacity("lte"), name="stock_never_oversold"
            ),
            models.CheckConstraint(
                condition=within_range(
                    "booking_limit_date", nullable=True, first=FIRST_DAY, last=LAST_DAY
                ),
                name="stock_limit_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Stock de {self.offer_id}"

    @property
    def remaining(self) -> int | None:
        """Python twin of offers/models/places.py for one stock (None: unlimited)."""
        if self.quantity is None:
            return None
        return self.quantity - self.booked_count - self.held_count - self.other_count

    places_left = remaining  # a stock has no quota: places left for any channel

    @property
    def taken(self) -> int:
        return self.booked_count + self.held_count + self.other_count


class SessionCancelReason(models.TextChoices):
    """Why a venue cancels a session (the short list; a free text may add to it)."""

    SPEAKER = "speaker", "Intervenant indisponible"
    ROOM = "room", "Salle indisponible"
    TOO_FEW = "too_few", "Trop peu d'inscrits"
    CLOSURE = "closure", "Fermeture exceptionnelle du lieu"
    OTHER = "other", "Autre motif"


class Session(models.Model):
    """One date of an event offer. Bookable places = quota, else total places, else ∞."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField("début")
    total_places = models.PositiveIntegerField("nombre de places", null=True, blank=True)
    quota = models.PositiveIntegerField("quota pass Culture", null=True, blank=True)
    booking_limit_at = models.DateTimeField("date limite de réservation")
    booked_count = models.PositiveIntegerField("réservations", default=0)
    # Places held for the waiting list (offers/services/waitlist.py).
    held_count = models.PositiveIntegerField("places proposées à la liste d'attente", default=0)
    # Other channels' registrations and the number a library keeps on its own list: both
    # from the total, never from the quota (offers/models/places.py).
    other_count = models.PositiveIntegerField("inscriptions hors pass Culture", default=0)
    outside_places = models.PositiveIntegerField("places déjà prises hors pass Culture", default=0)
    # The sessions created together by one recurrence rule share a series id, so they
    # can be changed or deleted together ("this one and the following ones").
    series = models.UUIDField("série", null=True, blank=True, editable=False)
    # This session's own length (minutes), overriding the offer's (offers/rules.py).
    duration_minutes = models.PositiveSmallIntegerField("durée (minutes)", null=True, blank=True)
    # Programme changes (SPEC §9). `sequence` is the calendar files' SEQUENCE: raised at
    # each move or cancellation, so a phone replaces the event it holds (same UID).
    sequence = models.PositiveIntegerField("version", default=0)
    # Last moved (new date or time) at; the young person's cancellation deadline counts
    # from it too (offers/rules.py `cancellation_deadline_at`).
    moved_at = models.DateTimeField("déplacée le", null=True, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    cancellation_reason = models.CharField(
        "motif d'annulation", max_length=20, choices=SessionCancelReason.choices, blank=True
    )
    cancellation_comment = models.CharField("précisions", max_length=500, blank=True)

    class Meta:
        verbose_name = "séance"
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quota__isnull=True)
                | models.Q(total_places__isnull=True)
                | models.Q(quota__lte=models.F("total_places")),
                name="session_quota_within_places",
            ),
            # offers/models/places.py: the one form of the rule.
            models.CheckConstraint(
                condition=session_within_capacity("lte"), name="session_never_oversold"
            ),
            models.CheckConstraint(
                condition=models.Q(booking_limit_at__lte=models.F("starts_at")),
                name="session_limit_before_start",
            ),
            models.CheckConstraint(
                condition=within_range("starts_at", "booking_limit_at"),
                name="session_dates_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__isnull=True)
                | models.Q(duration_minutes__gte=MIN_MINUTES, duration_minutes__lte=MAX_MINUTES),
                name="session_duration_range",
            ),
            models.CheckConstraint(
                condition=models.Q(cancelled_at__isnull=True, cancellation_reason="")
                | (models.Q(cancelled_at__isnull=False) & ~models.Q(cancellation_reason="")),
                name="session_cancelled_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["offer", "starts_at"], name="session_offer_start"),
            models.Index(
                fields=["series", "starts_at"],
                condition=models.Q(series__isnull=False),
                name="session_series_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id} @ {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def capacity(self) -> int | None:
        return self.quota if self.quota is not None else self.total_places

    @property
    def remaining(self) -> int | None:
        """Pass Culture places left: Python twin of offers/models/places.py for one
        session (None: unlimited)."""
        return pass_left(
            self.quota,
            self.total_places,
            self.booked_count,
            self.held_count,
            self.other_count,
            self.outside_places,
        )

    @property
    def places_left(self) -> int | None:
        """Places of the total left for any channel (None: unlimited)."""
        return all_left(
            self.total_places,
            self.booked_count,
            self.held_count,
            self.other_count,
            self.outside_places,
        )

    @property
    def left_for_anyone(self) -> int | None:
        """What a librarian reads as « places restantes »: of the total for any channel,
        else (no total) of the quota; None: unlimited."""
        return self.places_left if self.total_places is not None else self.remaining

    @property
    def taken(self) -> int:
        """Places taken by every channel (booked, held, registered, kept outside)."""
        return self.booked_count + self.held_count + self.other_count + self.outside_places

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def duration(self) -> int:
        """This session's length in minutes: its own, else its offer's (reads
        `self.offer`: select it with the session)."""
        offer = self.offer
        return duration_of(self.duration_minutes, offer.duration_minutes, offer.subcategory_id)

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration)


class ExportLog(models.Model):
    """Who downloaded which export of personal data, when, with which filters."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField("liste", max_length=30)
    fmt = models.CharField("format", max_length=5)
    filters = models.CharField("filtres", max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "export consulté"
        verbose_name_plural = "exports consultés"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind}.{self.fmt} par {self.actor_id}"
