"""Bookings: taking a place, the counter code, cancellations, validation at the guichet.

Rules (SPEC §5):
- only beneficiaries aged 15 to 18 inclusive on the booking day book, with a confirmed
  email, and within the offer's ages when it has some (« 15–17 ans »: offers/policy.py
  `age_range_refusal`); one active (not cancelled) booking per beneficiary and offer;
- the offer must be published, its venue and collectivité validated, the session (or
  stock) still open for booking;
- the place is taken by one conditional UPDATE on the session/stock counter
  (`booked_count < capacity`), backed by CHECK constraints: never oversold, even under
  concurrent requests; a full session answers "complet";
- paid bookings draw on the credit with a conditional UPDATE (`credit >= price`); the
  credit of each new age is added on the first booking after the birthday;
- the code ("contremarque") has 6 characters from an alphabet without 0/O/1/I/L and is
  unique (a collision is retried);
- the beneficiary cancels an event booking until max(booked_at, min(start − 48 h,
  booked_at + 48 h)); a physical booking any time before validation; the venue cancels
  any time before validation, with a reason. Cancelling frees the place and refunds;
- validation records who and when; it can be undone while not reimbursed.
"""

from __future__ import annotations

import secrets
from collections import Counter

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from accounts.models import Beneficiary, User
from accounts.services.beneficiaries import credit_top_up
from catalog.categories import SUBSCRIPTION_IDS
from offers import history, policy, rules
from offers.calendar import booking_ics
from offers.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Action,
    Booking,
    BookingStatus,
    CancellationReason,
    Offer,
    Session,
    Stock,
    WaitlistEntry,
)
from offers.models.places import SESSION_HAS_PLACE, STOCK_HAS_PLACE
from offers.services import holds, next_sessions

# Validation at the guichet has its own module (offers/services/validation.py), named
# here so that `bookings.booking_validate` stays the one way in.
from offers.services.validation import booking_unvalidate, booking_validate  # noqa: F401
from passlib.counts import counts_changed
from passlib.emails import send_on_commit
from passlib.formats import datetime_fr
from passlib.refusal import Refusal


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """Read a typed or scanned code: case, spaces, dashes and a QR prefix are tolerated."""
    value = (raw or "").strip().upper()
    for sep in (":", "/", "="):
        if sep in value:
            value = value.rstrip(sep).rsplit(sep, 1)[-1]
    return "".join(ch for ch in value if ch.isascii() and ch.isalnum())


