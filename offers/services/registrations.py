"""Registrations from other channels (SPEC §9, « One capacity for every channel»): a
person registered at the desk, by phone, by e-mail or in another tool, a walk-in counted
at the door, and the number a library keeps on its own list.

Rules (docs/bookings.md):
- a registration takes `places` from the session's total (or a stock's quantity), never
  from the pass Culture quota, by one conditional UPDATE of `other_count`
  (offers/models/places.py `session_fits_others`), backed by the CHECK constraints
  `session_never_oversold` / `stock_never_oversold`: never oversold, whatever the order;
- a full session refuses it with the places left, unless the librarian puts the person
  on the waiting line (the same line as the young people's, in order of arrival);
- a walk-in (« sans inscription ») is counted present and takes no place;
- cancelling, or taking fewer places, frees them at once: the waiting line first
  (offers/services/holds.py `offer_places`);
- contact details only with consent; every change is in the offer's history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from offers import history, rules
from offers.models import (
    Action,
    AgeBracket,
    Attendance,
    Channel,
    Registration,
    RegistrationStatus,
    Session,
    Stock,
)
from offers.models.places import session_fits_others, stock_fits_others
from offers.models.registrations import MAX_PARTY
from offers.services import holds, next_sessions
from offers.services.holds import registration_comment, registration_label
from passlib.counts import counts_changed
from passlib.emails import send_on_commit
from passlib.formats import count_fr, date_fr, datetime_fr
from passlib.refusal import Refusal
from passlib.text import clean_line

_PHONE_CHARS = re.compile(r"[\s.\-/()]")


@dataclass(frozen=True)
class RegistrationData:
    channel: str
    name: str = ""
    phone: str = ""
    email: str = ""
    contact_consent: bool = False
    age_bracket: str = AgeBracket.UNKNOWN
    places: int = 1
    note: str = ""


def clean_phone(raw: str) -> str:
    """A phone number as people type it (« 06 12 34 56 78 », « +33 6… »), kept as typed
    but with 6 to 15 digits; "" when empty."""
    value = clean_line(raw or "").strip()
    if not value:
        return ""
    digits = _PHONE_CHARS.sub("", value)
    if digits.startswith("+"):
        digits = digits[1:]
    if not (digits.isascii() and digits.isdigit() and 6 <= len(digits) <= 15):
        raise ValidationError(
            {"phone": "Numéro de téléphone invalide : des chiffres, par exemple 06 12 34 56 78."}
        )
    return value


def clean_data(data: RegistrationData) -> RegistrationData:
    """The values a registration may hold, or field errors in French."""
    errors: dict[str, str] = {}
    name = clean_line(data.name or "").strip()[:150]
    if data.channel not in Channel.values:
        errors["channel"] = "Choisissez le canal d'inscription."
    if not name and data.channel != Channel.WALK_IN:
        errors["name"] = "Indiquez un nom ou des initiales."
    if data.age_bracket not in AgeBracket.values:
        errors["age_bracket"] = "Choisissez une tranche d'âge."
    if not 1 <= data.places <= MAX_PARTY:
        errors["places"] = f"Indiquez un nombre de places entre 1 et {MAX_PARTY}."
    phone = ""
    try:
        phone = clean_phone(data.phone)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    email = (data.email or "").strip()
    if (phone or email) and not data.contact_consent:
        errors["contact_consent"] = (
            "Cochez l'accord de la personne pour être contactée, ou n'indiquez ni téléphone "
            "ni adresse électronique."
        )
    if errors:
        raise ValidationError(errors)
    return replace(
        data,
        name=name,
        phone=phone,
        email=email,
        contact_consent=bool(data.contact_consent and (phone or email)),
        note=clean_line(data.note or "").strip()[:500],
    )


def _model(target):
    return Session if isinstance(target, Session) else Stock


def _fits(target, places: int):
    return session_fits_others(places) if isinstance(target, Session) else stock_fits_others(places)


def _check_open(target, now) -> None:
    if isinstance(target, Session) and target.cancelled_at is not None:
        raise Refusal(
            "Cette séance est annulée : on ne peut plus s'y inscrire.",
            code="registration.session_cancelled",
        )


def _take(target, places: int, **update) -> bool:
    """One conditional UPDATE: `places` more for another channel if they fit (by
    default added to `other_count`; `update` says another column's new value)."""
    try:
        with transaction.atomic():
            return bool(
                _model(target)
                .objects.filter(pk=target.pk)
                .filter(_fits(target, places))
                .update(**(update or {"other_count": F("other_count") + places}))
            )
    except IntegrityError:  # the CHECK constraint caught a race: same answer as full
        return False


def _full_message(target, places: int, *, more: bool = False) -> str:
    """Full: what is left; a new person may go on the waiting line, a change may not."""
    target.refresh_from_db()
    left = max(target.places_left or 0, 0)
    line = "" if more else " Vous pouvez inscrire la personne sur la liste d'attente."
    if not left:
        return "C'est complet : il n'y a plus de place." + line
    return (
        f"Il ne reste que {count_fr(left, 'place')} : impossible d'en "
        f"{'ajouter' if more else 'prendre'} {places}." + line
    )


def _changed(target) -> None:
    """Places changed: the offer's next session, and what the pro home and the lists
    count (passlib/counts.py), as a booking's service moves them."""
    if isinstance(target, Session):
        next_sessions.next_sessions_changed([target.offer_id])
    counts_changed()


def _record(target, action: Action, actor, registration, **kw) -> None:
    history.record_offer(
        target.offer,
        action,
        actor,
        label=registration_label(target),
        comment=kw.pop("comment", registration_comment(registration)),
        **kw,
    )


@transaction.atomic
def registration_add(
    *,
    actor: User | None,
    target: Session | Stock,
    data: RegistrationData,
    waitlist: bool = False,
    action: Action = Action.REGISTRATION_ADDED,
    now=None,
) -> Registration:
    """Register a person from another channel on a session or a stock. Full: a
    `ValidationError` on « places » with what is left, or the waiting line when
    `waitlist` (a walk-in is counted present, and takes no place)."""
    now = now or timezone.now()
    data = clean_data(data)
    _check_open(target, now)
    walk_in = data.channel == Channel.WALK_IN
    if walk_in:
        _check_day(target if isinstance(target, Session) else None, Attendance.PRESENT, now)
    status = RegistrationStatus.REGISTERED
    if not walk_in and not _take(target, data.places):
        if not waitlist:
            raise ValidationError({"places": _full_message(target, data.places)})
        # Into the line under the target's lock, as every change of the line: a
        # cancellation serving the line at this instant either freed its places before
        # (taken now) or waits for this row (and serves it).
        holds.lock_target(**holds.target_ids(target))
        if not _take(target, data.places):
            status = RegistrationStatus.WAITING
    registration = Registration.objects.create(
        offer_id=target.offer_id,
        session=target if isinstance(target, Session) else None,
        stock=target if isinstance(target, Stock) else None,
        channel=data.channel,
        name=data.name,
        phone=data.phone,
        email=data.email,
        contact_consent=data.contact_consent,
        age_bracket=data.age_bracket,
        places=data.places,
        note=data.note,
        status=status,
        attendance=Attendance.PRESENT if walk_in else Attendance.UNKNOWN,
        attendance_at=now if walk_in else None,
        joined_at=now,
        created_by=actor,
    )
    if action is not None:
        waiting = " — liste d'attente" if status == RegistrationStatus.WAITING else ""
        _record(
            target,
            action,
            actor,
            registration,
            comment=registration_comment(registration) + waiting,
        )
    if status == RegistrationStatus.REGISTERED and not walk_in:
        _changed(target)
    else:  # on the waiting line, or counted at the door: no place, but counted
        counts_changed()
    return registration


def _locked(registration: Registration):
    """The registration's session (or stock) locked, then the registration re-read: every
    change of places goes through the target's row first (offers/services/holds.py)."""
    target = holds.lock_target(session_id=registration.session_id, stock_id=registration.stock_id)
    return target, Registration.objects.select_for_update().get(pk=registration.pk)


@transaction.atomic
def registration_cancel(*, actor: User, registration: Registration, now=None) -> Registration:
    """Cancel a registration (or take the person off the waiting line): its places go to
    the waiting line first, at once."""
    now = now or timezone.now()
    target, registration = _locked(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        raise Refusal("Cette inscription est déjà annulée.", code="registration.cancelled")
    freed = registration.places if registration.takes_places else 0
    Registration.objects.filter(pk=registration.pk).update(
        status=RegistrationStatus.CANCELLED, cancelled_at=now
    )
    if freed:
        _model(target).objects.filter(pk=target.pk).update(other_count=F("other_count") - freed)
        _changed(target)
    _record(target, Action.REGISTRATION_CANCELLED, actor, registration)
    counts_changed()  # off the waiting line too
    if freed:
        holds.offer_places(**holds.target_ids(target), now=now)
    registration.refresh_from_db()
    return registration


@transaction.atomic
def registration_change(
    *, actor: User, registration: Registration, data: RegistrationData, now=None
) -> Registration:
    """Change a registration: more places if they fit (else a `ValidationError`), fewer
    free them for the waiting line at once; the other details as typed. A walk-in stays
    a walk-in (and another channel never becomes one)."""
    now = now or timezone.now()
    data = clean_data(data)
    target, registration = _locked(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        raise Refusal("Cette inscription est annulée.", code="registration.cancelled")
    if (data.channel == Channel.WALK_IN) != (registration.channel == Channel.WALK_IN):
        raise ValidationError(
            {"channel": "Une personne venue sans inscription le reste ; changez son nombre."}
        )
    delta = data.places - registration.places if registration.takes_places else 0
    if delta > 0 and not _take(target, delta):
        raise ValidationError({"places": _full_message(target, delta, more=True)})
    if delta < 0:
        _model(target).objects.filter(pk=target.pk).update(other_count=F("other_count") + delta)
    before = registration_comment(registration)
    for name in ("channel", "name", "phone", "email", "contact_consent", "age_bracket"):
        setattr(registration, name, getattr(data, name))
    registration.places, registration.note = data.places, data.note
    registration.save(
        update_fields=[
            "channel",
            "name",
            "phone",
            "email",
            "contact_consent",
            "age_bracket",
            "places",
            "note",
        ]
    )
    _record(
        target,
        Action.REGISTRATION_CHANGED,
        actor,
        registration,
        comment=f"{before} → {registration_comment(registration)}"[:500],
    )
    if delta:
        _changed(target)
    if delta < 0:
        holds.offer_places(**holds.target_ids(target), now=now)
    return registration


def _check_day(session, attendance: str, now) -> None:
    """Too early to say someone came (or did not)."""
    if session is None or attendance == Attendance.UNKNOWN:
        return
    tz = session.offer.venue.time_zone
    if attendance == Attendance.PRESENT:
        opens = rules.presence_opens_at(session.starts_at, tz)
        if now < opens:
            raise Refusal(
                f"Vous pourrez marquer une présence à partir du jour de la séance, le "
                f"{date_fr(opens, tz=tz)}.",
                code="registration.present_too_early",
            )
    elif not rules.absence_open(session.starts_at, now):
        raise Refusal(
            "Vous pourrez marquer cette personne absente à partir du début de la séance, "
            f"le {datetime_fr(session.starts_at, tz=tz)}.",
            code="registration.absent_too_early",
        )


@transaction.atomic
def registration_mark(
    *, actor: User, registration: Registration, attendance: str, now=None
) -> Registration:
    """« Présent » from the session's day (offers/rules.py `presence_opens_at`), « Absent »
    once it has started (`absence_open`, as a booking's), « Non marqué » (a mis-click
    undone) at any time; a registered person only."""
    now = now or timezone.now()
    if attendance not in Attendance.values:
        raise Refusal("Choisissez « Présent » ou « Absent ».", code="registration.attendance")
    if registration.status != RegistrationStatus.REGISTERED:
        raise Refusal(
            "Seule une personne inscrite peut être marquée présente ou absente.",
            code="registration.not_registered",
        )
    _check_day(registration.session, attendance, now)
    Registration.objects.filter(pk=registration.pk, status=RegistrationStatus.REGISTERED).update(
        attendance=attendance, attendance_at=now
    )
    registration.refresh_from_db()
    return registration


@transaction.atomic
def outside_places_set(*, actor: User, session: Session, places: int, now=None) -> Session:
    """« Places déjà prises hors pass Culture »: the number a library keeps on its own
    list, from the total like a registration. More only if they fit; fewer free places
    for the waiting line at once."""
    now = now or timezone.now()
    if not 0 <= places <= 100_000:
        raise ValidationError({"outside_places": "Indiquez un nombre entre 0 et 100 000."})
    target = holds.lock_target(session_id=session.pk)
    _check_open(target, now)
    delta = places - target.outside_places
    if not delta:
        return target
    if delta > 0:
        if not _take(target, delta, outside_places=places):
            left = max(target.places_left or 0, 0)
            raise ValidationError(
                {
                    "outside_places": f"Il ne reste que {count_fr(left, 'place')} : "
                    f"impossible d'en compter {delta} de plus."
                }
            )
    else:
        Session.objects.filter(pk=target.pk).update(outside_places=places)
    history.record_offer(
        target.offer,
        Action.OUTSIDE_PLACES,
        actor,
        label=registration_label(target),
        comment=f"{target.outside_places} → {count_fr(places, 'place')}",
    )
    _changed(target)
    if delta < 0:
        holds.offer_places(session_id=target.pk, now=now)
    target.refresh_from_db()
    return target


def close_for_cancelled_sessions(session_ids: list[int], *, said: str, now) -> int:
    """A cancelled session's other registrations are cancelled with it (its line
    closed, its places no longer counted); those who gave an address and agreed to be
    contacted are told, the others are shown « à prévenir » on the participants page.
    Inside the cancellation's transaction (the sessions locked)."""
    closed = list(
        Registration.objects.select_for_update(of=("self",))
        .filter(
            session_id__in=session_ids,
            status__in=(RegistrationStatus.REGISTERED, RegistrationStatus.WAITING),
        )
        .exclude(channel=Channel.WALK_IN)
        .select_related("offer__venue", "session")
        .order_by("pk")
    )
    Registration.objects.filter(pk__in=[r.pk for r in closed]).update(
        status=RegistrationStatus.CANCELLED, cancelled_at=now
    )
    Session.objects.filter(pk__in=session_ids).update(other_count=0)
    for registration in closed:
        if registration.email and registration.contact_consent:
            send_on_commit(
                to=[registration.email],
                template="registration_session_cancelled",
                context={
                    "registration": registration,
                    "session": registration.session,
                    "offer": registration.offer,
                    "said": said,
                },
            )
    return len(closed)
