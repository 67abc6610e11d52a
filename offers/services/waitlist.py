"""The waiting list of a full session (or stock): join, leave, confirm a held place, and
the holds that expire (run by `expire_waitlist_holds`).

Rules (issue 16, docs/bookings.md):
- a young person who may book joins the list of a full session or stock, once (the
  partial unique constraints of WaitlistEntry), until its bookings close; not when they
  already hold a booking of the offer;
- a freed place is held for the first in line (offers/services/holds.py) until
  `offered_until` (offers/rules.py `hold_until`): confirming books it, leaving or letting
  the time pass gives it to the next one;
- every change locks the session's (or stock's) row first: holds are counted once, in
  line order, never oversold.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from offers import policy, rules
from offers.models import Booking, Offer, Session, WaitlistEntry, WaitlistStatus
from offers.services import bookings, holds
from offers.services.closing import locked
from passlib.emails import send_on_commit
from passlib.refusal import Refusal

EXPIRY_LOCK = 0x70A55_0004


@transaction.atomic
def waitlist_join(*, user: User, offer: Offer, session: Session | None = None) -> WaitlistEntry:
    now = timezone.now()
    # A place held for someone who cannot pay for it would be lost for the next in line:
    # the same rule as booking (the offer page disables the button with its message).
    policy.check_may_book_offer(user, offer, timezone.localdate(now))
    offer = Offer.objects.select_related("venue__collectivite").get(pk=offer.pk)
    if not policy.is_open_for_booking(offer):
        raise Refusal(
            "Cette offre n'est pas disponible à la réservation.", code="waitlist.offer_closed"
        )
    if offer.is_event:
        if session is None or session.offer_id != offer.pk:
            raise Refusal("Choisis une date de cette offre.", code="waitlist.session_required")
        target, closed = session, session.booking_limit_at <= now
    else:
        target = getattr(offer, "stock", None)
        if target is None:
            raise Refusal(
                "Cette offre n'est pas disponible à la réservation.", code="waitlist.offer_closed"
            )
        closes_at = rules.stock_closes_at(target)
        closed = closes_at is not None and closes_at <= now
    if closed:
        raise Refusal(
            "Les réservations sont closes pour cette date : la liste d'attente aussi.",
            code="waitlist.closed",
        )
    if bookings.active_booking_exists(user=user, offer=offer):
        raise Refusal(
            "Tu as déjà une réservation en cours pour cette offre.", code="waitlist.booked"
        )
    # Locked, as every change of the line: a cancellation serving the line at this
    # instant either freed its place before (« Il reste des places ») or serves this entry.
    target = holds.lock_target(**holds.target_ids(target))
    if getattr(target, "cancelled_at", None) is not None:
        raise Refusal("Cette date a été annulée par le lieu.", code="waitlist.session_cancelled")
    if target.remaining is None or target.remaining > 0:
        raise Refusal("Il reste des places : réserve directement.", code="waitlist.not_full")
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(
                offer=offer, person=user, joined_at=now, **holds.line_of(target)
            )
    except IntegrityError:
        raise Refusal(
            "Tu es déjà sur la liste d'attente de cette date.", code="waitlist.duplicate"
        ) from None


@transaction.atomic
def waitlist_leave(*, user: User, entry: WaitlistEntry) -> None:
    """Leave the line in one click; a place held for you goes to the next in line."""
    if entry.person_id != user.pk:
        raise Refusal("Inscription introuvable.", code="waitlist.not_found")
    now = timezone.now()
    target = holds.lock_target(session_id=entry.session_id, stock_id=entry.stock_id)
    mine = WaitlistEntry.objects.filter(pk=entry.pk)
    if mine.filter(status=WaitlistStatus.WAITING).update(status=WaitlistStatus.LEFT, ended_at=now):
        return
    if mine.filter(status=WaitlistStatus.OFFERED).update(status=WaitlistStatus.LEFT, ended_at=now):
        holds.give_back(target, 1, now=now)
        return
    raise Refusal("Tu n'es plus sur cette liste d'attente.", code="waitlist.ended")


@transaction.atomic
def waitlist_confirm(*, user: User, entry: WaitlistEntry) -> Booking:
    """Book the place held for you, before `offered_until`."""
    if entry.person_id != user.pk:
        raise Refusal("Inscription introuvable.", code="waitlist.not_found")
    now = timezone.now()
    target = holds.lock_target(session_id=entry.session_id, stock_id=entry.stock_id)
    entry.refresh_from_db()
    if entry.status != WaitlistStatus.OFFERED or entry.offered_until <= now:
        raise Refusal(
            {
                WaitlistStatus.BOOKED: "Tu as déjà confirmé cette place.",
                WaitlistStatus.WAITING: "Aucune place ne t'est encore proposée : tu es "
                "toujours sur la liste d'attente.",
                WaitlistStatus.CLOSED: "Cette liste d'attente est close : la date a été "
                "annulée ou ses réservations sont closes.",
            }.get(
                entry.status,
                "Le délai pour confirmer cette place est passé : elle a été proposée à la "
                "personne suivante.",
            ),
            code="waitlist.not_offered",
        )
    return bookings.booking_create(
        user=user,
        offer=target.offer,
        session=target if isinstance(target, Session) else None,
        hold=entry,
    )


def expire_holds(*, now=None) -> int:
    """Holds not confirmed in time go to the next in line; lines of sessions whose
    bookings closed end. Idempotent; one run at a time on PostgreSQL (advisory lock);
    one transaction per session or stock. Returns how many holds expired."""
    now = now or timezone.now()
    expired = 0
    with locked(EXPIRY_LOCK, transaction_scoped=False):
        due = (
            WaitlistEntry.objects.filter(status=WaitlistStatus.OFFERED, offered_until__lte=now)
            .values_list("session_id", "stock_id")
            .distinct()
        )
        for session_id, stock_id in list(due):
            with transaction.atomic():
                target = holds.lock_target(session_id=session_id, stock_id=stock_id)
                # The target's lock keeps these rows as read (leaving and confirming lock
                # it first), so the people e-mailed are the ones whose hold expires.
                ending = _with_people(
                    WaitlistEntry.objects.filter(
                        **holds.line_of(target),
                        status=WaitlistStatus.OFFERED,
                        offered_until__lte=now,
                    )
                )
                count = WaitlistEntry.objects.filter(
                    pk__in=[e.pk for e in ending], status=WaitlistStatus.OFFERED
                ).update(status=WaitlistStatus.EXPIRED, ended_at=now)
                _tell_ended(ending, why="expired")
                holds.give_back(target, count, now=now)
                expired += count
        with transaction.atomic():
            closing = _with_people(
                WaitlistEntry.objects.select_for_update(of=("self",)).filter(
                    Q(session__booking_limit_at__lte=now)
                    | Q(stock__booking_limit_date__lt=timezone.localdate(now)),
                    status=WaitlistStatus.WAITING,
                )
            )
            WaitlistEntry.objects.filter(
                pk__in=[e.pk for e in closing], status=WaitlistStatus.WAITING
            ).update(status=WaitlistStatus.CLOSED, ended_at=now)
            _tell_ended(closing, why="closed")
    return expired


def _with_people(entries) -> list[WaitlistEntry]:
    return list(entries.select_related("person", "offer__venue", "session__offer"))


def _tell_ended(entries: list[WaitlistEntry], *, why: str) -> None:
    """The young person learns that their place in line ended without a booking: a hold
    not confirmed in time (`expired`), or the bookings of the date closed (`closed`)."""
    for entry in entries:
        send_on_commit(
            to=[entry.person.email], template="waitlist_ended", context={"entry": entry, "why": why}
        )


def rank(entry: WaitlistEntry) -> int | None:
    """1 for the first in line; None when not waiting (offers/rules.py `waitlist_rank`)."""
    ranked = WaitlistEntry.objects.annotate(rank=rules.waitlist_rank())
    return ranked.values_list("rank", flat=True).get(pk=entry.pk)