def is_valid_code(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def active_booking_exists(*, user: User, offer: Offer) -> bool:
    """One active (not cancelled) booking per person and offer; the partial unique
    constraint `booking_one_active_per_offer` is the same rule in the database."""
    return (
        Booking.objects.filter(beneficiary=user, offer=offer)
        .exclude(status=BookingStatus.CANCELLED)
        .exists()
    )


def _take_place(
    *, offer: Offer, session: Session | None, now, today, from_hold: bool = False
) -> Stock | None:
    """One conditional UPDATE on the counter; 0 rows means full or closed. A place held
    for the person on the waiting list (`from_hold`) moves from held to booked."""
    if from_hold:
        has_place, take = (
            Q(held_count__gte=1),
            {
                "booked_count": F("booked_count") + 1,
                "held_count": F("held_count") - 1,
            },
        )
    else:
        has_place = SESSION_HAS_PLACE if offer.subcategory.is_event else STOCK_HAS_PLACE
        take = {"booked_count": F("booked_count") + 1}
    try:
        with transaction.atomic():
            if offer.subcategory.is_event:
                if session is None or session.offer_id != offer.pk:
                    raise Refusal(
                        "Choisis une date de cette offre.", code="booking.session_required"
                    )
                taken = (
                    rules.open_sessions(now).filter(pk=session.pk).filter(has_place).update(**take)
                )
                stock = None
            else:
                stock = Stock.objects.filter(offer=offer).first()
                if stock is None:
                    raise Refusal(
                        "Cette offre n'est pas disponible à la réservation.",
                        code="booking.offer_closed",
                    )
                open_stock = rules.open_stocks(today).filter(pk=stock.pk)
                taken = open_stock.filter(has_place).update(**take)
    except IntegrityError:  # the CHECK constraint caught a race: same answer as full
        taken = 0
    if taken and offer.subcategory.is_event:
        next_sessions.next_sessions_changed([offer.pk])  # a date may be full now
    if not taken:
        if (
            session is not None
            and Session.objects.filter(pk=session.pk, cancelled_at__isnull=False).exists()
        ):
            raise Refusal(
                "Cette date a été annulée par le lieu : elle ne peut plus être réservée.",
                code="booking.session_cancelled",
            )
        if session is not None and session.booking_limit_at <= now:
            raise Refusal("Les réservations sont closes pour cette date.", code="booking.closed")
        raise Refusal(
            "Cette offre est complète : il n'y a plus de place disponible.", code="booking.full"
        )
    return stock


@transaction.atomic
def booking_create(
    *,
    user: User,
    offer: Offer,
    session: Session | None = None,
    hold: WaitlistEntry | None = None,
) -> Booking:
    """Book a place for a beneficiary; see the module docstring for the rules. `hold`:
    the waiting-list entry whose held place this booking takes (offers/services/
    waitlist.py checked it is offered to this person, its target locked)."""
    now = timezone.now()
    today = timezone.localdate(now)
    beneficiary = policy.check_may_book(user, today)
    offer = Offer.objects.select_related("venue__collectivite").get(pk=offer.pk)
    if not policy.is_open_for_booking(offer, now):
        raise Refusal(
            "Cette offre n'est pas disponible à la réservation.", code="booking.offer_closed"
        )
    if not policy.booking_opened(offer, now):
        opens = datetime_fr(offer.booking_opens_at, tz=offer.venue.time_zone)
        raise Refusal(
            f"Les réservations de cette offre ouvrent le {opens} : reviens à ce moment-là.",
            code="booking.not_open_yet",
        )
    policy.check_age_range(beneficiary, offer, today)  # as the page said (no button)
    if active_booking_exists(user=user, offer=offer):
        raise Refusal(
            "Tu as déjà une réservation en cours pour cette offre.", code="booking.duplicate"
        )
    credit_top_up(beneficiary=beneficiary, today=today)
    # The page asked the same rule before showing the button (policy.check_credit); the
    # conditional UPDATE decides when two bookings of the same person race.
    policy.check_credit(beneficiary, offer.price_cents, today)
    if offer.price_cents:
        paid = Beneficiary.objects.filter(
            pk=beneficiary.pk, credit_cents__gte=offer.price_cents
        ).update(credit_cents=F("credit_cents") - offer.price_cents)
        if not paid:
            beneficiary.refresh_from_db()
            policy.check_credit(beneficiary, offer.price_cents, today)
            raise Refusal("Ton crédit pass Culture ne suffit plus.", code="booking.credit")
    stock = _take_place(
        offer=offer, session=session, now=now, today=today, from_hold=hold is not None
    )
    for _ in range(5):
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    code=new_code(),
                    offer=offer,
                    venue=offer.venue,
                    session=session if offer.subcategory.is_event else None,
                    stock=stock,
                    beneficiary=user,
                    price_cents=offer.price_cents,
                    booked_at=now,
                    is_free_subscription=(
                        offer.price_cents == 0 and offer.subcategory_id in SUBSCRIPTION_IDS
                    ),
                )
            break
        except IntegrityError:
            # Either the code was drawn before (draw another) or a concurrent request of
            # the same person booked this offer (booking_one_active_per_offer): told
            # apart by reading the data again, not by the error's text.
            if active_booking_exists(user=user, offer=offer):
                raise Refusal(
                    "Tu as déjà une réservation en cours pour cette offre.",
                    code="booking.duplicate",
                ) from None
            continue  # code collision: draw another one
    else:  # pragma: no cover - 31^6 codes; five collisions in a row would be a bug
        raise Refusal("Réservation impossible pour le moment, réessaie.", code="booking.retry")
    history.record_booking(
        booking,
        action=Action.BOOKED,
        actor=user,
        from_status="",
        to_status=BookingStatus.CONFIRMED,
    )
    holds.after_booking(user=user, offer=offer, booking=booking, hold=hold, now=now)
    counts_changed()
    calendar = (
        [(f"reservation-{booking.code}.ics", booking_ics(booking), "text/calendar")]
        if booking.session_id
        else []
    )
    send_on_commit(
        to=[user.email],
        template="booking_confirmed",
        context={"booking": booking, **_cancellation_terms(booking)},
        attachments=calendar,
    )
    send_on_commit(
        to=[offer.booking_email or offer.venue.booking_email],
        template="booking_new_for_venue",
        context={"booking": booking},
    )
    return booking


