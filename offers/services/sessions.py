"""Sessions of event offers: one at a time, or a series made by a recurrence rule
(offers/recurrence.py) and changed or deleted together ("this one and the following").

Bookable places never go below the bookings made; every change is in the history. A new
start is a move: offers/services/moves.py tells everyone concerned."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from offers import history, recurrence
from offers.models import (
    Action,
    Booking,
    Offer,
    Registration,
    Session,
    WaitlistEntry,
    WaitlistStatus,
)
from offers.models.places import session_fits_places
from offers.services import holds, next_sessions
from offers.services.moves import sessions_moved
from passlib.counts import changes_counts
from passlib.formats import count_fr, date_fr, session_time_fr
from passlib.refusal import Refusal

_log = history.record_offer


@dataclass(frozen=True)
class SessionData:
    starts_at: datetime
    total_places: int | None = None
    quota: int | None = None
    booking_limit_at: datetime | None = None
    # This session's own length (minutes); None: the offer's (offers/rules.py).
    duration_minutes: int | None = None


def _session_label(session: Session) -> str:
    """ "Séance du 9 décembre 2026 de 15:00 à 16:30", in the venue's local time."""
    tz = session.offer.venue.time_zone
    return f"Séance du {session_time_fr(session.starts_at, session.ends_at, tz=tz)}"


def _keep_limit_lead(data: SessionData, session: Session) -> SessionData:
    """A new start with the booking limit left as it was (the edit form shows the stored
    one): the limit moves with the start, keeping its lead, as a series' does — else a
    session moved later would close on its old date, and one moved earlier be refused
    on a field nobody touched."""
    old_start, old_limit = session.starts_at, session.booking_limit_at
    untouched = data.booking_limit_at is not None and data.booking_limit_at.replace(
        second=0, microsecond=0
    ) == old_limit.replace(second=0, microsecond=0)
    if data.starts_at == old_start or not untouched:
        return data
    return replace(data, booking_limit_at=data.starts_at - (old_start - old_limit))


def _clean_session(data: SessionData, *, now: datetime) -> SessionData:
    errors = {}
    if data.starts_at <= now:
        errors["starts_at"] = "La séance doit commencer dans le futur."
    for name in ("total_places", "quota"):
        value = getattr(data, name)
        if value is not None and value < 0:
            errors[name] = "Ce nombre ne peut pas être négatif."
    if data.quota is not None and data.total_places is not None and data.quota > data.total_places:
        errors["quota"] = (
            f"Le quota pass Culture ({data.quota}) ne peut pas dépasser le nombre de places "
            f"({data.total_places})."
        )
    limit = data.booking_limit_at or data.starts_at
    if limit > data.starts_at:
        errors["booking_limit_at"] = (
            "La date limite de réservation doit précéder le début de la séance."
        )
    if errors:
        raise ValidationError(errors)
    return replace(data, booking_limit_at=limit)


@changes_counts
@transaction.atomic
def session_add(*, actor: User, offer: Offer, data: SessionData) -> Session:
    if not offer.is_event:
        raise Refusal("Les séances ne concernent que les offres événement.", code="offer.not_event")
    data = _clean_session(data, now=timezone.now())
    session = Session.objects.create(
        offer=offer,
        starts_at=data.starts_at,
        total_places=data.total_places,
        quota=data.quota,
        booking_limit_at=data.booking_limit_at,
        duration_minutes=data.duration_minutes,
    )
    Offer.objects.filter(pk=offer.pk).update(updated_by=actor, updated_at=timezone.now())
    _log(
        offer,
        Action.SESSION_ADDED,
        actor,
        label=_session_label(session),
        comment=places_label(session),
    )
    return session


def places_label(session: Session) -> str:
    """ "20 places, pass Culture : 10 au plus", "12 places", "places illimitées"."""
    if session.total_places is None:
        total = "places illimitées"
    else:
        total = count_fr(session.total_places, "place")
    if session.quota is None:
        return total
    return f"{total}, pass Culture : {session.quota} au plus"


def _taken(session: Session, *, pass_only: bool = False) -> str:
    """ "3 places réservées ou proposées à la liste d'attente" (pass Culture), "… et
    4 places prises hors pass Culture" (every channel, for the total)."""
    said = count_fr(
        session.booked_count + session.held_count,
        "place réservée ou proposée",
        "places réservées ou proposées",
    )
    said += " à la liste d'attente"
    others = session.other_count + session.outside_places
    if others and not pass_only:
        said += " et " + count_fr(others, "place prise", "places prises") + " hors pass Culture"
    return said


def _too_few(session: Session, data: SessionData) -> str | None:
    """The field whose new value would leave someone out (None: both fit)."""
    if data.quota is not None and session.booked_count + session.held_count > data.quota:
        return "quota"
    if data.total_places is not None and session.taken > data.total_places:
        return "total_places"
    return None


def _local_day(moment: datetime, tz: str) -> str:
    return date_fr(moment, tz=tz)


