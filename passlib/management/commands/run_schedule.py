"""Run the periodic commands on their schedule, in one process (`make run` starts it
next to the worker; production may use it as a service, or cron — docs/operations.md).

Each command is idempotent and locked, so a second scheduler on another node is safe.
`--once` runs every command once and stops.
"""

from __future__ import annotations

import io
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

# (command, every N seconds[, its arguments]): the schedule of docs/operations.md.
SCHEDULE = (
    ("refresh_next_sessions", 60),
    ("refresh_next_sessions", 60 * 60, "--all"),
    ("expire_waitlist_holds", 5 * 60),
    ("send_booking_reminders", 10 * 60),
    ("send_opening_alerts", 5 * 60),
    ("validate_subscription_bookings", 60 * 60),
    ("validate_event_bookings", 60 * 60),
    ("end_collective_bookings", 60 * 60),
    ("cancel_expired_bookings", 24 * 60 * 60),
    ("run_reimbursements", 6 * 60 * 60),
)


class Command(BaseCommand):
    help = "Lance les commandes périodiques selon leur fréquence (ou une fois avec --once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="une fois chacune, puis s'arrête")

    def handle(self, *args, once: bool = False, **options) -> None:
        out = io.StringIO() if options["verbosity"] == 0 else self.stdout
        last: dict[tuple, float] = {}
        while True:
            now = time.monotonic()
            for entry in SCHEDULE:
                name, every, *arguments = entry
                if once or now - last.get(entry, -every) >= every:
                    last[entry] = now
                    try:
                        call_command(name, *arguments, stdout=out)
                    except Exception as exc:  # one failing rule must not stop the others
                        self.stderr.write(f"{name} : échec ({exc!r})")
            if once:
                return
            time.sleep(30)
