"""Queue the « Me prévenir » e-mails due: one per alert whose offer's bookings are open.
The worker sends them.

Meant for cron or a systemd timer, every 5 minutes (docs/operations.md). Idempotent and
safe on several nodes: each alert is stamped when its e-mail is queued, once.
"""

from django.core.management.base import BaseCommand

from offers.services.alerts import send_opening_alerts
from passlib.formats import count_fr


class Command(BaseCommand):
    help = "Prévient les jeunes qui l'ont demandé que les réservations d'une offre sont ouvertes."

    def handle(self, *args, **options) -> None:
        sent = send_opening_alerts()
        self.stdout.write(
            count_fr(sent, "alerte d'ouverture envoyée", "alertes d'ouverture envoyées") + "."
        )
