"""Validate free subscription-card bookings still confirmed 30 days after booking.

Meant for cron or a systemd timer (see docs/operations.md). Idempotent and safe to run
on several nodes at once: a conditional UPDATE, serialised by an advisory lock on
PostgreSQL, split over `--workers` connections (2 by default) that run at the same time.
"""

from offers.management.validation_command import ValidationCommand
from offers.services.closing import validate_due_subscription_bookings


class Command(ValidationCommand):
    help = "Valide automatiquement les cartes d'abonnement gratuites réservées il y a 30 jours."
    validate = staticmethod(validate_due_subscription_bookings)
