"""A message to the participants of a session (SPEC §9, issue 28): the librarian writes
once (« apportez votre carte de bibliothèque », « salle changée : auditorium »), each
person booked on the session gets it by e-mail, and, when asked, each person waiting for
a place or offered one; the session's history keeps it.

- Each person once, alone in the To: line (nobody learns who else is coming).
- Not to a cancelled session (its people were told by the cancellation), nor once the
  session has ended: a message is about a session to come or under way.
- Sent once per form: the form carries a key, stored with the history row under a unique
  index; a second submit of the same form (double click, back button, two tabs) is
  refused and sends nothing.
- People registered through another channel get it too when they gave an address and
  agreed to be contacted for this session (« vous »).
"""

from __future__ import annotations

from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from offers import history
from offers.models import Action, BookingStatus, RegistrationStatus, Session, Transition
from offers.models.waitlist import ACTIVE as ACTIVE_WAITLIST
from offers.services.sessions import _session_label
from passlib.emails import send_on_commit
from passlib.formats import count_fr
from passlib.refusal import Refusal

# The history keeps the whole message (Transition.comment): a message is at most this long.
MESSAGE_MAX_LENGTH = 500

# Bookings whose holder is expected at the session (cancelled ones are not).
BOOKED = (BookingStatus.CONFIRMED, BookingStatus.VALIDATED)


def message_recipients(session: Session, *, waiting: bool) -> list[tuple[User, bool]]:
    """Each person to write to, once, with whether they are only waiting: the booked
    (confirmed or validated), then, if `waiting`, those waiting or offered a place who
    have no booking of the session. Two queries."""
    people: dict[int, tuple[User, bool]] = {}
    bookings = (
        session.bookings.filter(status__in=BOOKED)
        .select_related("beneficiary")
        .order_by("beneficiary__last_name", "beneficiary__first_name", "id")
    )
    for booking in bookings:
        people.setdefault(booking.beneficiary_id, (booking.beneficiary, False))
    if waiting:
        entries = (
            session.waitlist.filter(status__in=ACTIVE_WAITLIST)
            .select_related("person")
            .order_by("joined_at", "id")
        )
        for entry in entries:
            people.setdefault(entry.person_id, (entry.person, True))
    return [(person, only_waiting) for person, only_waiting in people.values() if person.email]


def registered_recipients(session: Session, *, waiting: bool) -> list:
    """People registered through another channel who gave an address and agreed to be
    contacted for this session (registered; waiting too if `waiting`), each address
    once. One query."""
    statuses = [RegistrationStatus.REGISTERED]
    if waiting:
        statuses.append(RegistrationStatus.WAITING)
    found, seen = [], set()
    rows = (
        session.registrations.filter(status__in=statuses, contact_consent=True)
        .exclude(email="")
        .order_by("joined_at", "id")
    )
    for registration in rows:
        if registration.email.lower() not in seen:
            seen.add(registration.email.lower())
            found.append(registration)
    return found


def recipients_count(session: Session, *, waiting: bool) -> int:
    """How many people a message would reach: young people and other registrations."""
    return len(message_recipients(session, waiting=waiting)) + len(
        registered_recipients(session, waiting=waiting)
    )


def message_refusal(session: Session, now=None) -> Refusal | None:
    """Why no message may be written to this session now, if so (the page hides the link;
    the service asks again)."""
    now = now or timezone.now()
    if session.is_cancelled:
        return Refusal(
            "Cette séance est annulée : ses participants ont été prévenus par l'annulation.",
            code="session_message.cancelled",
        )
    if session.ends_at <= now:
        return Refusal(
            "Cette séance est terminée : il n'est plus possible d'écrire à ses participants.",
            code="session_message.ended",
        )
    return None


def session_message(*, actor: User, session: Session, text: str, waiting: bool, key: UUID) -> int:
    """E-mail `text` to the session's participants (and its waiting list if `waiting`),
    each once, and keep it in the history; returns how many people were written to.

    Refused for a cancelled or ended session, without anyone to write to, and when the
    form's `key` was already used (nothing is sent twice)."""
    text = text.strip()
    if not text or len(text) > MESSAGE_MAX_LENGTH:
        raise Refusal(
            f"Le message doit compter entre 1 et {MESSAGE_MAX_LENGTH} caractères.",
            code="session_message.length",
        )
    with transaction.atomic():
        # One message at a time per session: a second submit of the same form waits
        # here, then finds the first one's row (the unique index backs it up).
        session = (
            Session.objects.select_for_update(of=("self",))
            .select_related("offer", "offer__venue")
            .get(pk=session.pk)
        )
        if Transition.objects.filter(key=key).exists():
            raise Refusal(
                "Ce message a déjà été envoyé ; il n'est pas reparti une seconde fois.",
                code="session_message.already_sent",
            )
        refusal = message_refusal(session)
        if refusal is not None:
            raise refusal
        people = message_recipients(session, waiting=waiting)
        registered = registered_recipients(session, waiting=waiting)
        if not people and not registered:
            raise Refusal(
                "Personne à qui écrire : cette séance n'a aucune réservation en cours"
                + (" ni personne en liste d'attente." if waiting else "."),
                code="session_message.nobody",
            )
        written = count_fr(len(people) + len(registered), "personne")
        history.record_offer(
            session.offer,
            Action.SESSION_MESSAGE,
            actor,
            label=f"{_session_label(session)} — envoyé à {written}",
            comment=text,
            key=key,
        )
        offer = session.offer
        for person, only_waiting in people:
            send_on_commit(
                to=[person.email],
                template="session_message",
                context={
                    "person": person,
                    "offer": offer,
                    "venue": offer.venue,
                    "session": session,
                    "message": text,
                    "waiting": only_waiting,
                },
            )
        for registration in registered:
            send_on_commit(
                to=[registration.email],
                template="registration_session_message",
                context={
                    "registration": registration,
                    "offer": offer,
                    "venue": offer.venue,
                    "session": session,
                    "message": text,
                },
            )
    return len(people) + len(registered)
