"""A venue's public page beyond its own fields: opening hours by weekday and their
exceptions (accounts/hours.py reads and writes them as people type them)."""

from __future__ import annotations

from django.db import models

from passlib.dates import FIRST_DAY, LAST_DAY, within_range
from passlib.formats import date_fr, time_fr

WEEKDAYS = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"]


class OpeningHours(models.Model):
    """One opening interval of a weekday (a day may have several: morning, afternoon)."""

    venue = models.ForeignKey(
        "accounts.Venue", on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(
        "jour", choices=[(i, label) for i, label in enumerate(WEEKDAYS)]
    )
    opens = models.TimeField("ouverture")
    closes = models.TimeField("fermeture")

    class Meta:
        verbose_name = "horaire d'ouverture"
        verbose_name_plural = "horaires d'ouverture"
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6), name="opening_hours_weekday"
            ),
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="opening_hours_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {time_fr(self.opens)} – {time_fr(self.closes)}"


class HoursException(models.Model):
    """A day that differs from the week's hours: closed (no interval) or other hours."""

    venue = models.ForeignKey(
        "accounts.Venue", on_delete=models.CASCADE, related_name="hours_exceptions"
    )
    day = models.DateField("date")
    label = models.CharField("motif", max_length=120, blank=True)
    opens = models.TimeField("ouverture", null=True, blank=True)
    closes = models.TimeField("fermeture", null=True, blank=True)

    class Meta:
        verbose_name = "exception aux horaires"
        verbose_name_plural = "exceptions aux horaires"
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "day"], name="hours_exception_one_per_day"),
            models.CheckConstraint(
                condition=models.Q(opens__isnull=True, closes__isnull=True)
                | models.Q(opens__isnull=False, closes__gt=models.F("opens")),
                name="hours_exception_closed_or_interval",
            ),
            models.CheckConstraint(
                condition=within_range("day", first=FIRST_DAY, last=LAST_DAY),
                name="hours_exception_dates_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{date_fr(self.day)} {self.label}".strip()

    @property
    def closed(self) -> bool:
        return self.opens is None
