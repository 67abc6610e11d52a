"""Reminders of event bookings, sent by `send_booking_reminders` (docs/operations.md):

- shortly before the cancellation deadline (REMINDER_LEAD before it), so that a young
  person who cannot come can still free the place: the e-mail has a one-click "Je ne
  viendrai pas" (a signed link to a page with one POST button, offers/views/
  beneficiary.py `release`), and the place goes to the waiting list;
- the day before (DAY_BEFORE the start): the time, the address, the code and its QR code.

Each is sent once per booking: the rows due are locked and stamped (`reminded_at`,
`day_before_reminded_at`) in the transaction that queues their e-mails; a second run,
even at the same instant on another node, finds them stamped (and on PostgreSQL waits
for the advisory lock first). A booking made less than MIN_AGE ago is not reminded of
what it was just told.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from offers import rules
from offers.calendar import booking_ics
from offers.models import Booking, BookingStatus
from offers.qr import booking_qr_png
from offers.services.closing import locked
from passlib.emails import send_on_commit

REMINDER_LEAD = timedelta(hours=24)  # before the cancellation deadline
DAY_BEFORE = timedelta(hours=24)  # before the start
MIN_AGE = timedelta(hours=1)
REMINDER_LOCK = 0x70A55_0005
BATCH = 500
_SIGNER = signing.Signer(salt="passlib.booking.release")


def release_token(booking: Booking) -> str:
    return _SIGNER.signature(f"{booking.public_id}:{booking.code}")


def release_token_valid(booking: Booking, token: str) -> bool:
    return constant_time_compare(release_token(booking), token or "")


def release_url(booking: Booking) -> str:
    return reverse("offers:booking_release", args=[booking.public_id, release_token(booking)])


def deadline_reminders_due(now) -> QuerySet[Booking]:
    """Event bookings whose cancellation deadline is within REMINDER_LEAD, not passed."""
    return Booking.objects.annotate(deadline=rules.cancellation_deadline_expr()).filter(
        status=BookingStatus.CONFIRMED,
        session__isnull=False,
        reminded_at__isnull=True,
        booked_at__lte=now - MIN_AGE,
        deadline__gt=now,
        deadline__lte=now + REMINDER_LEAD,
    )


def day_before_due(now) -> QuerySet[Booking]:
    """Event bookings whose session starts within DAY_BEFORE."""
    return Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        session__isnull=False,
        day_before_reminded_at__isnull=True,
        booked_at__lte=now - MIN_AGE,
        session__starts_at__gt=now,
        session__starts_at__lte=now + DAY_BEFORE,
    )


def send_due_reminders(*, now=None) -> dict[str, int]:
    """Stamp and queue every reminder due; returns how many of each."""
    now = now or timezone.now()
    sent = {"deadline": 0, "day_before": 0}
    with locked(REMINDER_LOCK, transaction_scoped=False):
        sent["deadline"] = _send(deadline_reminders_due, "reminded_at", _deadline_mail, now)
        sent["day_before"] = _send(day_before_due, "day_before_reminded_at", _day_mail, now)
    return sent


def _send(due, field: str, mail, now) -> int:
    total = 0
    while True:
        with transaction.atomic():
            # Locked, then re-read by PostgreSQL after a concurrent run's commit: a row
            # stamped meanwhile no longer matches and is not taken twice.
            batch = list(
                due(now)
                .select_for_update(of=("self",))
                .select_related("offer", "venue", "session__offer", "beneficiary")
                .order_by("id")[:BATCH]
            )
            if not batch:
                return total
            Booking.objects.filter(id__in=[b.pk for b in batch]).update(**{field: now})
            for booking in batch:
                mail(booking)
            total += len(batch)


def _deadline_mail(booking: Booking) -> None:
    send_on_commit(
        to=[booking.beneficiary.email],
        template="booking_reminder",
        context={
            "booking": booking,
            "deadline": rules.cancellation_deadline(booking),
            "release_url": release_url(booking),
        },
    )


def _day_mail(booking: Booking) -> None:
    send_on_commit(
        to=[booking.beneficiary.email],
        template="booking_day_before",
        context={"booking": booking},
        attachments=[
            (f"contremarque-{booking.code}.png", booking_qr_png(booking.code), "image/png"),
            (f"reservation-{booking.code}.ics", booking_ics(booking), "text/calendar"),
        ],
    )
