"""The rules of collective offers (school groups, SPEC §6), each written once;
offers/rules.py names them, so `rules.<name>` is the way in: visible to a teacher's
school (`visible_to_school`), a collective offer still free (`collective_offer_free`),
until when a school may cancel (`school_cancellation_deadline`)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Status
from offers.models import (
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveStatus,
)

# --- collective -----------------------------------------------------------------------------


def visible_to_school(school) -> Q:
    """Published collective offers (showcases or bookable) of validated venues whose
    intervention area covers the school's département. Bookable offers add their own
    conditions (offers/policy.py)."""
    return Q(
        status=CollectiveStatus.PUBLISHED,
        venue__status=Status.VALIDATED,
        venue__collectivite__status=Status.VALIDATED,
        intervention_area__contains=f",{school.departement},",
    )


def active_collective_bookings() -> QuerySet[CollectiveBooking]:
    """Collective bookings in progress or done: a bookable offer takes one (the partial
    unique constraint `collective_booking_one_active` is the same rule)."""
    return CollectiveBooking.objects.exclude(status=CollectiveBookingStatus.CANCELLED)


SCHOOL_CANCELLATION_NOTICE = timedelta(days=30)


def school_cancellation_deadline(starts_at):
    """Until when a school may cancel its collective booking: 30 days before the start
    (at that instant itself it still may). The service refuses after it; the school's
    bookings page shows the button disabled, with this date, after it."""
    return starts_at - SCHOOL_CANCELLATION_NOTICE


def school_may_cancel(starts_at, now) -> bool:
    return now <= school_cancellation_deadline(starts_at)


def collective_offer_free() -> Q:
    """The outer collective offer has no active booking."""
    return ~Exists(active_collective_bookings().filter(offer=OuterRef("pk")))
