"""Places held for the waiting list and not confirmed in time go to the next in line;
the lines of sessions whose bookings closed end.

Meant for cron or a systemd timer, every 5 minutes (docs/operations.md). Idempotent and
safe on several nodes (an advisory lock on PostgreSQL, the session's row locked).
"""

from django.core.management.base import BaseCommand

from offers.services.waitlist import expire_holds
from passlib.formats import count_fr


class Command(BaseCommand):
    help = "Passe à la personne suivante les places de liste d'attente non confirmées à temps."

    def handle(self, *args, **options) -> None:
        count = expire_holds()
        self.stdout.write(
            count_fr(
                count,
                "place non confirmée à temps, proposée à la suite",
                "places non confirmées à temps, proposées à la suite",
            )
            + "."
        )
