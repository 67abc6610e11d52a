"""Who may act on offers: people who manage the offer's venue (see accounts.permissions)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.models import User
from accounts.permissions import can_manage_venue
from offers.models import Offer


def can_edit_offer(user: User, offer: Offer) -> bool:
    return can_manage_venue(user, offer.venue)


def require_offer_editor(user: User, offer: Offer) -> None:
    """Readable but not manageable (an officer, say): 403."""
    if not can_edit_offer(user, offer):
        raise PermissionDenied("Vous ne gérez pas le lieu de cette offre.")
