"""Reminders (issue 16): before the cancellation deadline with a one-click "Je ne viendrai
pas", and the day before with the time, the address, the code and the QR code; each sent
once per booking, even by two scheduler runs at the same instant."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import zxingcpp
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from icalendar import Calendar
from PIL import Image

from offers.models import Booking, BookingStatus, Session, WaitlistEntry
from offers.services import bookings as booking_services
from offers.services import reminders
from offers.services import waitlist as waitlist_services
from tests.factories import make_beneficiary, make_offer, make_session
from tests.threads import at_once


def _booking(space, *, starts_in, booked_ago, places=None, first_name="Chloé"):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier d'écriture")
    session = make_session(offer, days=30, total_places=places)
    start = timezone.now() + starts_in
    Session.objects.filter(pk=session.pk).update(starts_at=start, booking_limit_at=start)
    session.refresh_from_db()
    young = make_beneficiary(16, first_name=first_name, last_name="d'Arc")
    booking = booking_services.booking_create(user=young, offer=offer, session=session)
    Booking.objects.filter(pk=booking.pk).update(booked_at=timezone.now() - booked_ago)
    booking.refresh_from_db()
    return booking


def _mails_to(booking):
    return [m for m in mail.outbox if m.to == [booking.beneficiary.email]]


@pytest.mark.django_db
def test_the_reminder_before_the_deadline_is_due_in_its_window_only(space):
    # Booked 30 h ago, 5 days before the start: the deadline is booked_at + 48 h, 18 h away.
    due = _booking(space, starts_in=timedelta(days=4), booked_ago=timedelta(hours=30))
    # Booked 10 h ago: the deadline is 38 h away, not yet within 24 h.
    early = _booking(space, starts_in=timedelta(days=4), booked_ago=timedelta(hours=10))
    # Booked 30 min ago: told everything just now.
    fresh = _booking(space, starts_in=timedelta(hours=30), booked_ago=timedelta(minutes=30))
    ids = set(reminders.deadline_reminders_due(timezone.now()).values_list("id", flat=True))
    assert ids == {due.pk}
    assert early.pk not in ids and fresh.pk not in ids


@pytest.mark.django_db
def test_reminders_are_sent_once_with_what_the_young_person_needs(
    space, django_capture_on_commit_callbacks
):
    booking = _booking(space, starts_in=timedelta(hours=20), booked_ago=timedelta(days=5))
    before = _booking(
        space, starts_in=timedelta(days=4), booked_ago=timedelta(hours=30), first_name="Léa"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        out = io.StringIO()
        call_command("send_booking_reminders", stdout=out)
    assert "1 rappel avant la limite d'annulation, 1 rappel de la veille" in out.getvalue()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_due_reminders() == {"deadline": 0, "day_before": 0}

    (day,) = _mails_to(booking)
    assert day.subject.startswith("C'est demain : Atelier d'écriture à ")
    assert booking.code in day.body and booking.venue.address in day.body
    assert "&#x27;" not in day.body + day.subject
    files = {name: (content, mimetype) for name, content, mimetype in day.attachments}
    png, _ = files[f"contremarque-{booking.code}.png"]
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert decoded.text == f"PASSLIB:{booking.code}"
    ics, _ = files[f"reservation-{booking.code}.ics"]
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    assert event.decoded("dtstart") == booking.session.starts_at.replace(microsecond=0)

    (early,) = _mails_to(before)
    assert "tu viens toujours ?" in early.subject
    assert "libère ta place avant le" in early.body
    assert "Je ne viendrai pas : http" in early.body
    before.refresh_from_db()
    assert before.reminded_at is not None and before.day_before_reminded_at is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_scheduler_runs_at_the_same_instant_send_each_reminder_once(space):
    bookings = [
        _booking(space, starts_in=timedelta(hours=20), booked_ago=timedelta(days=5))
        for _ in range(6)
    ]
    mail.outbox.clear()
    results, errors = at_once([reminders.send_due_reminders] * 2)
    assert errors == []
    assert sorted(r["day_before"] for r in results) == [0, 6]
    for booking in bookings:
        assert len(_mails_to(booking)) == 1


@pytest.mark.django_db
def test_je_ne_viendrai_pas_by_get_changes_nothing_by_post_frees_the_place(
    space, client, django_capture_on_commit_callbacks
):
    booking = _booking(space, starts_in=timedelta(days=4), booked_ago=timedelta(hours=30), places=1)
    waiting = make_beneficiary(17, first_name="Inès")
    entry = waitlist_services.waitlist_join(
        user=waiting, offer=booking.offer, session=booking.session
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_due_reminders()
    (reminder,) = _mails_to(booking)
    url = re.search(r"Je ne viendrai pas : http://[^/]+(\S+)", reminder.body).group(1)

    page = client.get(url)  # anonymous: the link is the young person's
    assert page.status_code == 200
    assert "Libérer ma place" in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    html = response.content.decode()
    assert "ta place est libérée" in html
    # One thank-you only: the page says it, no flash message repeats it.
    assert html.count("Merci") == 1 and 'class="messages"' not in html
    booking.refresh_from_db()
    entry.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert entry.status == "offered"
    assert any(m.to == [waiting.email] for m in mail.outbox)
    # A second click is harmless.
    client.post(url)
    assert WaitlistEntry.objects.get(pk=entry.pk).status == "offered"


@pytest.mark.django_db
def test_a_wrong_release_token_is_404_and_changes_nothing(space, client):
    booking = _booking(space, starts_in=timedelta(days=4), booked_ago=timedelta(hours=30))
    token = reminders.release_token(booking)
    base = f"/jeunes/reservations/{booking.public_id}/je-ne-viendrai-pas/"
    for bad in ("x", token[:-1] + ("A" if token[-1] != "A" else "B"), "%00", "１２３"):
        assert client.get(f"{base}{bad}/").status_code == 404
        assert client.post(f"{base}{bad}/").status_code == 404
    other = _booking(space, starts_in=timedelta(days=4), booked_ago=timedelta(hours=30))
    assert client.post(f"{base}{reminders.release_token(other)}/").status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


@pytest.mark.django_db
def test_too_late_to_release_says_so(space, client):
    booking = _booking(space, starts_in=timedelta(hours=20), booked_ago=timedelta(days=5))
    url = reminders.release_url(booking)
    assert "Il est trop tard pour annuler" in client.get(url).content.decode()
    client.post(url)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
