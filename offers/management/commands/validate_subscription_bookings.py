"""Validate free subscription-card bookings still confirmed 30 days after booking.

Meant for cron or a systemd timer (see docs/operations.md). Idempotent and safe to run
on several nodes at once: one conditional UPDATE, serialised by an advisory lock on
PostgreSQL.
"""

from django.core.management.base import BaseCommand

from offers.services.bookings import validate_due_subscription_bookings


class Command(BaseCommand):
    help = "Valide automatiquement les cartes d'abonnement gratuites réservées il y a 30 jours."

    def handle(self, *args, **options) -> None:
        import time

        started = time.monotonic()
        count = validate_due_subscription_bookings()
        elapsed = time.monotonic() - started
        self.stdout.write(f"{count} réservation(s) validée(s) automatiquement ({elapsed:.1f} s).")
