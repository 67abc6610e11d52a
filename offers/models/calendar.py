import secrets

from django.db import models
from django.utils import timezone


def new_token() -> str:
    return secrets.token_urlsafe(32)


class VenueCalendar(models.Model):
    """A venue's private iCal feed of its sessions: whoever has the URL (its token) reads
    it, as calendar apps subscribe without logging in. Revoking deletes the row, and
    with it the URL; a new one has a new token."""

    venue = models.OneToOneField(
        "accounts.Venue", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField("jeton", max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "agenda d'un lieu"

    def __str__(self) -> str:
        return f"Agenda du lieu {self.venue_id}"
