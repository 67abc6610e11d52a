"""The session page for the venue (issue 15): participants, a printable sign-in sheet,
attendance marked present (validates, as at the guichet) or absent (a no-show), with
htmx and without JavaScript, in a bounded number of queries, written in the history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from offers.models import Action, Booking, BookingStatus, Transition
from offers.services.attendance import booking_mark_absent
from offers.services.closing import validate_due_event_bookings
from passlib.refusal import Refusal
from tests.factories import make_beneficiary, make_booking, make_offer, make_session

pytestmark = pytest.mark.django_db


def _session_with(space, n, *, days=-1 / 24):
    """A session that started an hour ago (absence may be marked) with n bookings."""
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier d'écriture")
    session = make_session(offer, days=days, total_places=40)
    bookings = [
        make_booking(
            offer,
            session=session,
            beneficiary=make_beneficiary(16, first_name=f"Jeune{i}", last_name=f"D'Arc{i:02d}"),
            booked_at=timezone.now() - timedelta(days=3),
        )
        for i in range(n)
    ]
    return offer, session, bookings


def _url(offer, session, what="participants"):
    return f"/offres/{offer.public_id}/seances/{session.public_id}/{what}/"


def test_the_page_lists_participants_in_a_bounded_number_of_queries(login, space, owner):
    client = login(owner)
    counts = {}
    for n in (5, 20):
        offer, session, bookings = _session_with(space, n)
        client.get(_url(offer, session))  # warm the per-person caches
        with CaptureQueriesContext(connection) as queries:
            html = client.get(_url(offer, session)).content.decode()
        counts[n] = len(queries)
        assert html.count('name="presence" value="absent"') == n
        assert "D&#x27;Arc00 Jeune0" in html and bookings[0].code in html
    assert counts[20] == counts[5], counts
    sheet = client.get(_url(offer, session), {"feuille": "1"}).content.decode()
    assert "Feuille d'émargement" in sheet and sheet.count('class="signature"') == 21
    assert 'name="presence"' not in sheet


def test_present_and_absent_without_javascript_and_in_the_history(login, space, owner):
    offer, session, (here, away, *_) = _session_with(space, 20)
    client = login(owner)
    response = client.post(
        _url(offer, session, "presence"), {"booking": here.public_id, "presence": "present"}
    )
    assert response.status_code == 302
    assert Booking.objects.get(pk=here.pk).status == BookingStatus.VALIDATED
    client.post(_url(offer, session, "presence"), {"booking": away.public_id, "presence": "absent"})
    gone = Booking.objects.get(pk=away.pk)
    assert (gone.status, gone.absent_by) == (BookingStatus.CONFIRMED, owner)
    page = client.get(response.url).content.decode()
    assert "Présent (validée)" in page and "Absent" in page
    assert Transition.objects.filter(booking=away, action=Action.MARKED_ABSENT).count() == 1
    assert Transition.objects.filter(booking=here, action=Action.VALIDATED).count() == 1
    # twice absent changes nothing more
    client.post(_url(offer, session, "presence"), {"booking": away.public_id, "presence": "absent"})
    assert Transition.objects.filter(booking=away, action=Action.MARKED_ABSENT).count() == 1
    # 48 h after the start, the absent one is not validated automatically
    type(session).objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=49),
        booking_limit_at=timezone.now() - timedelta(hours=50),
    )
    assert validate_due_event_bookings() == 18
    assert Booking.objects.get(pk=away.pk).status == BookingStatus.CONFIRMED


def test_htmx_gets_the_row_back(login, space, owner):
    offer, session, (one, *_) = _session_with(space, 3)
    response = login(owner).post(
        _url(offer, session, "presence"),
        {"booking": one.public_id, "presence": "absent"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.strip().startswith(f'<tr id="row-{one.public_id}"')
    assert "Absent" in html and "<html" not in html


def test_too_early_says_so_in_the_row_and_hostile_values_change_nothing(login, space, owner):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART")
    session = make_session(offer, days=10)
    fresh = make_booking(offer, session=session, beneficiary=make_beneficiary(17))
    client = login(owner)
    url = _url(offer, session, "presence")
    html = client.post(
        url, {"booking": fresh.public_id, "presence": "present"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Vous pourrez valider cette contremarque à partir du" in html
    assert client.post(url, {"booking": "x\x00", "presence": "present"}).status_code == 404
    assert client.post(url, {"presence": "present"}).status_code == 404
    other = make_session(offer, days=11)
    elsewhere = make_booking(offer, session=other, beneficiary=make_beneficiary(16))
    assert (
        client.post(url, {"booking": elsewhere.public_id, "presence": "absent"}).status_code == 404
    )
    response = client.post(url, {"booking": fresh.public_id, "presence": "１"}, follow=True)
    assert "Choisissez « Présent » ou « Absent »." in response.content.decode()
    assert set(Booking.objects.values_list("status", "absent_at")) == {("confirmed", None)}


def test_outsiders_and_young_people_get_no_session_page(login, space, outsider):
    offer, session, _ = _session_with(space, 1)
    assert login(outsider).get(_url(offer, session)).status_code == 404
    young = make_beneficiary(16)
    assert login(young).get(_url(offer, session)).status_code in (302, 403, 404)


def test_absent_is_refused_before_the_session_starts_and_not_offered(login, space, owner):
    """Months before the session the young person may still come or cancel: « Absent »
    waits for the start (offers/rules.py `absence_open`); « Présent » keeps its rule."""
    offer, session, (early, *_) = _session_with(space, 2, days=60)
    client = login(owner)
    html = client.get(_url(offer, session)).content.decode()
    assert 'value="absent"' not in html
    assert "Vous pourrez marquer un jeune absent à partir du début de la séance" in html
    with pytest.raises(Refusal) as refused:
        booking_mark_absent(actor=owner, booking=early)
    assert refused.value.code == "booking.absent_too_early"
    assert "à partir du début de la séance" in refused.value.message
    response = client.post(
        _url(offer, session, "presence"),
        {"booking": early.public_id, "presence": "absent"},
        HTTP_HX_REQUEST="true",
    )
    assert "à partir du début de la séance" in response.content.decode()
    response = client.post(
        _url(offer, session, "presence"), {"booking": early.public_id, "presence": "absent"}
    )
    assert response.status_code == 302
    assert set(Booking.objects.values_list("absent_at", flat=True)) == {None}
    assert not Transition.objects.filter(action=Action.MARKED_ABSENT).exists()
    # the sign-in sheet says nobody is absent
    sheet = client.get(_url(offer, session), {"feuille": "1"}).content.decode()
    assert ">Absent<" not in sheet


def test_the_update_itself_refuses_a_session_moved_later(space, owner, monkeypatch):
    """The rule is checked, then the UPDATE repeats it: a session moved after the check
    changes nothing."""
    from offers import rules

    _, _, (one, *_) = _session_with(space, 1, days=30)
    monkeypatch.setattr(rules, "absence_open", lambda starts_at, now: True)
    with pytest.raises(Refusal):
        booking_mark_absent(actor=owner, booking=one)
    assert Booking.objects.get(pk=one.pk).absent_at is None


def test_absent_once_the_session_has_started(space, owner):
    _, _, (one, *_) = _session_with(space, 1, days=-1 / (24 * 60))
    assert booking_mark_absent(actor=owner, booking=one).absent_at is not None
