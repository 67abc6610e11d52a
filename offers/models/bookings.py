"""Bookings of individual offers: a young person's place in a session or a stock,
with its counter code (offers/services/bookings.py)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from offers.models.individual import Offer, Session, Stock


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmée"
    VALIDATED = "validated", "Validée"
    CANCELLED = "cancelled", "Annulée"
    REIMBURSED = "reimbursed", "Remboursée"


class CancellationReason(models.TextChoices):
    BENEFICIARY = "beneficiary", "Annulée par le bénéficiaire"
    VENUE = "venue", "Annulée par le lieu"
    STRUCTURE_REJECTED = "structure_rejected", "Structure rejetée"
    OFFER_DEACTIVATED = "offer_deactivated", "Offre désactivée"
    EXPIRED = "expired", "Non retirée sous 30 jours"


# Codes avoid characters read alike: no 0/O, no 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


class Booking(models.Model):
    """A beneficiary's booking of a session or of a stock, with its counter code."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Unique through a constraint (below), not `unique=True`: on PostgreSQL the field
    # option adds a second, pattern-matching index that no query uses.
    code = models.CharField("contremarque", max_length=CODE_LENGTH)
    # Foreign keys covered by a composite index below carry no index of their own, and
    # the session and stock ones are partial (a booking has one or the other): every
    # index is work for the set-based UPDATE of validate_subscription_bookings.
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, related_name="bookings", db_index=False
    )
    venue = models.ForeignKey(
        "accounts.Venue", on_delete=models.PROTECT, related_name="bookings", db_index=False
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        db_index=False,
    )
    stock = models.ForeignKey(
        Stock,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        db_index=False,
    )
    beneficiary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="bookings",
        db_index=False,
    )
    price_cents = models.PositiveIntegerField("prix (centimes)", default=0)
    status = models.CharField(
        "statut", max_length=12, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    booked_at = models.DateTimeField("réservée le", default=timezone.now)
    validated_at = models.DateTimeField("validée le", null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    validated_auto = models.BooleanField("validée automatiquement", default=False)
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
        "motif d'annulation", max_length=20, choices=CancellationReason.choices, blank=True
    )
    cancellation_comment = models.CharField("commentaire", max_length=500, blank=True)
    reimbursed_at = models.DateTimeField("remboursée le", null=True, blank=True)
    # The venue marked the young person absent from the session (a no-show): the booking
    # stays confirmed, is never validated automatically, and is not reimbursed.
    absent_at = models.DateTimeField("absent le", null=True, blank=True)
    absent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # Free subscription card (ABO_BIBLIOTHEQUE / ABO_MEDIATHEQUE at 0 €): validated
    # automatically 30 days after booking. Set once at booking time so the periodic
    # UPDATE touches this table only.
    is_free_subscription = models.BooleanField(default=False)
    # The reminders sent (offers/services/reminders.py): each once per booking.
    reminded_at = models.DateTimeField("rappel avant la limite d'annulation", null=True, blank=True)
    day_before_reminded_at = models.DateTimeField("rappel de la veille", null=True, blank=True)

    class Meta:
        verbose_name = "réservation"
        ordering = ["-booked_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(session__isnull=False, stock__isnull=True)
                | models.Q(session__isnull=True, stock__isnull=False),
                name="booking_session_xor_stock",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=BookingStatus.values), name="booking_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=BookingStatus.VALIDATED)
                | models.Q(validated_at__isnull=False),
                name="booking_validated_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=BookingStatus.CANCELLED)
                | (models.Q(cancelled_at__isnull=False) & ~models.Q(cancellation_reason="")),
                name="booking_cancelled_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$"),
                name="booking_code_alphabet",
            ),
            models.UniqueConstraint(fields=["code"], name="booking_code_unique"),
            # One active booking per beneficiary and offer.
            models.UniqueConstraint(
                fields=["beneficiary", "offer"],
                condition=~models.Q(status="cancelled"),
                name="booking_one_active_per_offer",
            ),
        ]
        indexes = [
            # Newest-first pages across many venues read this index backwards and stop
            # after one page; a page of one venue and status reads the next one in
            # order (from a date on), and per-status counts are index-only scans of it.
            models.Index(fields=["-booked_at", "-id"], name="booking_booked_desc"),
            models.Index(
                fields=["venue", "status", "-booked_at", "-id"], name="booking_venue_status_booked"
            ),
            models.Index(fields=["offer", "status"], name="booking_offer_status"),
            models.Index(fields=["beneficiary", "-booked_at"], name="booking_beneficiary"),
            models.Index(
                fields=["session"],
                condition=models.Q(session__isnull=False),
                name="booking_session",
            ),
            models.Index(
                fields=["stock"], condition=models.Q(stock__isnull=False), name="booking_stock"
            ),
            models.Index(
                fields=["booked_at"],
                condition=models.Q(status="confirmed", is_free_subscription=True),
                name="booking_auto_validation_due",
            ),
            models.Index(
                fields=["session"],
                condition=models.Q(status="confirmed", session__isnull=False)
                & (
                    models.Q(reminded_at__isnull=True)
                    | models.Q(day_before_reminded_at__isnull=True)
                ),
                name="booking_reminders_due",
            ),
        ]

    def __str__(self) -> str:
        return self.code
