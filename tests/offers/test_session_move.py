"""Moving a session (issue 28): the history keeps old → new, the session's calendar
SEQUENCE rises, validated bookings are confirmed again, the young person's cancellation
deadline counts from the move, and every booked or waiting person is e-mailed once, in
French, with both dates, the updated calendar file and a one-click cancel link."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from offers import history, rules
from offers.models import Action, Booking, BookingStatus, Session, WaitlistEntry
from offers.services import bookings as booking_services
from offers.services import reminders
from offers.services import sessions as session_services
from offers.services import waitlist as waitlist_services
from passlib.formats import date_fr, datetime_fr, session_time_fr
from passlib.refusal import Refusal
from tests.factories import (
    VenueFactory,
    make_beneficiary,
    make_offer,
    make_session,
    past_its_cancellation_deadline,
)

pytestmark = pytest.mark.django_db


def _move(actor, session, new_start, *, series=False):
    session.refresh_from_db()
    data = session_services.SessionData(
        starts_at=new_start,
        total_places=session.total_places,
        quota=session.quota,
        booking_limit_at=new_start,
    )
    if series:
        return session_services.series_update(actor=actor, session=session, data=data)
    return session_services.session_update(actor=actor, session=session, data=data)


def _mails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def _ics(message):
    [(name, content, mimetype)] = [a for a in message.attachments if a[0].endswith(".ics")]
    assert mimetype == "text/calendar"
    [event] = Calendar.from_ical(content).walk("VEVENT")
    return name, event


@pytest.fixture
def full(space, django_capture_on_commit_callbacks):
    """A workshop with 3 places: Inès and Léa booked (Léa's already validated), Hugo
    cancelled so his place is offered to Nina, first in line; Tom waits behind her."""
    offer = make_offer(
        space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier manga", duration_minutes=90
    )
    session = make_session(offer, days=10, total_places=3)
    people = {
        name: make_beneficiary(16, first_name=name, email=f"{name.lower()}@exemple.fr")
        for name in ("Inès", "Léa", "Hugo", "Nina", "Tom")
    }
    bookings = {
        name: booking_services.booking_create(user=people[name], offer=offer, session=session)
        for name in ("Inès", "Léa", "Hugo")
    }
    waitlist_services.waitlist_join(user=people["Nina"], offer=offer, session=session)
    waitlist_services.waitlist_join(user=people["Tom"], offer=offer, session=session)
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel_by_beneficiary(
            user=people["Hugo"], booking=bookings["Hugo"]
        )
    Booking.objects.filter(pk=bookings["Léa"].pk).update(
        status=BookingStatus.VALIDATED, validated_at=timezone.now()
    )
    mail.outbox.clear()
    return {"offer": offer, "session": session, "people": people, "bookings": bookings}


def test_a_move_tells_each_booked_and_waiting_person_once(
    full, member, django_capture_on_commit_callbacks
):
    session, people = full["session"], full["people"]
    old = session.starts_at
    new = old + timedelta(days=3, hours=-5)
    with django_capture_on_commit_callbacks(execute=True):
        _move(member, session, new)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"{name.lower()}@exemple.fr" for name in ("Inès", "Léa", "Nina", "Tom")
    )
    assert not _mails_to(people["Hugo"])  # he had cancelled
    session.refresh_from_db()
    assert session.starts_at == new and session.sequence == 1 and session.moved_at is not None
    assert rules.session_status(session) == rules.SessionState.FULL  # full, still
    # the people waiting are told, with the link to their place in line, and no calendar
    (nina,) = _mails_to(people["Nina"])
    entry = WaitlistEntry.objects.get(person=people["Nina"])
    assert entry.status == "offered"  # her held place stays hers
    assert f"{settings.SITE_URL}/jeunes/liste-attente/{entry.public_id}/" in nina.body
    assert "la place qui t'est proposée reste gardée pour toi" in nina.body
    assert not [a for a in nina.attachments if a[0].endswith(".ics")]
    (tom,) = _mails_to(people["Tom"])
    assert "Tu es toujours sur la liste d'attente de cette séance." in tom.body


def test_a_validated_booking_is_confirmed_again_and_the_history_says_so(
    full, member, django_capture_on_commit_callbacks
):
    session = full["session"]
    lea = full["bookings"]["Léa"]
    old = session.starts_at
    new = old + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        _move(member, session, new)
    lea.refresh_from_db()
    assert (lea.status, lea.validated_at, lea.validated_by_id) == ("confirmed", None, None)
    [row] = [r for r in history.booking_history(lea.pk) if r.action == Action.UNVALIDATED]
    assert (row.from_status, row.to_status) == ("validated", "confirmed")
    tz = session.offer.venue.time_zone
    assert row.comment == (
        f"Séance déplacée au {datetime_fr(new, tz=tz)} : la réservation redevient confirmée."
    )
    # the offer's history keeps old → new, in the venue's time zone, with the weekday
    [moved] = [r for r in history.offer_history(session.offer) if r.action == Action.SESSION_MOVED]
    assert moved.comment == (
        f"{datetime_fr(old, weekday=True, tz=tz)} → {datetime_fr(new, weekday=True, tz=tz)}"
    )
    assert moved.actor_id == member.pk
    # a move alone is one history row: no « Séance modifiée » besides
    assert not [r for r in history.offer_history(session.offer) if r.action == "session_changed"]


def test_the_email_gives_both_dates_the_calendar_file_and_the_cancel_link(
    full, member, django_capture_on_commit_callbacks
):
    session, ines = full["session"], full["people"]["Inès"]
    booking = full["bookings"]["Inès"]
    tz = ZoneInfo(session.offer.venue.time_zone)
    old = session.starts_at
    new = (old + timedelta(days=3)).replace(second=0, microsecond=0)  # as typed
    with django_capture_on_commit_callbacks(execute=True):
        _move(member, session, new)
    (message,) = _mails_to(ines)
    assert message.subject == (
        f"Changement de date : Atelier manga, désormais le {datetime_fr(new, tz=tz)}"
    )
    body = message.body
    assert "Bonjour Inès," in body
    # written as every session is (passlib/formats.py `session_time_fr`)
    assert (
        f"Ancienne date : {session_time_fr(old, old + timedelta(minutes=90), weekday=True, tz=tz)}"
    ) in body
    assert (
        f"Nouvelle date : {session_time_fr(new, new + timedelta(minutes=90), weekday=True, tz=tz)}"
    ) in body
    assert f"Contremarque : {booking.code}" in body
    assert "2 rue des Livres" in body
    assert not re.search(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", message.subject + body)
    # the cancel link is absolute, signed, and names the new deadline
    link = re.search(r"Je ne viendrai pas : (\S+)", body).group(1)
    assert link == f"{settings.SITE_URL}{reminders.release_url(booking)}"
    booking.refresh_from_db()
    deadline = rules.cancellation_deadline(booking)
    assert f"annule avant le {datetime_fr(deadline, weekday=True, tz=tz)}" in body
    # the calendar file: same UID, a higher SEQUENCE, the new start and end, the venue's zone
    name, event = _ics(message)
    assert name == f"reservation-{booking.code}.ics"
    assert str(event["UID"]) == f"reservation-{booking.public_id}@passlib"
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == new and event.decoded("DTEND") == new + timedelta(minutes=90)
    assert str(event.decoded("DTSTART").tzinfo) == "Europe/Paris"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"


def test_a_reunion_venue_s_file_keeps_its_zone(space, member, django_capture_on_commit_callbacks):
    reunion = VenueFactory(
        collectivite=space["collectivite"],
        name="Médiathèque de Saint-Denis",
        postal_code="97400",
        city="Saint-Denis",
        departement="974",
        time_zone="Indian/Reunion",
    )
    offer = make_offer(reunion, "ATELIER_PRATIQUE_ART", title="Atelier conte", duration_minutes=60)
    session = make_session(offer, days=10, total_places=5)
    young = make_beneficiary(17, first_name="Maëlle")
    booking = booking_services.booking_create(user=young, offer=offer, session=session)
    zone = ZoneInfo("Indian/Reunion")
    new = timezone.localtime(session.starts_at, zone).replace(hour=15, minute=0) + timedelta(days=2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _move(member, session, new)
    (message,) = _mails_to(young)
    assert "Nouvelle date : " in message.body and "de 15:00 à 16:00" in message.body
    _, event = _ics(message)
    start = event.decoded("DTSTART")
    assert event["DTSTART"].params["TZID"] == "Indian/Reunion"
    assert (start.hour, start.utcoffset()) == (15, timedelta(hours=4))
    assert event.decoded("DTEND") - start == timedelta(hours=1)
    assert str(event["UID"]) == f"reservation-{booking.public_id}@passlib"


def test_the_young_person_may_cancel_after_the_old_deadline_not_after_the_new_start(
    space, member, django_capture_on_commit_callbacks
):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier manga")
    session = make_session(offer, days=5, total_places=5)
    young = make_beneficiary(16)
    booking = booking_services.booking_create(user=young, offer=offer, session=session)
    past_its_cancellation_deadline(booking)  # booked 3 days ago: the deadline has passed
    assert not rules.may_cancel(booking, timezone.now())
    with pytest.raises(Refusal):
        booking_services.booking_cancel_by_beneficiary(user=young, booking=booking)
    new = timezone.now() + timedelta(hours=30)  # sooner than moved_at + 48 h
    with django_capture_on_commit_callbacks(execute=True):
        _move(member, session, new)
    booking.refresh_from_db()
    assert rules.cancellation_deadline(booking) == new  # min(new start, moved_at + 48 h)
    with (
        mock.patch("django.utils.timezone.now", return_value=new),
        pytest.raises(Refusal) as refused,
    ):
        booking_services.booking_cancel_by_beneficiary(user=young, booking=booking)
    assert refused.value.code == "booking.deadline_passed"
    # from the e-mail's link, one click, no login
    path = reminders.release_url(booking)
    client = Client()
    assert "Libérer ma place" in client.get(path).content.decode()
    client.post(path)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert client.post(path).status_code == 302  # a second click does nothing more
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED


def test_the_guichet_waits_for_the_new_deadline(space, member, django_capture_on_commit_callbacks):
    """The guichet validates from the cancellation deadline: after a move, the new one."""
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier manga")
    session = make_session(offer, days=5, total_places=5)
    booking = booking_services.booking_create(
        user=make_beneficiary(16), offer=offer, session=session
    )
    past_its_cancellation_deadline(booking)
    with django_capture_on_commit_callbacks(execute=True):
        _move(member, session, session.starts_at + timedelta(days=7))
    with pytest.raises(Refusal) as refused:
        booking_services.booking_validate(actor=member, booking=Booking.objects.get(pk=booking.pk))
    assert refused.value.code == "booking.too_early"


def test_moving_into_the_past_is_refused_and_nothing_is_told(
    full, member, django_capture_on_commit_callbacks
):
    session = full["session"]
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError, match=r"La séance doit commencer dans le futur\."),
    ):
        _move(member, session, timezone.now() - timedelta(hours=1))
    assert mail.outbox == []
    session.refresh_from_db()
    assert (session.sequence, session.moved_at) == (0, None)
    assert not [r for r in history.offer_history(session.offer) if r.action == "session_moved"]


def test_a_change_of_places_only_is_no_move(full, member, django_capture_on_commit_callbacks):
    session = full["session"]
    data = session_services.SessionData(
        starts_at=session.starts_at,
        total_places=5,
        quota=None,
        booking_limit_at=session.booking_limit_at,
    )
    with django_capture_on_commit_callbacks(execute=True):
        session_services.session_update(actor=member, session=session, data=data)
    session.refresh_from_db()
    assert (session.sequence, session.moved_at) == (0, None)
    assert not [m for m in mail.outbox if "Changement de date" in m.subject]


def _series(offer, member, weeks=3, places=10):
    first = timezone.localtime(timezone.now() + timedelta(days=9)).replace(
        hour=15, minute=0, second=0, microsecond=0
    )
    starts = [first + timedelta(weeks=n) for n in range(weeks)]
    return session_services.sessions_add_series(
        actor=member, offer=offer, starts=starts, total_places=places, quota=None
    )


def test_a_series_move_tells_each_person_once_for_all_their_sessions(
    space, member, django_capture_on_commit_callbacks
):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Club manga")
    made = _series(offer, member, places=1)
    ines = make_beneficiary(16, first_name="Inès")
    booking = booking_services.booking_create(user=ines, offer=offer, session=made[2])
    others = [make_beneficiary(17, first_name=name) for name in ("Sam", "Léa")]
    for other, session in zip(others, made[:2], strict=True):  # the two other dates full
        booking_services.booking_create(user=other, offer=offer, session=session)
        WaitlistEntry.objects.create(offer=offer, session=session, person=ines)
    mail.outbox.clear()
    old = {s.pk: Session.objects.get(pk=s.pk).starts_at for s in made}
    later = timezone.localtime(made[0].starts_at).replace(hour=17)
    with django_capture_on_commit_callbacks(execute=True):
        changed = _move(member, made[0], later, series=True)
    assert changed == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in [ines, *others])
    (message,) = _mails_to(ines)
    assert message.subject.startswith("Changement de dates : Club manga, à partir du ")
    for session in made:
        session.refresh_from_db()
        assert session.sequence == 1 and timezone.localtime(session.starts_at).hour == 17
        assert date_fr(old[session.pk], weekday=True) + " de " in message.body
        assert date_fr(session.starts_at, weekday=True) + " de " in message.body
    assert message.body.count("Je ne viendrai pas : ") == 1
    assert message.body.count("Tu es toujours sur la liste d'attente") == 2
    (_name, event) = _ics(message)
    assert str(event["UID"]) == f"reservation-{booking.public_id}@passlib"
    moved = [r for r in history.offer_history(offer) if r.action == Action.SESSION_MOVED]
    assert len(moved) == 3


def test_a_series_move_into_the_past_is_refused_as_a_whole(
    space, member, django_capture_on_commit_callbacks
):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Club manga")
    made = _series(offer, member)
    booking_services.booking_create(user=make_beneficiary(16), offer=offer, session=made[1])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        _move(member, made[0], made[0].starts_at - timedelta(days=30), series=True)
    assert mail.outbox == []
    assert set(Session.objects.filter(offer=offer).values_list("sequence", flat=True)) == {0}
    assert [s.starts_at for s in Session.objects.filter(offer=offer)] == [s.starts_at for s in made]


def test_after_a_move_the_day_before_reminder_comes_for_the_new_date(
    space, member, django_capture_on_commit_callbacks
):
    """The day-before reminder already sent for the old date is sent again for the new
    one; the move e-mail stands for the deadline reminder (it carries the link)."""
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier manga")
    session = make_session(offer, days=5, total_places=5)
    young = make_beneficiary(16)
    booking = booking_services.booking_create(user=young, offer=offer, session=session)
    Booking.objects.filter(pk=booking.pk).update(
        booked_at=timezone.now() - timedelta(days=6), day_before_reminded_at=timezone.now()
    )
    soon = timezone.now() + timedelta(hours=20)
    Session.objects.filter(pk=session.pk).update(starts_at=soon, booking_limit_at=soon)
    with django_capture_on_commit_callbacks(execute=True):
        _move(member, session, timezone.now() + timedelta(hours=40))
    booking.refresh_from_db()
    assert booking.day_before_reminded_at is None and booking.reminded_at is not None
    assert not reminders.deadline_reminders_due(timezone.now()).filter(pk=booking.pk).exists()
    later = timezone.now() + timedelta(hours=20)
    assert reminders.day_before_due(later).filter(pk=booking.pk).exists()


def _queries_of_a_move(space, member, people: int, capture) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier manga")
    session = make_session(offer, days=10, total_places=people)  # full: a line
    for n in range(people):
        booking = booking_services.booking_create(
            user=make_beneficiary(16), offer=offer, session=session
        )
        if n % 2:
            Booking.objects.filter(pk=booking.pk).update(
                status=BookingStatus.VALIDATED, validated_at=timezone.now()
            )
        WaitlistEntry.objects.create(offer=offer, session=session, person=make_beneficiary(16))
    session.refresh_from_db()
    new = session.starts_at + timedelta(days=2)
    data = session_services.SessionData(
        starts_at=new, total_places=session.total_places, booking_limit_at=new
    )
    mail.outbox.clear()
    with capture(execute=True), CaptureQueriesContext(connection) as queries:
        session_services.session_update(actor=member, session=session, data=data)
    assert len(mail.outbox) == 2 * people, [m.subject for m in mail.outbox]
    return len(queries)


def test_a_move_runs_the_same_queries_for_2_or_12_people(
    space, member, django_capture_on_commit_callbacks
):
    few = _queries_of_a_move(space, member, 2, django_capture_on_commit_callbacks)
    many = _queries_of_a_move(space, member, 12, django_capture_on_commit_callbacks)
    assert few == many


def _keep_limit(session, new_start):
    """What the edit form sends when only « Début » is changed: the stored limit."""
    session.refresh_from_db()
    return session_services.SessionData(
        starts_at=new_start,
        total_places=session.total_places,
        quota=session.quota,
        booking_limit_at=session.booking_limit_at,
    )


@pytest.mark.parametrize("days", [7, -3], ids=["later", "earlier"])
def test_a_move_with_the_limit_left_as_it_was_moves_the_limit_with_it(space, member, days):
    """The limit keeps its lead on the start: moved later, bookings don't close on the
    old date; moved earlier, the move isn't refused on the limit nobody touched."""
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier fanzine")
    session = make_session(offer, days=10, total_places=5)
    session.booking_limit_at = session.starts_at - timedelta(hours=2)
    session.save(update_fields=["booking_limit_at"])
    new = session.starts_at + timedelta(days=days)
    session_services.session_update(actor=member, session=session, data=_keep_limit(session, new))
    session.refresh_from_db()
    assert session.starts_at == new
    assert session.booking_limit_at == new - timedelta(hours=2)


def test_a_series_move_with_the_limit_left_as_it_was_keeps_its_lead(space, member):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Club fanzine")
    first = make_session(offer, days=10, total_places=5)
    second = make_session(offer, days=17, total_places=5)
    Session.objects.filter(pk__in=[first.pk, second.pk]).update(
        series=first.public_id, booking_limit_at=F("starts_at") - timedelta(hours=1)
    )
    first.refresh_from_db()
    new = first.starts_at - timedelta(days=2)
    session_services.series_update(actor=member, session=first, data=_keep_limit(first, new))
    for s in Session.objects.filter(pk__in=[first.pk, second.pk]):
        assert s.starts_at - s.booking_limit_at == timedelta(hours=1)


def test_moving_onto_another_session_of_the_venue_warns_like_adding_one(space, member, login):
    venue = space["venue"]
    cine = make_offer(venue, "SEANCE_CINE", title="Ciné-club du mercredi")
    film = make_session(cine, days=12, total_places=20)
    fanzine = make_offer(venue, "ATELIER_PRATIQUE_ART", title="Atelier fanzine")
    session = make_session(fanzine, days=9, total_places=8)
    new = timezone.localtime(film.starts_at + timedelta(minutes=30))
    response = login(member).post(
        f"/offres/{fanzine.public_id}/seances/{session.public_id}/",
        {
            "starts_at": new.strftime("%Y-%m-%dT%H:%M"),
            "total_places": "8",
            "booking_limit_at": "",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Séance modifiée" in page
    assert "Attention : cette séance chevauche « Ciné-club du mercredi »" in page


def test_cancelling_after_a_move_takes_the_event_out_of_the_calendar(
    full, member, django_capture_on_commit_callbacks
):
    """The move's file put the event in her calendar (SEQUENCE 1): her cancellation, by
    herself or by the venue, comes with the file that removes it (same UID, CANCEL)."""
    session = full["session"]
    _move(member, session, session.starts_at + timedelta(days=3))
    for name, cancel in (
        (
            "Inès",
            lambda b: booking_services.booking_cancel_by_beneficiary(user=b.beneficiary, booking=b),
        ),
        ("Léa", None),
    ):
        booking = Booking.objects.get(pk=full["bookings"][name].pk)
        if cancel is None:  # the venue cancels Léa's (validated again → confirmed by the move)
            Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CONFIRMED)
            cancel = lambda b: booking_services.booking_cancel_by_venue(  # noqa: E731
                actor=member, booking=b, comment="Salle fermée"
            )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            cancel(booking)
        (message,) = _mails_to(full["people"][name])
        raw = next(a[1] for a in message.attachments if a[0].endswith(".ics"))
        cal = Calendar.from_ical(raw)
        assert str(cal["METHOD"]) == "CANCEL"
        [event] = cal.walk("VEVENT")
        assert str(event["UID"]) == f"reservation-{booking.public_id}@passlib"
        assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1


def test_her_bookings_say_the_date_was_changed_and_who_cancelled(full, member, login):
    """« Mes réservations »: a date moved after she booked says so; a booking she
    cancelled herself says « Tu as annulé », not the librarians' « bénéficiaire »."""
    session = full["session"]
    _move(member, session, session.starts_at + timedelta(days=3))
    ines = full["people"]["Inès"]
    page = login(ines).get("/jeunes/reservations/").content.decode()
    assert "Date modifiée par le lieu" in page
    hugo = login(full["people"]["Hugo"]).get("/jeunes/reservations/").content.decode()
    assert "Tu as annulé cette réservation." in hugo
    assert "bénéficiaire" not in hugo
    assert "Date modifiée par le lieu" not in hugo  # cancelled before the move: not his
