"""The action history of offers, sessions, bookings and collective offers.

Every transition is one row: who (None: the system, e.g. automatic validation), when,
what, from which status to which, and why. Rows are only ever added
(offers/history.py writes them); the offer page and the guichet show them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from offers.models.bookings import BookingStatus
from offers.models.collective import CollectiveBookingStatus, CollectiveStatus
from offers.models.individual import OfferStatus

# Every status a transition can name, with its French label (statuses that share a code
# share a label: "publiée", "annulée"…).
STATUS_LABELS = {
    **dict(CollectiveStatus.choices),
    **dict(CollectiveBookingStatus.choices),
    **dict(OfferStatus.choices),
    **dict(BookingStatus.choices),
}


class Action(models.TextChoices):
    OFFER_CREATED = "offer_created", "Offre créée"
    OFFER_EDITED = "offer_edited", "Offre modifiée"
    OFFER_PUBLISHED = "offer_published", "Offre publiée"
    OFFER_DEACTIVATED = "offer_deactivated", "Offre désactivée"
    OFFER_REACTIVATED = "offer_reactivated", "Offre réactivée"
    OFFER_DUPLICATED = "offer_duplicated", "Offre dupliquée"
    STOCK_CHANGED = "stock_changed", "Stock modifié"
    SESSION_ADDED = "session_added", "Séance ajoutée"
    SESSION_CHANGED = "session_changed", "Séance modifiée"
    SESSION_REMOVED = "session_removed", "Séance supprimée"
    SESSION_MOVED = "session_moved", "Séance déplacée"
    SESSION_CANCELLED = "session_cancelled", "Séance annulée"
    SESSION_MESSAGE = "session_message", "Message aux participants"
    REGISTRATION_ADDED = "registration_added", "Inscription ajoutée"
    REGISTRATION_CHANGED = "registration_changed", "Inscription modifiée"
    REGISTRATION_CANCELLED = "registration_cancelled", "Inscription annulée"
    REGISTRATION_PROMOTED = "registration_promoted", "Place attribuée (liste d'attente)"
    REGISTRATIONS_IMPORTED = "registrations_imported", "Inscriptions importées"
    OUTSIDE_PLACES = "outside_places", "Places hors pass Culture"
    BOOKED = "booked", "Réservation"
    CANCELLED = "cancelled", "Annulation"
    VALIDATED = "validated", "Validation"
    UNVALIDATED = "unvalidated", "Validation annulée"
    AUTO_VALIDATED = "auto_validated", "Validation automatique"
    MARKED_ABSENT = "marked_absent", "Absent"
    MARKED_PRESENT = "marked_present", "Présence"
    AUTO_CANCELLED = "auto_cancelled", "Annulation automatique"
    REIMBURSED = "reimbursed", "Remboursement"
    COLLECTIVE_PUBLISHED = "collective_published", "Offre collective publiée"
    COLLECTIVE_ARCHIVED = "collective_archived", "Offre collective archivée"
    COLLECTIVE_PREBOOKED = "collective_prebooked", "Préréservation"
    COLLECTIVE_CONFIRMED = "collective_confirmed", "Réservation confirmée"
    COLLECTIVE_CANCELLED = "collective_cancelled", "Réservation collective annulée"
    COLLECTIVE_ENDED = "collective_ended", "Réservation collective terminée"
    COLLECTIVE_REIMBURSED = "collective_reimbursed", "Réservation collective remboursée"


class Transition(models.Model):
    """One transition of an offer, a session, a booking or a collective offer/booking."""

    action = models.CharField("action", max_length=30, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="par",
    )
    created_at = models.DateTimeField("le", default=timezone.now)
    from_status = models.CharField("de", max_length=20, blank=True)
    to_status = models.CharField("vers", max_length=20, blank=True)
    # What the row is about, for the people reading it ("Séance du 12 décembre 2026 à 15:00").
    label = models.CharField("objet", max_length=255, blank=True)
    reason = models.CharField("motif", max_length=30, blank=True)
    comment = models.CharField("commentaire", max_length=500, blank=True)
    # An action a person may submit twice (a message to participants: a double click, the
    # back button) carries the key of the form it came from: the second is refused
    # (offers/services/session_messages.py). NULL for every other row.
    key = models.UUIDField("clé d'envoi", null=True, blank=True, editable=False)
    venue = models.ForeignKey(
        "accounts.Venue", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    offer = models.ForeignKey(
        "offers.Offer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="history",
        db_index=False,
    )
    booking = models.ForeignKey(
        "offers.Booking",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="history",
        db_index=False,
    )
    collective_offer = models.ForeignKey(
        "offers.CollectiveOffer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="history",
        db_index=False,
    )
    collective_showcase = models.ForeignKey(
        "offers.CollectiveShowcase",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="history",
        db_index=False,
    )
    collective_booking = models.ForeignKey(
        "offers.CollectiveBooking",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="history",
        db_index=False,
    )

    class Meta:
        verbose_name = "historique"
        verbose_name_plural = "historique des offres et réservations"
        ordering = ["-created_at", "-id"]
        # Partial indexes only: the automatic validation inserts one row per booking
        # (300,000 at once), and each index is work for that INSERT.
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(key__isnull=False), name="transition_key_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["booking", "created_at"],
                condition=models.Q(booking__isnull=False),
                name="transition_booking",
            ),
            models.Index(
                fields=["offer", "created_at"],
                condition=models.Q(booking__isnull=True, offer__isnull=False),
                name="transition_offer",
            ),
            models.Index(
                fields=["collective_offer"],
                condition=models.Q(collective_offer__isnull=False),
                name="transition_coffer",
            ),
            models.Index(
                fields=["collective_showcase"],
                condition=models.Q(collective_showcase__isnull=False),
                name="transition_cshowcase",
            ),
            models.Index(
                fields=["collective_booking"],
                condition=models.Q(collective_booking__isnull=False),
                name="transition_cbooking",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.label}"