def _release(booking: Booking) -> None:
    """Free the place and refund the credit of a booking being cancelled (the same rule
    for many bookings at once: `cancel_confirmed_set`)."""
    target = (
        Session.objects.filter(pk=booking.session_id)
        if booking.session_id
        else Stock.objects.filter(pk=booking.stock_id)
    )
    target.update(booked_count=F("booked_count") - 1)
    if booking.session_id:
        next_sessions.next_sessions_changed([booking.offer_id])  # a date open again
    if booking.price_cents:
        Beneficiary.objects.filter(user_id=booking.beneficiary_id).update(
            credit_cents=F("credit_cents") + booking.price_cents
        )
    holds.offer_places(session_id=booking.session_id, stock_id=booking.stock_id)


def cancel_confirmed_set(
    bookings: QuerySet[Booking],
    *,
    actor: User | None,
    reason: str,
    comment: str,
    now,
    action: Action = Action.CANCELLED,
) -> list[dict]:
    """Cancel the confirmed bookings among `bookings` in a few statements, as `_cancel`
    and `_release` do one by one: status and reason, history, each session's or stock's
    counter lowered by its count, each young person refunded the sum of their prices.
    The freed places are NOT offered to the waiting lists: the caller does it, or not (a
    cancelled session has no waiting list left). Inside the caller's transaction, after
    it locked the sessions or stocks concerned (every change locks them first); the
    bookings' rows are locked here. Returns the rows cancelled (id, beneficiary_id,
    offer_id, session_id, stock_id, price_cents)."""
    due = bookings.filter(status=BookingStatus.CONFIRMED)
    rows = list(
        due.select_for_update(of=("self",))
        .order_by("id")
        .values("id", "beneficiary_id", "offer_id", "session_id", "stock_id", "price_cents")
    )
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    history.record_bookings(
        Booking.objects.filter(id__in=ids),
        action=action,
        from_status=BookingStatus.CONFIRMED,
        to_status=BookingStatus.CANCELLED,
        at=now,
        actor=actor,
        reason=reason,
        comment=comment,
    )
    # The rows are locked and were read confirmed: every one of them changes.
    Booking.objects.filter(id__in=ids, status=BookingStatus.CONFIRMED).update(
        status=BookingStatus.CANCELLED,
        cancelled_at=now,
        cancelled_by=actor if actor is not None and actor.is_authenticated else None,
        cancellation_reason=reason,
        cancellation_comment=comment[:500],
    )
    for model, column in ((Session, "session_id"), (Stock, "stock_id")):
        freed = Counter(r[column] for r in rows if r[column])
        for pk, n in sorted(freed.items()):  # in id order: two runs never deadlock
            model.objects.filter(pk=pk).update(booked_count=F("booked_count") - n)
    next_sessions.next_sessions_changed(r["offer_id"] for r in rows if r["session_id"])
    refunds: Counter[int] = Counter()
    for r in rows:
        refunds[r["beneficiary_id"]] += r["price_cents"]
    for user_id, cents in sorted(refunds.items()):
        if cents:
            Beneficiary.objects.filter(user_id=user_id).update(
                credit_cents=F("credit_cents") + cents
            )
    counts_changed()
    return rows


