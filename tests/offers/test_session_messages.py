"""A message to a session's participants (issue 28): written once by the librarian,
e-mailed to each person booked (and, if ticked, waiting), each once, kept in the
offer's history; a double submit sends nothing twice; hostile input sends nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from offers.models import (
    Action,
    Booking,
    BookingStatus,
    Session,
    SessionCancelReason,
    Transition,
    WaitlistEntry,
)
from offers.services import bookings as booking_services
from offers.services import session_messages as services
from passlib.formats import session_time_fr
from passlib.refusal import Refusal
from tests.factories import make_beneficiary, make_offer, make_session
from tests.threads import at_once

TEXT = "Apportez votre carte de bibliothèque.\nSalle changée : auditorium."


def _url(offer, session):
    return f"/offres/{offer.public_id}/seances/{session.public_id}/message/"


def _session(space, *, days=9):
    """A session with Léa (confirmed), Sami (validated), Noé (cancelled), Inès waiting,
    Yanis offered a place, Zoé who left the line."""
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier BD d'Angoulême")
    session = make_session(offer, days=days, total_places=3)
    people = {}
    for name in ("Léa", "Sami", "Noé"):
        people[name] = make_beneficiary(16, first_name=name, email=f"{name.lower()}@exemple.fr")
        booking_services.booking_create(user=people[name], offer=offer, session=session)
    Booking.objects.filter(beneficiary=people["Sami"]).update(
        status=BookingStatus.VALIDATED, validated_at=timezone.now()
    )
    noe = Booking.objects.get(beneficiary=people["Noé"])
    booking_services.booking_cancel_by_beneficiary(user=people["Noé"], booking=noe)
    for name, status in (("Inès", "waiting"), ("Yanis", "offered"), ("Zoé", "left")):
        people[name] = make_beneficiary(17, first_name=name, email=f"{name.lower()}@exemple.fr")
        WaitlistEntry.objects.create(
            offer=offer,
            session=session,
            person=people[name],
            status=status,
            offered_until=session.booking_limit_at if status == "offered" else None,
        )
    session.refresh_from_db()
    return offer, session, people


def _form_key(client, offer, session) -> str:
    html = client.get(_url(offer, session)).content.decode()
    return html.split('name="key" value="', 1)[1].split('"', 1)[0]


@pytest.mark.django_db
def test_the_booked_get_it_once_each_with_the_date_and_the_place_and_the_history_keeps_it(
    login, owner, space, django_capture_on_commit_callbacks
):
    offer, session, _ = _session(space)
    client = login(owner)
    participants = client.get(_url(offer, session).replace("/message/", "/participants/"))
    assert "Écrire aux participants" in participants.content.decode()
    page = client.get(_url(offer, session)).content.decode()
    assert "2 personnes aujourd'hui, 4 avec la liste d'attente" in page
    key = _form_key(client, offer, session)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(offer, session), {"message": TEXT, "key": key}, follow=True)
    assert "Message envoyé à 2 personnes." in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["léa@exemple.fr", "sami@exemple.fr"]
    message = mail.outbox[0]
    assert message.subject == "Atelier BD d'Angoulême : un message de Médiathèque Part-Dieu"
    assert TEXT in message.body
    assert "Bonjour " in message.body and "t'envoie ce message au sujet de « " in message.body
    tz = space["venue"].time_zone
    when = session_time_fr(session.starts_at, session.ends_at, weekday=True, tz=tz)
    assert f"Date : {when}\n" in message.body and " de " in when and " à " in when
    assert f"Lieu : Médiathèque Part-Dieu, {space['venue'].address}" in message.body
    assert "tu as réservé une place" in message.body
    (row,) = Transition.objects.filter(action=Action.SESSION_MESSAGE)
    assert row.comment == TEXT and row.actor == owner and row.offer == offer
    assert row.label.startswith("Séance du ") and row.label.endswith("— envoyé à 2 personnes")
    detail = client.get(f"/offres/{offer.public_id}/").content.decode()
    assert "Message aux participants" in detail and "Apportez votre carte" in detail


@pytest.mark.django_db
def test_ticked_the_waiting_list_gets_it_too_each_person_once(
    owner, space, django_capture_on_commit_callbacks
):
    offer, session, people = _session(space)
    # Léa also waits (for this very session, from before her booking): written to once.
    WaitlistEntry.objects.create(offer=offer, session=session, person=people["Léa"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        written = services.session_message(
            actor=owner, session=session, text=TEXT, waiting=True, key=uuid.uuid4()
        )
    assert written == 4
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == ["inès@exemple.fr", "léa@exemple.fr", "sami@exemple.fr", "yanis@exemple.fr"]
    ines = next(m for m in mail.outbox if m.to == ["inès@exemple.fr"])
    assert "tu es sur la liste d'attente de cette séance" in ines.body
    lea = next(m for m in mail.outbox if m.to == ["léa@exemple.fr"])
    assert "tu as réservé une place" in lea.body


@pytest.mark.django_db
def test_a_double_submit_sends_nothing_twice(
    login, owner, space, django_capture_on_commit_callbacks
):
    offer, session, _ = _session(space)
    client = login(owner)
    key = _form_key(client, offer, session)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(offer, session), {"message": TEXT, "key": key, "waiting": "on"})
        again = client.post(
            _url(offer, session), {"message": TEXT, "key": key, "waiting": "on"}, follow=True
        )
    assert "Ce message a déjà été envoyé" in again.content.decode()
    assert len(mail.outbox) == 4
    assert Transition.objects.filter(action=Action.SESSION_MESSAGE).count() == 1
    # A new form has a new key: a second message, on purpose, goes.
    assert _form_key(client, offer, session) != key


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submits_of_one_form_at_the_same_instant_send_once(owner, space):
    _, session, _ = _session(space)
    key = uuid.uuid4()
    mail.outbox.clear()

    def send():
        return services.session_message(
            actor=owner, session=session, text=TEXT, waiting=True, key=key
        )

    results, errors = at_once([send, send])
    assert results == [4]
    assert [e.code for e in errors] == ["session_message.already_sent"]
    assert len(mail.outbox) == 4
    assert Transition.objects.filter(action=Action.SESSION_MESSAGE).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Ce champ est obligatoire."),
        ("   \n\t ", "Ce champ est obligatoire."),
        ("x" * 5000, "au plus 500 caractères"),
        ("Salle\x00 changée", "Le caractère nul"),
    ],
)
def test_hostile_input_is_told_next_to_the_field_kept_and_sends_nothing(
    login, owner, space, typed, error, django_capture_on_commit_callbacks
):
    offer, session, _ = _session(space)
    client = login(owner)
    key = _form_key(client, offer, session)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(offer, session), {"message": typed, "key": key})
    html = response.content.decode()
    assert response.status_code == 400
    field_error = html.split('id="id_message_error"', 1)[1].split("</div>", 1)[0]
    assert error in field_error
    if typed.strip():
        assert ("x" * 5000 if "x" in typed else "changée") in html
    assert mail.outbox == []
    assert not Transition.objects.filter(action=Action.SESSION_MESSAGE).exists()


@pytest.mark.django_db
def test_a_form_without_a_valid_key_is_refused_with_a_new_key_and_what_was_typed(
    login, owner, space
):
    offer, session, _ = _session(space)
    response = login(owner).post(_url(offer, session), {"message": TEXT, "key": "pas-une-clé"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "plus valable : envoyez-le à nouveau." in html
    assert "Salle changée : auditorium." in html
    new_key = html.split('name="key" value="', 1)[1].split('"', 1)[0]
    assert uuid.UUID(new_key)
    assert not mail.outbox


@pytest.mark.django_db
def test_no_message_to_a_cancelled_or_ended_session_nor_to_nobody(
    login, owner, space, django_capture_on_commit_callbacks
):
    offer, session, _ = _session(space)
    client = login(owner)
    key = _form_key(client, offer, session)
    Session.objects.filter(pk=session.pk).update(
        cancelled_at=timezone.now(), cancellation_reason=SessionCancelReason.ROOM
    )
    response = client.post(_url(offer, session), {"message": TEXT, "key": key})
    assert response.status_code == 400
    assert "Cette séance est annulée" in response.content.decode()
    participants = client.get(_url(offer, session).replace("/message/", "/participants/"))
    assert "Écrire aux participants" not in participants.content.decode()

    ended = make_session(offer, days=1)
    start = timezone.now() - timedelta(hours=5)
    Session.objects.filter(pk=ended.pk).update(starts_at=start, booking_limit_at=start)
    ended.refresh_from_db()
    with pytest.raises(Refusal) as exc:
        services.session_message(
            actor=owner, session=ended, text=TEXT, waiting=True, key=uuid.uuid4()
        )
    assert exc.value.code == "session_message.ended"
    page = client.get(_url(offer, ended)).content.decode()
    assert "Cette séance est terminée" in page and "Envoyer le message" not in page

    empty = make_session(offer, days=20)
    response = client.post(
        _url(offer, empty), {"message": TEXT, "key": str(uuid.uuid4()), "waiting": "on"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Personne à qui écrire" in html and "Salle changée : auditorium." in html
    assert mail.outbox == []
    assert not Transition.objects.filter(action=Action.SESSION_MESSAGE).exists()


@pytest.mark.django_db
def test_only_the_venue_writes_outsiders_404_young_people_403(
    login, space, member, outsider, client
):
    offer, session, people = _session(space)
    body = {"message": TEXT, "key": str(uuid.uuid4())}
    assert client.post(_url(offer, session), body).status_code == 302  # to the login page
    assert login(outsider).post(_url(offer, session), body).status_code == 404
    assert login(outsider).get(_url(offer, session)).status_code == 404
    assert login(people["Léa"]).post(_url(offer, session), body).status_code == 403
    assert not mail.outbox
    # a member of the venue may write
    assert login(member).post(_url(offer, session), body).status_code == 302
    assert Transition.objects.filter(action=Action.SESSION_MESSAGE, actor=member).count() == 1
