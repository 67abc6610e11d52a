"""Told before, not after (issue 27, section 4): what can be known to fail is said before
the button, which is disabled with the reason next to it (aria-describedby), the service
still refusing; a booking that cannot be cancelled once made says so before it is made;
the state changes a young person or a teacher undergoes are e-mailed to them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Beneficiary
from offers.models import Booking, BookingStatus, CollectiveBookingStatus, WaitlistEntry
from offers.services import bookings as booking_services
from offers.services import collective_bookings as collective_services
from offers.services import waitlist as waitlist_services
from passlib.formats import date_fr, datetime_fr
from passlib.refusal import Refusal
from tests.factories import (
    make_beneficiary,
    make_collective_offer,
    make_offer,
    make_school,
    make_session,
    make_teacher,
)

pytestmark = pytest.mark.django_db


def _buttons(html: str, name: str) -> list[str]:
    """The opening tags of the buttons whose text starts with `name`."""
    return re.findall(rf"<button[^>]*>{re.escape(name)}", html)


def _described(html: str, tag: str) -> str:
    """The text of the element the button's aria-describedby names."""
    (ref,) = re.findall(r'aria-describedby="([^"]+)"', tag)
    (text,) = re.findall(rf'id="{re.escape(ref)}">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", text).replace("&#x27;", "'")


# --- the credit, said before the click --------------------------------------------------


@pytest.fixture
def paid(space):
    """An escape game at 12 € (a stock) and a paid workshop at 8 € (a session)."""
    game = make_offer(space["venue"], "ESCAPE_GAME", title="Escape game", price_cents=1200)
    workshop = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier", price_cents=800)
    make_session(workshop, days=10, total_places=5)
    return {"game": game, "workshop": workshop}


@pytest.mark.parametrize("which", ["game", "workshop"])
def test_no_credit_disables_the_button_with_its_reason_and_the_service_refuses(login, paid, which):
    young = make_beneficiary(16)  # 0 € before 17 (2025 reform)
    client = login(young)
    offer = paid[which]
    html = client.get(f"/jeunes/offres/{offer.public_id}/").content.decode()
    (button,) = _buttons(html, "Réserver")
    assert " disabled" in button
    reason = _described(html, button)
    assert "ne suffit pas pour cette offre" in reason
    assert ("12 €" if which == "game" else "8 €") in reason and "il te reste 0 €" in reason
    assert "commence à 17 ans" in reason
    # the service is the authority: a forged POST is refused with the same message
    session = offer.sessions.first()
    response = client.post(
        f"/jeunes/offres/{offer.public_id}/reserver/",
        {"session": str(session.public_id)} if session else {},
        follow=True,
    )
    assert "ne suffit pas pour cette offre" in response.content.decode()
    assert not Booking.objects.exists()


def test_less_credit_than_the_price_disables_enough_credit_books(login, paid):
    short = make_beneficiary(17, credit_cents=1000)
    html = login(short).get(f"/jeunes/offres/{paid['game'].public_id}/").content.decode()
    (button,) = _buttons(html, "Réserver")
    assert " disabled" in button
    reason = _described(html, button)
    assert "coûte 12 € et il te reste 10 €" in reason and "17 ans" not in reason

    rich = make_beneficiary(17, credit_cents=1200)
    client = login(rich)
    html = client.get(f"/jeunes/offres/{paid['game'].public_id}/").content.decode()
    (button,) = _buttons(html, "Réserver")
    assert "disabled" not in button
    client.post(f"/jeunes/offres/{paid['game'].public_id}/reserver/")
    assert Booking.objects.get().beneficiary == rich


def test_the_page_counts_the_credit_of_a_birthday_as_the_service_does(login, paid):
    """17 since yesterday, credit granted at 16 only (0 €): the booking will first add the
    50 € of 17, so the page offers the button (one rule: credit_on)."""
    young = make_beneficiary(17, credit_cents=0)
    Beneficiary.objects.filter(user=young).update(credit_age=16)
    client = login(young)
    html = client.get(f"/jeunes/offres/{paid['game'].public_id}/").content.decode()
    (button,) = _buttons(html, "Réserver")
    assert "disabled" not in button
    client.post(f"/jeunes/offres/{paid['game'].public_id}/reserver/")
    assert Booking.objects.filter(beneficiary=young).exists()
    assert Beneficiary.objects.get(user=young).credit_cents == 5000 - 1200


def test_an_unconfirmed_address_is_said_before_the_click(login, space):
    offer = make_offer(space["venue"], "ESCAPE_GAME", title="Escape game")
    young = make_beneficiary(16, email_confirmed_at=None)
    html = login(young).get(f"/jeunes/offres/{offer.public_id}/").content.decode()
    (button,) = _buttons(html, "Réserver")
    assert " disabled" in button
    assert "Confirme ton adresse électronique" in _described(html, button)


def test_a_free_offer_stays_open_without_credit(login, space):
    offer = make_offer(space["venue"], "ESCAPE_GAME", title="Escape gratuit")
    html = login(make_beneficiary(15)).get(f"/jeunes/offres/{offer.public_id}/").content.decode()
    (button,) = _buttons(html, "Réserver")
    assert "disabled" not in button


def test_joining_a_waiting_list_without_the_credit_is_disabled_and_refused(login, space):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier", price_cents=800)
    session = make_session(offer, days=10, total_places=0)
    young = make_beneficiary(16)
    client = login(young)
    html = client.get(f"/jeunes/offres/{offer.public_id}/").content.decode()
    (button,) = _buttons(html, "Rejoindre la liste d'attente")
    assert " disabled" in button
    assert "ne suffit pas" in _described(html, button)
    with pytest.raises(Refusal, match="ne suffit pas"):
        waitlist_services.waitlist_join(user=young, offer=offer, session=session)
    assert not WaitlistEntry.objects.exists()


# --- the cancellation deadline, said before booking --------------------------------------


def test_a_session_within_48_hours_warns_that_it_cannot_be_cancelled(login, space):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier")
    soon = make_session(offer, days=1, total_places=5)
    later = make_session(offer, days=10, total_places=5)
    html = login(make_beneficiary(16)).get(f"/jeunes/offres/{offer.public_id}/").content.decode()
    soon_button, later_button = _buttons(html, "Réserver")
    assert "disabled" not in soon_button and "disabled" not in later_button
    warning = _described(html, soon_button)
    assert "moins de 48 heures" in warning and "tu ne pourras plus annuler" in warning
    note = _described(html, later_button)
    # booked now, cancellable for 48 hours: the date the rule gives (offers/rules.py)
    deadline = timezone.localtime(timezone.now() + timedelta(hours=48))
    assert note.startswith("Si tu réserves maintenant, tu pourras annuler avant le ")
    assert date_fr(deadline) in note and deadline.strftime("%H:") in note
    assert "moins de 48 heures" not in note
    assert soon.starts_at < later.starts_at


def test_the_held_place_page_says_it_before_confirming(login, space):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier", price_cents=800)
    session = make_session(offer, days=1, total_places=1)
    young = make_beneficiary(17)  # 50 €
    entry = WaitlistEntry.objects.create(
        offer=offer,
        session=session,
        person=young,
        status="offered",
        offered_at=timezone.now(),
        offered_until=timezone.now() + timedelta(hours=2),
    )
    client = login(young)
    html = client.get(f"/jeunes/liste-attente/{entry.public_id}/").content.decode()
    (button,) = _buttons(html, "Confirmer ma réservation")
    assert "disabled" not in button
    assert "tu ne pourras plus annuler" in _described(html, button)

    Beneficiary.objects.filter(user=young).update(credit_cents=500)
    html = client.get(f"/jeunes/liste-attente/{entry.public_id}/").content.decode()
    (button,) = _buttons(html, "Confirmer ma réservation")
    assert " disabled" in button
    assert "coûte 8 € et il te reste 5 €" in _described(html, button)


# --- the teacher's cancellation, said before the click ----------------------------------


def test_the_school_cannot_cancel_within_30_days_and_is_told_before(login, space):
    school = make_school()
    teacher = make_teacher(school)
    soon = make_collective_offer(space["venue"], days=20, title="Visite contée")
    later = make_collective_offer(space["venue"], days=60, title="Atelier reliure")
    near = collective_services.prebook(user=teacher, offer=soon)
    far = collective_services.prebook(user=teacher, offer=later)
    html = login(teacher).get("/enseignants/reservations/").content.decode()
    disabled = [b for b in _buttons(html, "Annuler") if " disabled" in b]
    assert len(disabled) == 1
    reason = _described(html, disabled[0])
    assert "30 jours avant le début" in reason and "contactez le lieu" in reason
    assert 'Confirmer l\'annulation<span class="visually-hidden"> de Atelier reliure' in html
    assert "de Visite contée" not in "".join(
        re.findall(r"Confirmer l'annulation.*?</button>", html)
    )
    with pytest.raises(Refusal, match="30 jours"):
        collective_services.cancel_by_school(user=teacher, booking=near)
    assert far.status == CollectiveBookingStatus.PREBOOKED


# --- the e-mails of what happens to them ------------------------------------------------


def _only_mail_to(address: str):
    (message,) = [m for m in mail.outbox if m.to == [address]]
    return message


ENGLISH = re.compile(r"\b(booking|cancel(l)?ed|waiting list|hold|expired|email)\b", re.I)


def test_a_young_person_who_cancels_is_e_mailed(space, django_capture_on_commit_callbacks):
    offer = make_offer(
        space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier d'écriture", price_cents=800
    )
    session = make_session(offer, days=10, total_places=5)
    young = make_beneficiary(17, first_name="Chloé", last_name="d'Arc")
    booking = booking_services.booking_create(user=young, offer=offer, session=session)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel_by_beneficiary(user=young, booking=booking)
    message = _only_mail_to(young.email)
    assert message.subject == "Réservation annulée : Atelier d'écriture"
    body = message.body
    starts = timezone.localtime(session.starts_at)
    assert (
        f"Tu as annulé ta réservation « Atelier d'écriture » (contremarque {booking.code}, " in body
    )
    assert date_fr(starts) in body and starts.strftime("%H:%M") in body
    assert "Ton crédit pass Culture de 8 € t'a été rendu." in body
    assert "/jeunes/offres/" in body
    assert " vous " not in f" {body} " and not ENGLISH.search(body)
    assert message.alternatives and "Tu as annulé" in message.alternatives[0][0]
    # the venue is told too, as before
    assert len(mail.outbox) == 2


def test_a_held_place_not_confirmed_in_time_is_e_mailed(space, django_capture_on_commit_callbacks):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier BD d'Angoulême")
    session = make_session(offer, days=10, total_places=1)
    booked = booking_services.booking_create(
        user=make_beneficiary(16), offer=offer, session=session
    )
    session.refresh_from_db()
    first = waitlist_services.waitlist_join(
        user=make_beneficiary(16, first_name="Noé"), offer=offer, session=session
    )
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel_by_beneficiary(user=booked.beneficiary, booking=booked)
    first.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert waitlist_services.expire_holds(now=first.offered_until) == 1
    message = _only_mail_to(first.person.email)
    assert message.subject == "Place non confirmée à temps : Atelier BD d'Angoulême"
    body = message.body
    until = timezone.localtime(first.offered_until)
    assert body.startswith("Bonjour Noé,")
    assert "t'était gardée jusqu'au" in body and until.strftime("%H:%M") in body
    assert "Tu ne l'as pas confirmée à temps" in body
    assert " vous " not in f" {body} " and not ENGLISH.search(body)


def test_a_waiting_list_closed_with_the_bookings_is_e_mailed(
    space, django_capture_on_commit_callbacks
):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier")
    session = make_session(offer, days=10, total_places=0)
    entry = waitlist_services.waitlist_join(
        user=make_beneficiary(16, first_name="Inès"), offer=offer, session=session
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        waitlist_services.expire_holds(now=session.booking_limit_at)
    entry.refresh_from_db()
    assert entry.status == "closed"
    message = _only_mail_to(entry.person.email)
    assert message.subject == "Liste d'attente close : Atelier"
    assert "Les réservations de « Atelier » pour le" in message.body
    assert "la liste d'attente est terminée" in message.body
    assert not ENGLISH.search(message.body)
    # a second run tells nobody twice
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        waitlist_services.expire_holds(now=session.booking_limit_at)
    assert mail.outbox == []


def test_the_teacher_who_pre_booked_learns_a_colleague_cancelled(
    space, django_capture_on_commit_callbacks
):
    school = make_school()
    booker = make_teacher(school, first_name="Claire", last_name="Martin")
    colleague = make_teacher(school, first_name="Hugo", last_name="Bernard")
    booking = collective_services.prebook(
        user=booker, offer=make_collective_offer(space["venue"], title="Visite contée")
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        collective_services.cancel_by_school(
            user=colleague, booking=booking, comment="Sortie reportée"
        )
    (message,) = [m for m in mail.outbox if booker.email in m.to]
    assert colleague.email in message.to
    assert message.subject == "Réservation annulée : Visite contée"
    assert (
        "La réservation de « Visite contée » pour Collège Jean Moulin est annulée" in message.body
    )
    assert "Hugo Bernard l'a annulée pour l'établissement" in message.body
    assert "Motif : Sortie reportée" in message.body
    assert not ENGLISH.search(message.body)


def test_booking_states_the_young_person_is_told_of(space, django_capture_on_commit_callbacks):
    """The venue's cancellation was e-mailed already: it stays so (a guard for the list of
    state changes in docs/decisions.md)."""
    offer = make_offer(space["venue"], "ESCAPE_GAME", title="Escape")
    young = make_beneficiary(16)
    booking = booking_services.booking_create(user=young, offer=offer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel_by_venue(
            actor=young, booking=booking, comment="Salle fermée"
        )
    assert _only_mail_to(young.email).subject == "Réservation annulée : Escape"
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED


def test_pre_booking_says_until_when_the_school_could_cancel(login, space):
    teacher = make_teacher(make_school())
    soon = make_collective_offer(space["venue"], days=20, title="Visite contée")
    later = make_collective_offer(space["venue"], days=60, title="Atelier reliure")
    client = login(teacher)
    html = client.get(f"/enseignants/offres/{soon.public_id}/").content.decode()
    (button,) = _buttons(html, "Préréserver")
    warning = _described(html, button)
    assert "moins de 30 jours" in warning and "ne pourra plus l'annuler" in warning
    html = client.get(f"/enseignants/offres/{later.public_id}/").content.decode()
    (button,) = _buttons(html, "Préréserver")
    deadline = timezone.localtime(later.starts_at - timedelta(days=30))
    note = _described(html, button)
    assert note.startswith("L'établissement pourra annuler jusqu'au ")
    assert datetime_fr(deadline) in note
