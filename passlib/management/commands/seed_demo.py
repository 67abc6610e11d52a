"""`manage.py seed_demo`: idempotent demo data for `make run` (safe to run again, it
creates nothing twice). It sits above the apps: accounts first, then offers."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from offers.services.next_sessions import reconcile
from offers.services.reminders import send_due_reminders
from passlib.demo.accounts import DEMO_PASSWORD, LOGINS, seed_accounts
from passlib.demo.finance import seed_finance
from passlib.demo.offers import seed_bookings, seed_collective, seed_offers, seed_showcase


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        accounts = seed_accounts()
        lyon_admin = accounts["lyon_admin"]
        offers = seed_offers(
            {
                "part_dieu": (accounts["part_dieu"], lyon_admin),
                "jean_mace": (accounts["jean_mace"], lyon_admin),
                "francois_mitterrand": (
                    accounts["francois_mitterrand"],
                    accounts["reunion_librarian"],
                ),
            }
        )
        seed_bookings(offers, {"part_dieu": accounts["librarian"], "jean_mace": lyon_admin})
        seed_showcase(accounts["part_dieu"], offers)
        seed_collective(accounts["part_dieu"], lyon_admin)
        seed_finance(accounts["part_dieu"], accounts["staff"])
        # The reminders already due would have gone out during the week the demo acts
        # (the scheduler runs every 10 minutes): sent now, into the seed's mailbox, and
        # not by `make run`'s scheduler a second later, whose e-mails in the console would
        # push the logins out of sight.
        send_due_reminders()
        # Each offer's next bookable session, stored in the seed's transaction: the
        # services' own refreshes wait for its commit (offers/services/next_sessions.py).
        reconcile()
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD})")
        for email, role in LOGINS:
            self.stdout.write(f"  {email:<34} {role}")
