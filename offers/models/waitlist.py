"""The waiting list of a full session or stock (offers/services/waitlist.py)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", "En attente"
    OFFERED = "offered", "Place proposée"
    BOOKED = "booked", "Réservée"
    LEFT = "left", "Sortie de la liste"
    EXPIRED = "expired", "Place non confirmée à temps"
    CLOSED = "closed", "Réservations closes"


ACTIVE = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


class WaitlistEntry(models.Model):
    """One young person waiting for a place of one session (or stock).

    In line while `waiting`, in order of `joined_at` (then id). `offered`: a freed place
    is held for them (counted in the session's or stock's `held_count`) until
    `offered_until`; confirming books it (`booked`), letting the time pass gives it to
    the next one (`expired`)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    offer = models.ForeignKey(
        "offers.Offer", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    session = models.ForeignKey(
        "offers.Session",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="waitlist",
        db_index=False,
    )
    stock = models.ForeignKey(
        "offers.Stock",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="waitlist",
        db_index=False,
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    status = models.CharField(
        "statut", max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    joined_at = models.DateTimeField("inscrit le", default=timezone.now)
    offered_at = models.DateTimeField("place proposée le", null=True, blank=True)
    offered_until = models.DateTimeField("à confirmer avant le", null=True, blank=True)
    ended_at = models.DateTimeField("terminée le", null=True, blank=True)
    booking = models.ForeignKey(
        "offers.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = "inscription sur liste d'attente"
        verbose_name_plural = "listes d'attente"
        ordering = ["joined_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(session__isnull=False, stock__isnull=True)
                | models.Q(session__isnull=True, stock__isnull=False),
                name="waitlist_session_xor_stock",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=WaitlistStatus.values), name="waitlist_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=WaitlistStatus.OFFERED)
                | models.Q(offered_until__isnull=False),
                name="waitlist_offer_has_deadline",
            ),
            # One place in line per person and session (or stock).
            models.UniqueConstraint(
                fields=["person", "session"],
                condition=models.Q(status__in=ACTIVE, session__isnull=False),
                name="waitlist_one_per_session",
            ),
            models.UniqueConstraint(
                fields=["person", "stock"],
                condition=models.Q(status__in=ACTIVE, stock__isnull=False),
                name="waitlist_one_per_stock",
            ),
        ]
        indexes = [
            models.Index(
                fields=["session", "status", "joined_at", "id"],
                condition=models.Q(session__isnull=False),
                name="waitlist_session_line",
            ),
            models.Index(
                fields=["stock", "status", "joined_at", "id"],
                condition=models.Q(stock__isnull=False),
                name="waitlist_stock_line",
            ),
            models.Index(
                fields=["offered_until"],
                condition=models.Q(status="offered"),
                name="waitlist_holds_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.session_id or self.stock_id} ({self.status})"