@changes_counts
@transaction.atomic
def sessions_add_series(
    *,
    actor: User,
    offer: Offer,
    starts: list[datetime],
    total_places: int | None,
    quota: int | None,
    limit_before: timedelta = timedelta(0),
    duration_minutes: int | None = None,
) -> list[Session]:
    """Create the sessions of a recurrence rule (the dates chosen in its preview), with the
    same places, quota, booking-limit delay and own duration, as one series. Refused as a whole past
    the cap on sessions per offer (offers/recurrence.py)."""
    if not offer.is_event:
        raise Refusal("Les séances ne concernent que les offres événement.", code="offer.not_event")
    if not starts:
        raise Refusal("Cochez au moins une date.", code="session.no_date")
    # The offer's row serialises concurrent series of one offer, so the cap holds.
    Offer.objects.select_for_update().filter(pk=offer.pk).first()
    existing = Session.objects.filter(offer=offer).count()
    cap = recurrence.MAX_SESSIONS_PER_OFFER
    if existing + len(starts) > cap:
        raise Refusal(
            f"Une offre compte au plus {cap} séances : celle-ci en a {existing}, "
            f"{len(starts)} de plus dépasseraient cette limite. Raccourcissez la période, "
            "décochez des dates ou créez une autre offre.",
            code="session.cap",
        )
    now = timezone.now()
    series = uuid.uuid4()
    sessions = []
    for start in sorted(starts):
        data = _clean_session(
            SessionData(
                starts_at=start,
                total_places=total_places,
                quota=quota,
                booking_limit_at=start - limit_before,
                duration_minutes=duration_minutes,
            ),
            now=now,
        )
        sessions.append(
            Session(
                offer=offer,
                starts_at=data.starts_at,
                total_places=data.total_places,
                quota=data.quota,
                booking_limit_at=data.booking_limit_at,
                duration_minutes=data.duration_minutes,
                series=series,
            )
        )
    Session.objects.bulk_create(sessions)  # no signal: the next session told here
    next_sessions.next_sessions_changed([offer.pk])
    Offer.objects.filter(pk=offer.pk).update(updated_by=actor, updated_at=now)
    tz = offer.venue.time_zone
    _log(
        offer,
        Action.SESSION_ADDED,
        actor,
        label=(
            f"{count_fr(len(sessions), 'séance')} du {_local_day(sessions[0].starts_at, tz)} "
            f"au {_local_day(sessions[-1].starts_at, tz)}"
        ),
        comment=places_label(sessions[0]),
    )
    return sessions


def following_in_series(session: Session):
    """This session and the later ones of its series (just this one outside a series);
    a cancelled session is no longer changed nor deleted with its series."""
    if session.series is None:
        return Session.objects.filter(pk=session.pk)
    return Session.objects.filter(
        offer_id=session.offer_id,
        series=session.series,
        starts_at__gte=session.starts_at,
        cancelled_at__isnull=True,
    )


def check_not_cancelled(session: Session) -> None:
    """A cancelled session stays as it was cancelled: what the young people, the
    calendars and the feeds were told (docs/decisions.md, issue 28)."""
    if Session.objects.filter(pk=session.pk, cancelled_at__isnull=False).exists():
        raise Refusal(
            "Cette séance est annulée : elle ne peut plus être modifiée ni supprimée. "
            "Ajoutez une nouvelle séance si elle a lieu finalement.",
            code="session.cancelled",
        )


@changes_counts
@transaction.atomic
def series_update(*, actor: User, session: Session, data: SessionData) -> int:
    """Apply an edit of `session` to it and the following sessions of its series: the
    places and quota, the time of day and the day shift, the booking-limit delay, the
    own duration. Each
    keeps its own date. Refused as a whole (nothing changed) if any would end below its
    bookings or in the past. The sessions whose start changes are moved
    (offers/services/moves.py), their people told once each."""
    check_not_cancelled(session)
    data = _clean_session(_keep_limit_lead(data, session), now=timezone.now())
    tz = session.offer.venue.time_zone
    zone = ZoneInfo(tz)
    rows = list(following_in_series(session).select_for_update().order_by("starts_at"))
    full = [s for s in rows if _too_few(s, data)]
    if full:
        field = _too_few(full[0], data)
        raise ValidationError(
            {
                field: f"Impossible : la séance du {_local_day(full[0].starts_at, tz)} a déjà "
                f"{_taken(full[0], pass_only=field == 'quota')} ; le nombre de places "
                "ne peut pas être inférieur. Rien n'a été modifié."
            }
        )
    new_start = timezone.localtime(data.starts_at, zone)
    shift = new_start.date() - timezone.localtime(session.starts_at, zone).date()
    lead = data.starts_at - data.booking_limit_at
    now = timezone.now()
    old_starts = {s.pk: s.starts_at for s in rows}
    for s in rows:
        day = timezone.localtime(s.starts_at, zone).date() + shift
        s.starts_at = recurrence.local_datetime(day, new_start.time(), tz)
        s.booking_limit_at = s.starts_at - lead
        s.total_places, s.quota = data.total_places, data.quota
        s.duration_minutes = data.duration_minutes
        if s.starts_at <= now:
            raise ValidationError({"starts_at": "Une séance de la série serait dans le passé."})
    Session.objects.bulk_update(
        rows,
        ["starts_at", "booking_limit_at", "total_places", "quota", "duration_minutes"],
        batch_size=500,
    )
    next_sessions.next_sessions_changed([session.offer_id])
    sessions_moved(
        actor=actor,
        offer=session.offer,
        old_starts={s.pk: old_starts[s.pk] for s in rows if s.starts_at != old_starts[s.pk]},
        now=now,
    )
    waiting = WaitlistEntry.objects.filter(
        session__in=rows, status=WaitlistStatus.WAITING
    ).values_list("session_id", flat=True)
    for session_id in sorted(set(waiting)):  # more places: the waiting lists first
        holds.offer_places(session_id=session_id)
    _log(
        session.offer,
        Action.SESSION_CHANGED,
        actor,
        label=f"{count_fr(len(rows), 'séance')} à partir du {_local_day(rows[0].starts_at, tz)}",
        comment=places_label(rows[0]),
    )
    return len(rows)


