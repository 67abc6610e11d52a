"""Cancel the paid physical bookings not validated 30 days after booking, refund the
credit and e-mail both sides (the scheme's rule; free subscription cards are validated
instead, by validate_subscription_bookings).

Meant for cron or a systemd timer, once a day (see docs/operations.md). Idempotent and
safe to run on several nodes at once (an advisory lock on PostgreSQL).
"""

from django.core.management.base import BaseCommand

from offers.services.closing import cancel_expired_paid_physical
from passlib.formats import count_fr


class Command(BaseCommand):
    help = "Annule les réservations payantes de biens non retirées 30 jours après la réservation."

    def handle(self, *args, **options) -> None:
        count = cancel_expired_paid_physical()
        self.stdout.write(
            count_fr(
                count,
                "réservation annulée et remboursée",
                "réservations annulées et remboursées",
            )
            + "."
        )
