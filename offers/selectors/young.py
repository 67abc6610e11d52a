"""Reads for young people: their bookings and their places on waiting lists (and a
session's line as the venue sees it)."""

from __future__ import annotations

from django.db.models import Case, QuerySet, When

from accounts.models import User
from offers import rules
from offers.models import Booking, Offer, Session, WaitlistEntry, WaitlistStatus
from offers.models.waitlist import ACTIVE as WAITLIST_ACTIVE
from offers.policy import bookings_of_beneficiary, waitlist_entries_of


def my_bookings(user: User) -> QuerySet[Booking]:
    return (
        bookings_of_beneficiary(user)
        .select_related("offer", "venue", "session__offer")
        .order_by("-booked_at")
    )


def waitlist_of(user: User) -> QuerySet[WaitlistEntry]:
    """A young person's entries on waiting lists, with what their pages show and their
    place in line (`rank`)."""
    return (
        waitlist_entries_of(user)
        .select_related("offer__venue", "session__offer", "stock")
        .annotate(rank=rules.waitlist_rank())
    )


def my_waitlist(user: User) -> list[WaitlistEntry]:
    """The entries still in line or offered, soonest session first."""
    return list(
        waitlist_of(user)
        .filter(status__in=WAITLIST_ACTIVE)
        .order_by("session__starts_at", "joined_at", "id")
    )


def offer_waitlist(user: User, offer: Offer) -> dict:
    """The person's active entries of an offer, by session id (or "stock")."""
    return {
        e.session_id or "stock": e
        for e in waitlist_of(user).filter(offer=offer, status__in=WAITLIST_ACTIVE)
    }


def session_waitlist(session: Session) -> list[WaitlistEntry]:
    """A session's line as the venue sees it: places offered first, then those waiting,
    each with its place in line (`rank`)."""
    return list(
        WaitlistEntry.objects.filter(session=session, status__in=WAITLIST_ACTIVE)
        .select_related("person")
        .annotate(rank=rules.waitlist_rank())
        .order_by(Case(When(status=WaitlistStatus.OFFERED, then=0), default=1), "joined_at", "id")
    )
