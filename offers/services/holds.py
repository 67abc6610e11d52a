"""Freed places go to the waiting list first: held for the first in line.

Called inside the transaction that frees or adds a place (a cancellation, "Je ne viendrai
pas", the 30-day cancellation, more places, a hold that expired or was given back). Each
call locks the session's (or stock's) row first, as every change of a waiting list does
(offers/services/waitlist.py), so two transactions never hold the same place twice: the
places held are counted in `held_count`, and the CHECK constraints of
offers/models/places.py (booked + held ≤ capacity) make overselling impossible.

The entries offered are locked first, in line order: someone leaving the list at the same
instant is either skipped or waited for, never offered a place after leaving.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from offers import policy, rules
from offers.models import Session, Stock, WaitlistEntry, WaitlistStatus
from offers.services import next_sessions
from passlib.emails import send_on_commit


def lock_target(*, session_id: int | None = None, stock_id: int | None = None):
    """The session's or stock's row, locked until the end of the transaction."""
    model = Session if session_id else Stock
    return (
        model.objects.select_for_update(of=("self",))
        .select_related("offer__venue__collectivite")
        .get(pk=session_id or stock_id)
    )


def line_of(target) -> dict:
    """The filter of the target's entries (a session's or a stock's)."""
    return {"session": target} if isinstance(target, Session) else {"stock": target}


def offer_places(*, session_id: int | None = None, stock_id: int | None = None, now=None) -> int:
    """Hold each place left for the next in line, in order; e-mail each one. Returns how
    many places were offered. Inside the caller's transaction."""
    now = now or timezone.now()
    target = lock_target(session_id=session_id, stock_id=stock_id)
    if getattr(target, "cancelled_at", None) is not None:
        return 0  # a cancelled session's line is closed (offers/services/cancellations.py)
    free = target.remaining
    if not free or free <= 0 or not policy.is_open_for_booking(target.offer):
        return 0
    closes_at = (
        target.booking_limit_at if isinstance(target, Session) else rules.stock_closes_at(target)
    )
    until = rules.hold_until(now, closes_at, timedelta(hours=settings.WAITLIST_HOLD_HOURS))
    if until is None:
        return 0
    line = WaitlistEntry.objects.filter(**line_of(target), status=WaitlistStatus.WAITING)
    offered: list[int] = []
    while len(offered) < free:
        # Locked in line order; on PostgreSQL a row someone left meanwhile no longer
        # matches and is skipped (then the loop reads the next ones).
        ids = list(
            line.order_by("joined_at", "id")
            .select_for_update()
            .values_list("id", flat=True)[: free - len(offered)]
        )
        if not ids:
            break
        line.filter(pk__in=ids).update(
            status=WaitlistStatus.OFFERED, offered_at=now, offered_until=until
        )
        offered += ids
    if not offered:
        return 0
    type(target).objects.filter(pk=target.pk).update(held_count=F("held_count") + len(offered))
    _places_changed(target)
    for entry in WaitlistEntry.objects.filter(pk__in=offered).select_related(
        "person", "offer__venue", "session__offer"
    ):
        send_on_commit(
            to=[entry.person.email],
            template="waitlist_offered",
            context={
                "entry": entry,
                "url": reverse("offers:waitlist_entry", args=[entry.public_id]),
            },
        )
    return len(offered)


def give_back(target, count: int, *, now=None) -> None:
    """`count` held places are no longer held (confirmed elsewhere, expired, left): they
    go to the next in line, or back to anyone. The target is locked by the caller."""
    if count:
        type(target).objects.filter(pk=target.pk).update(held_count=F("held_count") - count)
        _places_changed(target)
        offer_places(**target_ids(target), now=now)


def _places_changed(target) -> None:
    """A session's places held or given back: its offer's next bookable session may
    change (offers/services/next_sessions.py); a stock's is not a date."""
    if isinstance(target, Session):
        next_sessions.next_sessions_changed([target.offer_id])


def target_ids(target) -> dict:
    if isinstance(target, Session):
        return {"session_id": target.pk}
    return {"stock_id": target.pk}


def after_booking(*, user, offer, booking, hold: WaitlistEntry | None, now) -> None:
    """A booking of the offer ends the person's places in its lines: the hold it came
    from is booked; any other line of the same offer is left (one booking per offer),
    and a place held there goes to the next in line."""
    if hold is not None:
        WaitlistEntry.objects.filter(pk=hold.pk).update(
            status=WaitlistStatus.BOOKED, ended_at=now, booking=booking
        )
    others = WaitlistEntry.objects.filter(
        person=user, offer=offer, status__in=(WaitlistStatus.WAITING, WaitlistStatus.OFFERED)
    )
    for entry in list(others):
        target = lock_target(session_id=entry.session_id, stock_id=entry.stock_id)
        if WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.OFFERED).update(
            status=WaitlistStatus.LEFT, ended_at=now
        ):
            give_back(target, 1, now=now)
        else:
            WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.WAITING).update(
                status=WaitlistStatus.LEFT, ended_at=now
            )
