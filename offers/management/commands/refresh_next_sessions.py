"""Each offer's stored next bookable session (offers/services/next_sessions.py) moves on
when its booking limit passes: no write happens then, so this command looks again.

Meant for cron or a systemd timer, every minute (docs/operations.md); `--all` (hourly)
compares every offer's stored twin with the rule and mends the ones that differ (a
process that died between a commit and its refresh). Idempotent and safe on several
nodes: the offers' rows are locked in id order, and the rule is read after the locks.
"""

from django.core.management.base import BaseCommand, CommandParser

from offers.services.next_sessions import reconcile, refresh_due
from passlib.formats import count_fr


class Command(BaseCommand):
    help = (
        "Met à jour la prochaine séance réservable des offres dont la date limite de "
        "réservation est passée (--all : vérifie toutes les offres)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help="compare toutes les offres à la règle et corrige celles qui diffèrent",
        )

    def handle(self, *args, **options) -> None:
        if options["all"]:
            count = reconcile()
            said = count_fr(
                count,
                "offre corrigée : sa prochaine séance différait de la règle",
                "offres corrigées : leur prochaine séance différait de la règle",
            )
        else:
            count = refresh_due()
            said = count_fr(
                count,
                "offre dont la prochaine séance a fermé, mise à jour",
                "offres dont la prochaine séance a fermé, mises à jour",
            )
        self.stdout.write(said + ".")
