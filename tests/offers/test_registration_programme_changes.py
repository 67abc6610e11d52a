"""People registered through another channel hear of a programme change when they gave
an address and agreed to be contacted (one e-mail, « vous », both dates); the others are
not written to; a cancelled session cancels their registrations, which free no place
twice."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from django.core import mail

from offers.models import Channel, Registration, RegistrationStatus, Session
from offers.services import cancellations, session_messages
from offers.services import registrations as reg
from offers.services import sessions as session_services
from passlib.formats import datetime_fr
from tests.factories import make_offer, make_session

pytestmark = pytest.mark.django_db

ENGLISH = ("e-mail", "email", "booking", "session", "Hello", "Dear")


def _register(session, name, *, email="", phone="", places=1, waitlist=False):
    return reg.registration_add(
        actor=None,
        target=session,
        data=reg.RegistrationData(
            channel=Channel.PHONE if phone else Channel.DESK,
            name=name,
            email=email,
            phone=phone,
            contact_consent=bool(email or phone),
            places=places,
        ),
        waitlist=waitlist,
    )


@pytest.fixture
def club(space):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Club manga")
    return make_session(offer, days=10, total_places=4, quota=2)


def test_a_move_tells_the_registered_who_agreed_once_in_french(
    club, owner, django_capture_on_commit_callbacks
):
    chloe = _register(club, "Chloé d'Arc", email="chloe@exemple.fr", places=2)
    _register(club, "Famille Lefèvre", phone="06 12 34 56 78", places=2)
    waiting = _register(club, "Zoé L'Haÿ", email="zoe@exemple.fr", waitlist=True)
    assert waiting.status == RegistrationStatus.WAITING
    old = club.starts_at
    new_start = old + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        session_services.session_update(
            actor=owner,
            session=club,
            data=session_services.SessionData(
                starts_at=new_start,
                total_places=4,
                quota=2,
                booking_limit_at=new_start,
            ),
        )
    told = {m.to[0]: m for m in mail.outbox}
    assert set(told) == {"chloe@exemple.fr", "zoe@exemple.fr"}  # no address: not written
    tz = club.offer.venue.time_zone
    message = told["chloe@exemple.fr"]
    assert message.subject == (
        f"Changement de date : Club manga, désormais le {datetime_fr(new_start, tz=tz)}"
    )
    text = message.body
    assert "Bonjour," in text and "Votre inscription pour 2 personnes est gardée" in text
    assert datetime_fr(old, tz=tz, weekday=True).split(" à ")[0].lower() in text.lower()
    assert " tu " not in text and not any(word in text for word in ENGLISH)
    assert "Vous restez sur sa liste d'attente." in told["zoe@exemple.fr"].body
    chloe.refresh_from_db()
    assert chloe.status == RegistrationStatus.REGISTERED  # kept for the new date


def test_a_cancelled_session_cancels_every_registration_and_its_places(
    club, owner, django_capture_on_commit_callbacks
):
    _register(club, "Chloé d'Arc", email="chloe@exemple.fr", places=3)
    _register(club, "Sans adresse", places=1)
    _register(club, "En attente", email="attente@exemple.fr", waitlist=True)
    walk_in = reg.registration_add(
        actor=None,
        target=club,
        data=reg.RegistrationData(channel=Channel.WALK_IN, places=2),
        now=club.starts_at - timedelta(hours=1),  # at the door, the session's day
    )
    impact = cancellations.impact([club])
    assert impact["others"] == 3  # a walk-in came: nothing to tell
    with django_capture_on_commit_callbacks(execute=True):
        cancellations.session_cancel(actor=owner, session=club, reason="room")
    session = Session.objects.get(pk=club.pk)
    assert session.other_count == 0
    statuses = dict(Registration.objects.values_list("name", "status"))
    assert statuses["Chloé d'Arc"] == statuses["Sans adresse"] == RegistrationStatus.CANCELLED
    assert statuses["En attente"] == RegistrationStatus.CANCELLED
    walk_in.refresh_from_db()
    assert walk_in.status == RegistrationStatus.REGISTERED  # they came: still counted
    told = {m.to[0]: m for m in mail.outbox}
    assert set(told) == {"chloe@exemple.fr", "attente@exemple.fr"}
    assert told["chloe@exemple.fr"].subject.startswith("Séance annulée : Club manga du ")
    assert "Votre inscription est donc annulée" in told["chloe@exemple.fr"].body
    assert "liste d'attente : elle est close" in told["attente@exemple.fr"].body


def test_a_message_to_participants_reaches_the_registered_who_agreed(
    club, owner, django_capture_on_commit_callbacks
):
    _register(club, "Chloé d'Arc", email="chloe@exemple.fr", places=2)
    _register(club, "Sans accord", phone="06 12 34 56 78")
    _register(club, "En attente", email="attente@exemple.fr", places=3, waitlist=True)
    assert session_messages.recipients_count(club, waiting=False) == 1
    assert session_messages.recipients_count(club, waiting=True) == 2
    with django_capture_on_commit_callbacks(execute=True):
        written = session_messages.session_message(
            actor=owner, session=club, text="Apportez vos crayons.", waiting=False, key=uuid4()
        )
    assert written == 1
    [message] = mail.outbox
    assert message.to == ["chloe@exemple.fr"]
    assert message.subject == "Club manga : un message de " + club.offer.venue.display_name
    assert "vous envoie ce message" in message.body and "Apportez vos crayons." in message.body
    assert " tu " not in message.body and not any(word in message.body for word in ENGLISH)
