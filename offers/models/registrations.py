"""People registered for a session (or a stock) through another channel than pass Culture:
at the desk, by phone, by e-mail, in another tool, or counted at the door (SPEC §9,
« One capacity for every channel »).

A registration takes `places` from the session's total (`Session.other_count`, kept by
offers/services/registrations.py only), never from the pass Culture quota; the CHECK
constraints of offers/models/places.py guard the sum. A walk-in (« sans inscription »)
is counted at the door for attendance and statistics and takes no place (the session has
started; docs/decisions.md). While `waiting`, the registration is in the session's one
waiting line with the young people's entries, in order of `joined_at`.

Contact details are kept only with the person's consent and only for this session; the
retention rules erase the name, contact and note and keep the counts, channel and age
bracket.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

MAX_PARTY = 30  # places one registration may take (a family, a small group)


class Channel(models.TextChoices):
    """How a person registered; pass Culture's own is a booking, not a registration."""

    DESK = "desk", "Accueil"
    PHONE = "phone", "Téléphone"
    EMAIL = "email", "Courrier électronique"
    OTHER_TOOL = "other_tool", "Autre outil"
    WALK_IN = "walk_in", "Sans inscription"


# The « Canal » of a pass Culture booking, in lists that show both.
PASS_CULTURE = ("pass", "pass Culture")
# Every channel a participant can come through, in the order lists and statistics show.
ALL_CHANNELS = (PASS_CULTURE, *Channel.choices)


class AgeBracket(models.TextChoices):
    """For statistics only: no birth date is asked."""

    UNKNOWN = "unknown", "Non précisé"
    UNDER_15 = "under_15", "Moins de 15 ans"
    AGE_15_18 = "15_18", "15 à 18 ans"
    AGE_19_25 = "19_25", "19 à 25 ans"
    AGE_26_64 = "26_64", "26 à 64 ans"
    AGE_65 = "65_plus", "65 ans et plus"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", "Inscription confirmée"
    WAITING = "waiting", "En liste d'attente"
    CANCELLED = "cancelled", "Annulée"


class Attendance(models.TextChoices):
    UNKNOWN = "", "Non marqué"
    PRESENT = "present", "Présent"
    ABSENT = "absent", "Absent"


class Registration(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    offer = models.ForeignKey(
        "offers.Offer", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    session = models.ForeignKey(
        "offers.Session",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="registrations",
        db_index=False,
    )
    stock = models.ForeignKey(
        "offers.Stock",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="registrations",
        db_index=False,
    )
    channel = models.CharField("canal", max_length=12, choices=Channel.choices)
    # A name or initials; a walk-in counted by number may have none.
    name = models.CharField("nom", max_length=150, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    contact_consent = models.BooleanField(
        "accepte d'être contacté pour cette séance", default=False
    )
    age_bracket = models.CharField(
        "tranche d'âge", max_length=10, choices=AgeBracket.choices, default=AgeBracket.UNKNOWN
    )
    places = models.PositiveSmallIntegerField("nombre de places", default=1)
    note = models.CharField("note", max_length=500, blank=True)
    status = models.CharField(
        "statut",
        max_length=10,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.REGISTERED,
    )
    attendance = models.CharField(
        "présence", max_length=7, choices=Attendance.choices, blank=True, default=""
    )
    attendance_at = models.DateTimeField("présence marquée le", null=True, blank=True)
    joined_at = models.DateTimeField("inscrit le", default=timezone.now)
    # From the waiting line to a place: when, so the page says « à prévenir ».
    promoted_at = models.DateTimeField("place attribuée le", null=True, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = "inscription hors pass Culture"
        verbose_name_plural = "inscriptions hors pass Culture"
        ordering = ["joined_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(session__isnull=False, stock__isnull=True)
                | models.Q(session__isnull=True, stock__isnull=False),
                name="registration_session_xor_stock",
            ),
            models.CheckConstraint(
                condition=models.Q(places__gte=1, places__lte=MAX_PARTY),
                name="registration_places_range",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values), name="registration_channel_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=RegistrationStatus.values),
                name="registration_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(attendance__in=Attendance.values),
                name="registration_attendance_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(age_bracket__in=AgeBracket.values),
                name="registration_age_valid",
            ),
            # Contact details only with the person's consent.
            models.CheckConstraint(
                condition=models.Q(contact_consent=True) | models.Q(phone="", email=""),
                name="registration_contact_consented",
            ),
            # Counted at the door: never waiting, never cancelled into a free place.
            models.CheckConstraint(
                condition=~models.Q(channel="walk_in") | ~models.Q(status="waiting"),
                name="registration_walk_in_not_waiting",
            ),
        ]
        indexes = [
            models.Index(
                fields=["session", "status", "joined_at", "id"],
                condition=models.Q(session__isnull=False),
                name="registration_session_line",
            ),
            models.Index(
                fields=["stock", "status", "joined_at", "id"],
                condition=models.Q(stock__isnull=False),
                name="registration_stock_line",
            ),
            models.Index(fields=["offer", "status"], name="registration_offer"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} — {self.name or 'sans nom'} ({self.places})"

    @property
    def takes_places(self) -> bool:
        """Counted in the target's `other_count` (a walk-in takes none)."""
        return self.status == RegistrationStatus.REGISTERED and self.channel != Channel.WALK_IN