@changes_counts
@transaction.atomic
def series_remove_following(*, actor: User, session: Session) -> tuple[int, int]:
    """Delete this session and the following ones of its series that have no booking;
    the others stay. Returns (deleted, kept)."""
    check_not_cancelled(session)
    rows = following_in_series(session).select_for_update()
    free = rows.exclude(Exists(Booking.objects.filter(session=OuterRef("pk")))).exclude(
        Exists(Registration.objects.filter(session=OuterRef("pk")))
    )
    ids = list(free.values_list("pk", flat=True))
    kept = rows.count() - len(ids)
    if not ids:
        raise Refusal(
            "Ces séances ont des réservations : elles ne peuvent pas être supprimées.",
            code="session.has_bookings",
        )
    tz = session.offer.venue.time_zone
    _log(
        session.offer,
        Action.SESSION_REMOVED,
        actor,
        label=f"{count_fr(len(ids), 'séance')} à partir du {_local_day(session.starts_at, tz)}",
        comment=count_fr(kept, "gardée car réservée", "gardées car réservées") if kept else "",
    )
    Session.objects.filter(pk__in=ids).delete()
    next_sessions.next_sessions_changed([session.offer_id])
    return len(ids), kept


@changes_counts
@transaction.atomic
def session_update(*, actor: User, session: Session, data: SessionData) -> Session:
    """Change a future session; its bookable places never go below its bookings. A
    cancelled session is not changed. A new start is a move (offers/services/moves.py:
    everyone concerned is told)."""
    check_not_cancelled(session)
    now = timezone.now()
    # Locked: the start it had is the one the people concerned are told of.
    stored = Session.objects.select_for_update().only("starts_at", "booking_limit_at")
    stored = stored.get(pk=session.pk)
    old_start = stored.starts_at
    data = _clean_session(_keep_limit_lead(data, stored), now=now)
    # Bookings, places held for the waiting list and other channels' registrations stay
    # (offers/models/places.py).
    updated = (
        Session.objects.filter(pk=session.pk, cancelled_at__isnull=True)
        .filter(session_fits_places(data.quota, data.total_places))
        .update(
            starts_at=data.starts_at,
            total_places=data.total_places,
            quota=data.quota,
            booking_limit_at=data.booking_limit_at,
            duration_minutes=data.duration_minutes,
        )
    )
    if not updated:
        session.refresh_from_db()
        field = _too_few(session, data) or "total_places"
        raise ValidationError(
            {
                field: f"Impossible : cette séance a déjà "
                f"{_taken(session, pass_only=field == 'quota')} ; le nombre de places ne "
                "peut pas être inférieur."
            }
        )
    next_sessions.next_sessions_changed([session.offer_id])
    moved = data.starts_at != old_start
    if moved:
        sessions_moved(
            actor=actor, offer=session.offer, old_starts={session.pk: old_start}, now=now
        )
    holds.offer_places(session_id=session.pk)  # more places: the waiting list first
    before = (_session_label(session), places_label(session))
    session.refresh_from_db()
    after = (_session_label(session), places_label(session))
    # A new start is logged by sessions_moved (old → new); here the rest: its own
    # length (the end the label shows) and its places.
    changes = [
        f"{old} → {new}"
        for index, (old, new) in enumerate(zip(before, after, strict=True))
        if old != new and not (moved and index == 0)
    ]
    if changes or not moved:
        _log(
            session.offer,
            Action.SESSION_CHANGED,
            actor,
            label=after[0],
            comment="; ".join(changes),
        )
    return session


@changes_counts
@transaction.atomic
def session_remove(*, actor: User, session: Session) -> None:
    check_not_cancelled(session)
    if Booking.objects.filter(session=session).exists():
        raise Refusal(
            "Cette séance a des réservations : elle ne peut pas être supprimée.",
            code="session.has_bookings",
        )
    # Registrations from other channels are the session's list too (and its statistics).
    if Registration.objects.filter(session=session).exists():
        raise Refusal(
            "Cette séance a des inscriptions : elle ne peut pas être supprimée. Vous pouvez "
            "l'annuler.",
            code="session.has_registrations",
        )
    _log(session.offer, Action.SESSION_REMOVED, actor, label=_session_label(session))
    session.delete()
