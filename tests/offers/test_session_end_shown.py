"""A session's end, written one way everywhere people read it (issue 28): « mercredi 9
décembre 2026 de 15:00 à 16:30 » (passlib/formats.py `session_time_fr`, the filter
`fr_session`) on the young people's cards and offer page, their bookings, the
librarian's sessions table, the participants page and sign-in sheet, and every e-mail
that names a session — at the venue's wall time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.template import engines
from django.utils import timezone

from offers.models import Booking, BookingStatus, Session, WaitlistEntry
from offers.services import bookings as booking_services
from offers.services import next_sessions, reminders
from offers.services import waitlist as waitlist_services
from passlib.formats import session_time_fr
from tests.factories import VenueFactory, make_beneficiary, make_booking, make_offer, make_session

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")


# --- the format ------------------------------------------------------------------------


def test_a_session_is_written_from_its_start_to_its_end():
    start = datetime(2026, 12, 9, 14, 0, tzinfo=UTC)  # 15:00 in Paris, 18:00 in Réunion
    end = start + timedelta(minutes=90)
    assert session_time_fr(start, end, weekday=True, tz="Europe/Paris") == (
        "mercredi 9 décembre 2026 de 15:00 à 16:30"
    )
    assert session_time_fr(start, end, tz="Indian/Reunion") == "9 décembre 2026 de 18:00 à 19:30"
    late = datetime(2026, 12, 9, 22, 0, tzinfo=UTC)  # 23:00 in Paris, for two hours
    assert session_time_fr(late, late + timedelta(hours=2), tz="Europe/Paris") == (
        "9 décembre 2026 de 23:00 à 01:00 le lendemain"
    )
    assert session_time_fr(start, None, tz="Europe/Paris") == "9 décembre 2026 à 15:00"
    assert session_time_fr(None, None) == ""


@pytest.mark.parametrize("engine", ["django", "text"])
def test_the_filter_writes_it_in_pages_and_emails_in_the_venues_zone(space, engine):
    offer = make_offer(space["venue"], "RENCONTRE", duration_minutes=45)
    start = datetime(2027, 6, 9, 13, 30, tzinfo=UTC)
    session = Session.objects.create(offer=offer, starts_at=start, booking_limit_at=start)
    template = engines[engine].from_string(
        "{% load tz %}{{ s|fr_session:'jour' }}|{% timezone 'Indian/Reunion' %}"
        "{{ s|fr_session }}{% endtimezone %}|{{ nothing|fr_session }}"
    )
    with timezone.override(ZoneInfo("Europe/Paris")):
        text = template.render({"s": session, "nothing": None})
    assert text.split("|") == [
        "mercredi 9 juin 2027 de 15:30 à 16:15",
        "9 juin 2027 de 17:30 à 18:15",
        "",
    ]


# --- the pages -------------------------------------------------------------------------


@pytest.fixture
def reunion_session(space):
    """« Atelier BD » in La Réunion, 18:00–20:00 there (the workshop's usual 2 h)."""
    venue = VenueFactory(
        collectivite=space["collectivite"],
        name="Médiathèque de Saint-Denis",
        postal_code="97400",
        city="Saint-Denis",
        departement="974",
        time_zone="Indian/Reunion",
    )
    offer = make_offer(venue, "ATELIER_PRATIQUE_ART", title="Atelier BD")
    day = timezone.localdate() + timedelta(days=12)
    start = datetime(day.year, day.month, day.day, 18, 0, tzinfo=ZoneInfo("Indian/Reunion"))
    session = Session.objects.create(
        offer=offer, starts_at=start, booking_limit_at=start, total_places=10
    )
    next_sessions.refresh([offer.pk])  # as once the write commits (a test never does)
    return session


def _said(session, weekday=True) -> str:
    return session_time_fr(
        session.starts_at, session.ends_at, weekday=weekday, tz=session.offer.venue.time_zone
    )


def test_young_people_read_the_end_on_cards_the_offer_page_and_their_bookings(
    client, login, reunion_session
):
    said = _said(reunion_session)
    assert said.endswith("de 18:00 à 20:00")
    assert f"Prochaine date : {said}" in client.get("/jeunes/offres/").content.decode()
    offer_url = f"/jeunes/offres/{reunion_session.offer.public_id}/"
    assert said in client.get(offer_url).content.decode()  # a visitor: « Dates »
    young = make_beneficiary(17)
    page = login(young).get(offer_url).content.decode()
    assert said in page  # the booking list
    booking_services.booking_create(
        user=young, offer=reunion_session.offer, session=reunion_session
    )
    assert said in login(young).get("/jeunes/reservations/").content.decode()


def test_the_librarian_reads_the_end_on_the_offer_page_participants_and_sign_in_sheet(
    login, owner, reunion_session
):
    client = login(owner)
    offer = reunion_session.offer
    said = _said(reunion_session)
    page = client.get(f"/offres/{offer.public_id}/").content.decode()
    assert f"<td>{said}</td>" in page and "prochaine le " + said in page
    url = f"/offres/{offer.public_id}/seances/{reunion_session.public_id}/participants/"
    assert f"<p>{said} —" in client.get(url).content.decode()
    sheet = client.get(url + "?feuille=1").content.decode()
    assert "Feuille d'émargement" in sheet and f"<p>{said} —" in sheet


# --- the e-mails -----------------------------------------------------------------------


def test_every_email_naming_a_session_gives_its_end(
    owner, reunion_session, django_capture_on_commit_callbacks
):
    session, offer = reunion_session, reunion_session.offer
    Session.objects.filter(pk=session.pk).update(total_places=1)
    said, plain = _said(session), _said(session, weekday=False)
    first, second = make_beneficiary(16, first_name="Inès"), make_beneficiary(17)

    def sent(action) -> list:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            action()
        return list(mail.outbox)

    booked = []
    confirmed, for_venue = sent(
        lambda: booked.append(
            booking_services.booking_create(user=first, offer=offer, session=session)
        )
    )
    assert f"Date : {said}" in confirmed.body
    assert f"pour le {plain}." in for_venue.body
    sent(lambda: waitlist_services.waitlist_join(user=second, offer=offer, session=session))
    messages = sent(
        lambda: booking_services.booking_cancel_by_beneficiary(user=first, booking=booked[0])
    )
    cancelled = next(m for m in messages if m.to == [first.email])
    offered = next(m for m in messages if m.to == [second.email])
    assert f"pour le {said}." in cancelled.body
    assert f"Date : {said}" in offered.body
    # The day before, and the cancellation deadline's reminder (their HTML too).
    entry = WaitlistEntry.objects.get(person=second)
    again = waitlist_services.waitlist_confirm(user=second, entry=entry)
    type(again).objects.filter(pk=again.pk).update(booked_at=timezone.now() - timedelta(days=1))
    day_before = sent(
        lambda: reminders.send_due_reminders(now=session.starts_at - timedelta(hours=20))
    )
    assert [f"Date : {said}" in m.body for m in day_before] == [True] * len(day_before) != []
    html = day_before[-1].alternatives[0][0]
    assert said in html


@pytest.mark.django_db
def test_the_offer_pages_say_how_long_it_lasts(login, space, owner):
    """The length on its own (found by a new user: only each date's end said it), on the
    young people's offer page and the librarian's."""
    offer = make_offer(
        space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier fanzine", duration_minutes=90
    )
    make_session(offer, days=9, total_places=8)
    young = login(make_beneficiary(16)).get(f"/jeunes/offres/{offer.public_id}/")
    assert '<dt>Durée</dt><dd><time datetime="PT90M">1 h 30</time></dd>' in young.content.decode()
    pro = login(owner).get(f"/offres/{offer.public_id}/").content.decode()
    assert '— durée <time datetime="PT90M">1 h 30</time>' in pro
    card = make_offer(space["venue"], "ABO_BIBLIOTHEQUE", title="Carte jeunes")
    page = login(owner).get(f"/offres/{card.public_id}/").content.decode()
    assert "durée" not in page.split("<h1>")[1].split("</p>")[1]  # a card lasts no time


@pytest.mark.django_db
def test_a_reimbursed_booking_reads_validee_to_the_young_person(login, space):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier passé")
    session = make_session(offer, days=9, total_places=8)
    young = make_beneficiary(17)
    booking = make_booking(offer, session=session, beneficiary=young)
    Booking.objects.filter(pk=booking.pk).update(
        status=BookingStatus.REIMBURSED, validated_at=timezone.now(), reimbursed_at=timezone.now()
    )
    page = login(young).get("/jeunes/reservations/").content.decode()
    assert "Statut : <strong>Validée</strong>" in page and "Remboursée" not in page
