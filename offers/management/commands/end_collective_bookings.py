"""Mark réservée collective bookings terminée 48 h after the end of their offer.

Idempotent and safe on several nodes (conditional UPDATE + advisory lock); see
docs/operations.md for the schedule.
"""

from django.core.management.base import BaseCommand

from offers.services.collective_bookings import end_due_collective_bookings
from passlib.formats import count_fr


class Command(BaseCommand):
    help = "Passe en « terminée » les réservations collectives 48 h après la fin de l'offre."

    def handle(self, *args, **options) -> None:
        count = end_due_collective_bookings()
        self.stdout.write(
            count_fr(count, "réservation collective terminée", "réservations collectives terminées")
            + "."
        )
