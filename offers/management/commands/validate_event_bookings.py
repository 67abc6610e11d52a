"""Validate event bookings still confirmed 48 h after their session's start, except those
the venue marked absent (the scheme's rule).

Meant for cron or a systemd timer, every hour (see docs/operations.md). Idempotent and
safe to run on several nodes at once: a conditional UPDATE serialised by an advisory
lock on PostgreSQL.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from offers.services.closing import validate_due_event_bookings


class Command(BaseCommand):
    help = "Valide automatiquement les réservations d'événements 48 h après le début de la séance."

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
        count = validate_due_event_bookings(workers=options["workers"])
        elapsed = time.monotonic() - started
        self.stdout.write(f"{count} réservation(s) validée(s) automatiquement ({elapsed:.1f} s).")
