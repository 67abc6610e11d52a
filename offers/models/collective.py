"""Collective offers for school groups: showcases, bookable offers, requests, bookings."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from catalog.categories import get_subcategory
from offers.collective_reference import DOMAIN_LABELS, LEVEL_LABELS, unpack
from offers.models.individual import _catalog_pair_condition
from passlib.dates import within_range
from passlib.images import ImageFields, alt_required

COLLECTIVE_TITLE_MAX = 110
COLLECTIVE_DESCRIPTION_MAX = 1500


class CollectiveStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    PUBLISHED = "published", "Publiée"
    ARCHIVED = "archived", "Archivée"


class LocationType(models.TextChoices):
    VENUE = "venue", "Dans le lieu"
    SCHOOL = "school", "Dans l'établissement scolaire"
    OTHER = "other", "Autre adresse"


class CollectiveBase(ImageFields, models.Model):
    """Fields common to showcase and bookable collective offers."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    venue = models.ForeignKey("accounts.Venue", on_delete=models.PROTECT, related_name="+")
    category_id = models.CharField("catégorie", max_length=20)
    subcategory_id = models.CharField("sous-catégorie", max_length=30)
    title = models.CharField("titre", max_length=COLLECTIVE_TITLE_MAX)
    description = models.TextField("description", max_length=COLLECTIVE_DESCRIPTION_MAX, blank=True)
    # Lists stored as ",a,b," (see collective_reference.pack).
    school_levels = models.CharField("niveaux scolaires", max_length=500, blank=True)
    domains = models.CharField("domaines artistiques et culturels", max_length=500, blank=True)
    intervention_area = models.CharField("zone de mobilité (départements)", max_length=1000)
    location_type = models.CharField(
        "lieu de l'activité",
        max_length=10,
        choices=LocationType.choices,
        default=LocationType.VENUE,
    )
    location_address = models.CharField("adresse", max_length=255, blank=True)
    location_comment = models.CharField("précisions sur le lieu", max_length=500, blank=True)
    contact_email = models.EmailField("adresse électronique de contact")
    contact_phone = models.CharField("téléphone de contact", max_length=30, blank=True)
    accessibility_audio = models.BooleanField("handicap auditif", default=False)
    accessibility_mental = models.BooleanField("handicap psychique ou cognitif", default=False)
    accessibility_motor = models.BooleanField("handicap moteur", default=False)
    accessibility_visual = models.BooleanField("handicap visuel", default=False)
    status = models.CharField(
        "statut", max_length=10, choices=CollectiveStatus.choices, default=CollectiveStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def subcategory(self):
        return get_subcategory(self.subcategory_id)

    @property
    def level_labels(self) -> list[str]:
        return [LEVEL_LABELS.get(v, v) for v in unpack(self.school_levels)]

    @property
    def domain_labels(self) -> list[str]:
        return [DOMAIN_LABELS.get(v, v) for v in unpack(self.domains)]

    @property
    def departements(self) -> list[str]:
        return unpack(self.intervention_area)


def _common_constraints(prefix: str) -> list:
    return [
        models.CheckConstraint(condition=_catalog_pair_condition(), name=f"{prefix}_catalog_pair"),
        models.CheckConstraint(
            condition=models.Q(title__length__gte=1, title__length__lte=COLLECTIVE_TITLE_MAX),
            name=f"{prefix}_title_length",
        ),
        models.CheckConstraint(
            condition=models.Q(description__length__lte=COLLECTIVE_DESCRIPTION_MAX),
            name=f"{prefix}_description_length",
        ),
        models.CheckConstraint(
            condition=models.Q(status__in=CollectiveStatus.values), name=f"{prefix}_status_valid"
        ),
        alt_required(prefix),
    ]


class CollectiveShowcase(CollectiveBase):
    """Offre vitrine: what the venue proposes to schools; teachers send requests."""

    class Meta:
        verbose_name = "offre vitrine"
        verbose_name_plural = "offres vitrines"
        ordering = ["-created_at", "-id"]
        constraints = _common_constraints("showcase")
        indexes = [models.Index(fields=["venue", "-created_at"], name="showcase_venue_created")]


class CollectiveRequest(models.Model):
    """A teacher's request through a showcase offer; answered by a bookable offer."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    showcase = models.ForeignKey(
        CollectiveShowcase, on_delete=models.CASCADE, related_name="requests"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, related_name="+")
    message = models.TextField("message", max_length=2000)
    students = models.PositiveIntegerField("nombre d'élèves")
    preferred_dates = models.CharField("dates souhaitées", max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "demande d'enseignant"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(students__gte=1), name="request_students_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"Demande de {self.school} pour {self.showcase_id}"


class CollectiveOffer(CollectiveBase):
    """A bookable collective offer with dates and a total price; takes one booking."""

    showcase = models.ForeignKey(
        CollectiveShowcase,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookable_offers",
    )
    request = models.ForeignKey(
        CollectiveRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="offers"
    )
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")
    booking_limit_at = models.DateTimeField("date limite de réservation")
    price_cents = models.PositiveIntegerField("prix total (centimes)", default=0)
    price_details = models.CharField("détail du prix", max_length=1000, blank=True)
    students = models.PositiveIntegerField("nombre d'élèves")
    school = models.ForeignKey(
        "accounts.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="réservée à l'établissement",
    )

    class Meta:
        verbose_name = "offre collective réservable"
        verbose_name_plural = "offres collectives réservables"
        ordering = ["-created_at", "-id"]
        constraints = [
            *_common_constraints("collective"),
            models.CheckConstraint(
                condition=within_range("starts_at", "ends_at", "booking_limit_at"),
                name="collective_dates_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="collective_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(booking_limit_at__lte=models.F("starts_at")),
                name="collective_limit_before_start",
            ),
            models.CheckConstraint(
                condition=models.Q(students__gte=1), name="collective_students_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["venue", "-created_at"], name="collective_venue_created"),
            models.Index(fields=["status", "booking_limit_at"], name="collective_status_limit"),
        ]


class CollectiveBookingStatus(models.TextChoices):
    PREBOOKED = "prebooked", "Préréservée"
    BOOKED = "booked", "Réservée"
    ENDED = "ended", "Terminée"
    REIMBURSED = "reimbursed", "Remboursée"
    CANCELLED = "cancelled", "Annulée"


class CollectiveCancellationReason(models.TextChoices):
    SCHOOL = "school", "Annulée par l'établissement"
    VENUE = "venue", "Annulée par le lieu"


class CollectiveBooking(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    offer = models.ForeignKey(CollectiveOffer, on_delete=models.PROTECT, related_name="bookings")
    venue = models.ForeignKey("accounts.Venue", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, related_name="collective_bookings"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "statut",
        max_length=12,
        choices=CollectiveBookingStatus.choices,
        default=CollectiveBookingStatus.PREBOOKED,
    )
    prebooked_at = models.DateTimeField("préréservée le", default=timezone.now)
    confirmed_at = models.DateTimeField("confirmée le", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField("terminée le", null=True, blank=True)
    reimbursed_at = models.DateTimeField("remboursée le", null=True, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancellation_reason = models.CharField(
        max_length=10, choices=CollectiveCancellationReason.choices, blank=True
    )
    cancellation_comment = models.CharField("motif", max_length=500, blank=True)

    class Meta:
        verbose_name = "réservation collective"
        verbose_name_plural = "réservations collectives"
        ordering = ["-prebooked_at", "-id"]
        constraints = [
            # A bookable collective offer takes one (not cancelled) booking.
            models.UniqueConstraint(
                fields=["offer"],
                condition=~models.Q(status="cancelled"),
                name="collective_one_booking_per_offer",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=CollectiveBookingStatus.values),
                name="collective_booking_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled")
                | (models.Q(cancelled_at__isnull=False) & ~models.Q(cancellation_reason="")),
                name="collective_cancelled_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["venue", "-prebooked_at"], name="cbooking_venue"),
            models.Index(fields=["school", "-prebooked_at"], name="cbooking_school"),
            models.Index(fields=["status"], name="cbooking_status"),
        ]

    def __str__(self) -> str:
        return f"{self.school} — {self.offer_id}"
