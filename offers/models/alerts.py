"""« Me prévenir » (SPEC §9): a young person asks to be told when an offer whose
bookings open later opens; one e-mail, sent once by the periodic commands
(offers/services/alerts.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class OpeningAlert(models.Model):
    offer = models.ForeignKey(
        "offers.Offer", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="opening_alerts"
    )
    created_at = models.DateTimeField("demandée le", default=timezone.now)
    sent_at = models.DateTimeField("envoyée le", null=True, blank=True)

    class Meta:
        verbose_name = "alerte d'ouverture des réservations"
        verbose_name_plural = "alertes d'ouverture des réservations"
        constraints = [
            models.UniqueConstraint(fields=["offer", "person"], name="opening_alert_once"),
        ]
        indexes = [
            models.Index(
                fields=["offer"], condition=models.Q(sent_at__isnull=True), name="opening_alert_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.offer_id}"
