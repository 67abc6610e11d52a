"""Validate free subscription-card bookings still confirmed 30 days after booking.

Meant for cron or a systemd timer (see docs/operations.md). Idempotent and safe to run
on several nodes at once: a conditional UPDATE, serialised by an advisory lock on
PostgreSQL, split over `--workers` connections (2 by default) that run at the same time.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from offers.services.closing import validate_due_subscription_bookings


class Command(BaseCommand):
    help = "Valide automatiquement les cartes d'abonnement gratuites réservées il y a 30 jours."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help="connexions qui valident en parallèle (PostgreSQL ; 1 = une seule transaction)",
        )

    def handle(self, *args, **options) -> None:
        if options["workers"] < 1:
            raise CommandError("--workers doit valoir au moins 1.")
        started = time.monotonic()
        count = validate_due_subscription_bookings(workers=options["workers"])
        elapsed = time.monotonic() - started
        self.stdout.write(f"{count} réservation(s) validée(s) automatiquement ({elapsed:.1f} s).")
