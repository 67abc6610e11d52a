"""Close the last finished fortnight (or the one given) and write its statements.

Meant for the scheduler (`run_schedule`, daily: it closes a period once, on the first
run after it ends) or cron. Idempotent, locked, safe on several nodes, all or nothing
(finance/services/runs.py; docs/operations.md).
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from finance.documents import euros_fr
from finance.services.runs import close_period
from passlib.formats import count_fr
from passlib.refusal import Refusal


class Command(BaseCommand):
    help = "Clôture la dernière quinzaine terminée et émet les relevés de remboursement."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--period",
            type=date.fromisoformat,
            help="premier jour de la période (AAAA-MM-JJ, un 1er ou un 16)",
        )

    def handle(self, *args, period: date | None = None, **options) -> None:
        try:
            run = close_period(period_start=period)
        except Refusal as exc:
            raise CommandError(exc.message) from exc
        if run is None:
            self.stdout.write("Période déjà clôturée : rien de nouveau.")
            return
        self.stdout.write(
            f"{run} : {count_fr(run.statements.count(), 'relevé')}, "
            f"{count_fr(run.lines_count, 'réservation')}, "
            f"{euros_fr(run.total_cents)}."
        )
