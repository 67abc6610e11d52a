"""A venue's private iCal feed (offers/models/calendar.py): a new URL, or none."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accounts.models import User, Venue
from offers.models import VenueCalendar


def feed_renew(*, actor: User, venue: Venue) -> VenueCalendar:
    """A new feed URL for the venue; the old one, if any, stops working. Two clicks at
    once leave one feed (the venue has at most one: its one-to-one key)."""
    try:
        with transaction.atomic():
            VenueCalendar.objects.filter(venue=venue).delete()
            return VenueCalendar.objects.create(venue=venue, created_by=actor)
    except IntegrityError:  # a concurrent click created it first: that one stands
        return VenueCalendar.objects.get(venue=venue)


def feed_revoke(*, venue: Venue) -> bool:
    """The feed's URL stops working; False when there was none."""
    deleted, _ = VenueCalendar.objects.filter(venue=venue).delete()
    return bool(deleted)
