"""Freed places go to the waiting list first: to the first in line, whatever their
channel (a young person's place is held, another channel's registration is made).

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

from offers import history, policy, rules
from offers.models import (
    Action,
    Channel,
    Registration,
    RegistrationStatus,
    Session,
    Stock,
    WaitlistEntry,
    WaitlistStatus,
)
from offers.models.places import pass_left
from offers.services import next_sessions
from passlib.emails import send_on_commit
from passlib.formats import count_fr, datetime_fr


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


# How far down the line one call looks (each entry locked): a line is a few dozen people.
LINE_WINDOW = 500


def offer_places(*, session_id: int | None = None, stock_id: int | None = None, now=None) -> int:
    """Give each place left to the next in line, in order, whatever their channel (SPEC
    §9): a young person's place is held and e-mailed (they confirm it); a person
    registered at the desk, by phone… is registered at once (the page says to tell them;
    an e-mail when they gave one). Someone who does not fit (a young person once the
    quota is reached, a party larger than the places left) keeps their rank and the next
    who fits is served. Returns how many people were served. Inside the caller's
    transaction."""
    now = now or timezone.now()
    target = lock_target(session_id=session_id, stock_id=stock_id)
    if getattr(target, "cancelled_at", None) is not None:
        return 0  # a cancelled session's line is closed (offers/services/cancellations.py)
    room = _Room.of(target)
    if room.full:
        return 0
    until = _hold_until(target, now)
    young_served, others_served = [], []
    for candidate in _line(target):
        if room.full:
            break
        if isinstance(candidate, WaitlistEntry):
            if until is not None and room.fits_pass():
                room.take(1, pass_culture=True)
                young_served.append(candidate.pk)
        elif _may_register(target, now) and room.fits(candidate.places):
            room.take(candidate.places, pass_culture=False)
            others_served.append(candidate)
    if not young_served and not others_served:
        return 0
    if young_served:
        WaitlistEntry.objects.filter(pk__in=young_served).update(
            status=WaitlistStatus.OFFERED, offered_at=now, offered_until=until
        )
    if others_served:
        Registration.objects.filter(pk__in=[r.pk for r in others_served]).update(
            status=RegistrationStatus.REGISTERED, promoted_at=now
        )
    type(target).objects.filter(pk=target.pk).update(
        held_count=F("held_count") + len(young_served),
        other_count=F("other_count") + sum(r.places for r in others_served),
    )
    _places_changed(target)
    _tell_young(young_served)
    _tell_registered(target, others_served, now)
    return len(young_served) + len(others_served)


class _Room:
    """What is left of the quota (pass Culture) and of the total (everyone) while the
    line is served: offers/models/places.py on the locked row's values."""

    def __init__(self, quota_room: int | None, all_room: int | None):
        self.quota_room, self.all_room = quota_room, all_room

    @classmethod
    def of(cls, target) -> _Room:
        if isinstance(target, Session):
            # The quota's side of the rule alone (no total): the twin `pass_left`.
            quota_room = pass_left(target.quota, None, target.booked_count, target.held_count, 0, 0)
            return cls(quota_room, target.places_left)
        return cls(None, target.remaining)

    @property
    def full(self) -> bool:
        """No place of the total left for anyone (a quota reached still leaves places to
        other channels)."""
        return self.all_room is not None and self.all_room <= 0

    def fits_pass(self) -> bool:
        return (self.quota_room is None or self.quota_room >= 1) and self.fits(1)

    def fits(self, places: int) -> bool:
        return self.all_room is None or self.all_room >= places

    def take(self, places: int, *, pass_culture: bool) -> None:
        if pass_culture and self.quota_room is not None:
            self.quota_room -= places
        if self.all_room is not None:
            self.all_room -= places


def _hold_until(target, now):
    """Until when a young person's place would be held (None: no hold any more: the
    offer closed to young people, or too late)."""
    if not policy.is_open_for_booking(target.offer):
        return None
    closes_at = (
        target.booking_limit_at if isinstance(target, Session) else rules.stock_closes_at(target)
    )
    return rules.hold_until(now, closes_at, timedelta(hours=settings.WAITLIST_HOLD_HOURS))


def _may_register(target, now) -> bool:
    """A person from another channel is given a place until the session starts (a stock:
    while its offer is not deactivated)."""
    if isinstance(target, Session):
        return target.starts_at > now
    return True


def _line(target) -> list:
    """The waiting line of every channel, in order of arrival: young people's entries
    and other registrations, each locked (on PostgreSQL one that left meanwhile no
    longer matches and is skipped)."""
    young = list(
        WaitlistEntry.objects.filter(**line_of(target), status=WaitlistStatus.WAITING)
        .order_by("joined_at", "id")
        .select_for_update()[:LINE_WINDOW]
    )
    others = list(
        Registration.objects.filter(**line_of(target), status=RegistrationStatus.WAITING)
        .order_by("joined_at", "id")
        .select_for_update()[:LINE_WINDOW]
    )
    return sorted(
        young + others,
        key=lambda c: (c.joined_at, 0 if isinstance(c, WaitlistEntry) else 1, c.pk),
    )


def _tell_young(ids: list[int]) -> None:
    for entry in WaitlistEntry.objects.filter(pk__in=ids).select_related(
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


def _tell_registered(target, registrations: list, now) -> None:
    """The history says who got a place; those who gave an address and agreed to be
    contacted get an e-mail, the others are shown « à prévenir » on the page."""
    history.record_many(
        [
            {
                "action": Action.REGISTRATION_PROMOTED,
                "actor": None,
                "venue_id": target.offer.venue_id,
                "offer": target.offer,
                "label": registration_label(target),
                "comment": registration_comment(registration),
            }
            for registration in registrations
        ]
    )
    for registration in registrations:
        registration.status = RegistrationStatus.REGISTERED
        if registration.email and registration.contact_consent:
            send_on_commit(
                to=[registration.email],
                template="registration_promoted",
                context={"registration": registration, "target": target, "offer": target.offer},
            )


def registration_label(target) -> str:
    """What a registration's history row is about: « Séance du … », or the offer."""
    if isinstance(target, Session):
        return f"Séance du {datetime_fr(target.starts_at, tz=target.offer.venue.time_zone)}"
    return target.offer.title


def registration_comment(registration) -> str:
    """ "Famille Martin — 3 places — Accueil"."""
    name = registration.name or "Sans nom"
    unit = "personne" if registration.channel == Channel.WALK_IN else "place"  # no place
    return f"{name} — {count_fr(registration.places, unit)} — {registration.get_channel_display()}"


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
