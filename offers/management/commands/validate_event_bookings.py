"""Validate event bookings still confirmed 48 h after their session's start, except those
the venue marked absent (the scheme's rule).

Meant for cron or a systemd timer, every hour (see docs/operations.md). Idempotent and
safe to run on several nodes at once: a conditional UPDATE serialised by an advisory
lock on PostgreSQL.
"""

from offers.management.validation_command import ValidationCommand
from offers.services.closing import validate_due_event_bookings


class Command(ValidationCommand):
    help = "Valide automatiquement les réservations d'événements 48 h après le début de la séance."
    validate = staticmethod(validate_due_event_bookings)
