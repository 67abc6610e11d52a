"""The shape of the automatic-validation commands: `--workers`, the run, its count."""

import time

from django.core.management.base import BaseCommand, CommandError

from passlib.formats import count_fr


class ValidationCommand(BaseCommand):
    """Subclasses set `help` and `validate` (a function of `workers` returning a count)."""

    validate = None

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
        count = self.validate(workers=options["workers"])
        elapsed = time.monotonic() - started
        validated = count_fr(count, "réservation validée", "réservations validées")
        self.stdout.write(f"{validated} automatiquement ({elapsed:.1f} s).")