def _cancel(booking: Booking, *, actor: User, reason: str, comment: str = "") -> Booking:
    now = timezone.now()
    # The session's (or stock's) row first, as every change of its bookings: a whole
    # session being cancelled at the same instant is waited for, never deadlocked with.
    holds.lock_target(session_id=booking.session_id, stock_id=booking.stock_id)
    updated = Booking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMED).update(
        status=BookingStatus.CANCELLED,
        cancelled_at=now,
        cancelled_by=actor,
        cancellation_reason=reason,
        cancellation_comment=comment,
    )
    if not updated:
        booking.refresh_from_db()
        if booking.status == BookingStatus.REIMBURSED:
            raise Refusal(
                "Cette réservation figure sur un relevé de remboursement : elle ne peut plus "
                "être annulée.",
                code="booking.reimbursed",
            )
        raise Refusal(
            f"Cette réservation ne peut plus être annulée (statut : "
            f"{booking.get_status_display().lower()}).",
            code="booking.wrong_status",
        )
    _release(booking)
    history.record_booking(
        booking,
        action=Action.CANCELLED,
        actor=actor,
        from_status=BookingStatus.CONFIRMED,
        to_status=BookingStatus.CANCELLED,
        reason=reason,
        comment=comment,
    )
    counts_changed()
    booking.refresh_from_db()
    return booking


@transaction.atomic
def booking_cancel_by_beneficiary(*, user: User, booking: Booking) -> Booking:
    """The young person cancels before the deadline (offers/rules.py); the venue and the
    young person are e-mailed."""
    if booking.beneficiary_id != user.pk:
        raise Refusal("Réservation introuvable.", code="booking.not_found")
    if not rules.cancellation_open(booking, timezone.now()):
        raise Refusal(
            "Le délai d'annulation est dépassé : une réservation d'événement s'annule dans "
            "les 48 heures qui suivent la réservation, et jamais dans les 48 heures avant "
            "le début.",
            code="booking.deadline_passed",
        )
    booking = _cancel(booking, actor=user, reason=CancellationReason.BENEFICIARY)
    send_on_commit(
        to=[booking.offer.booking_email or booking.venue.booking_email],
        template="booking_cancelled",
        context={"booking": booking, "by": "beneficiary"},
    )
    send_on_commit(  # the young person keeps a written trace (credit refunded)
        to=[booking.beneficiary.email],
        template="booking_cancelled",
        context={"booking": booking, "by": "self"},
        attachments=cancelling_calendar(booking),
    )
    return booking


def cancelling_calendar(booking: Booking) -> list:
    """The file that takes a cancelled booking's session out of the young person's
    calendar (same UID as the files they got, METHOD:CANCEL); none for a stock."""
    if not booking.session_id:
        return []
    ics = booking_ics(booking, cancelled=True)
    return [(f"reservation-{booking.code}.ics", ics, "text/calendar")]


def _cancellation_terms(booking: Booking) -> dict:
    """What the confirmation e-mail says of cancelling, by the rule the pages use
    (offers/rules.py): until when, or — a session less than 48 h away — no more."""
    deadline = rules.cancellation_deadline(booking)
    return {
        "cancel_before": deadline,
        "no_cancel": rules.deadline_passed(deadline, booking.booked_at),
    }


@transaction.atomic
def booking_cancel_by_venue(*, actor: User, booking: Booking, comment: str) -> Booking:
    """The venue cancels before validation; a reason is required; the young is emailed."""
    if not comment.strip():
        raise Refusal(
            "Indiquez le motif de l'annulation : il sera transmis au jeune.",
            code="booking.reason_required",
        )
    booking = _cancel(
        booking, actor=actor, reason=CancellationReason.VENUE, comment=comment.strip()
    )
    send_on_commit(
        to=[booking.beneficiary.email],
        template="booking_cancelled",
        context={"booking": booking, "by": "venue"},
        attachments=cancelling_calendar(booking),
    )
    return booking
