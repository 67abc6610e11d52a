"""Queue the reminders due: before the cancellation deadline (with "Je ne viendrai pas")
and the day before (time, address, code, QR code). The worker sends them.

Meant for cron or a systemd timer, every 10 minutes (docs/operations.md). Idempotent and
safe on several nodes: each reminder is stamped on its booking when queued, once.
"""

from django.core.management.base import BaseCommand

from offers.services.reminders import send_due_reminders
from passlib.formats import count_fr


class Command(BaseCommand):
    help = "Envoie les rappels de réservation dus (avant la limite d'annulation, la veille)."

    def handle(self, *args, **options) -> None:
        sent = send_due_reminders()
        self.stdout.write(
            f"{count_fr(sent['deadline'], 'rappel')} avant la limite d'annulation, "
            f"{count_fr(sent['day_before'], 'rappel')} de la veille."
        )
