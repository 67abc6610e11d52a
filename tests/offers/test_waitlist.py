"""The waiting list (issue 16): join a full session, one's rank, a freed place held for
the first in line, confirmed from the e-mailed link or passed on when the hold expires,
leaving in one click, joining refused once bookings close."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from offers import rules
from offers.models import Booking, BookingStatus, Session, Stock, WaitlistEntry
from offers.services import bookings as booking_services
from offers.services import sessions as session_services
from offers.services import waitlist as services
from passlib.formats import datetime_fr
from passlib.refusal import Refusal
from tests.factories import make_beneficiary, make_offer, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def full(space):
    """A session of 2 places, both booked."""
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier BD d'Angoulême")
    session = make_session(offer, days=10, total_places=2)
    booked = [make_beneficiary(16, first_name=f"Inscrit{i}") for i in range(2)]
    bookings = [
        booking_services.booking_create(user=u, offer=offer, session=s)
        for u, s in ((booked[0], session), (booked[1], session))
    ]
    session.refresh_from_db()
    return {"offer": offer, "session": session, "bookings": bookings}


def _join(full, n=1):
    people = [make_beneficiary(16, first_name=f"Attente{i}") for i in range(n)]
    return [
        services.waitlist_join(user=p, offer=full["offer"], session=full["session"]) for p in people
    ]


def _status(entry):
    entry.refresh_from_db()
    return entry.status


def _cancel(booking, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel_by_beneficiary(user=booking.beneficiary, booking=booking)


def test_joining_needs_a_full_session_and_gives_a_rank(full, space):
    first, second = _join(full, 2)
    assert (services.rank(first), services.rank(second)) == (1, 2)
    open_session = make_session(full["offer"], days=11, total_places=5)
    with pytest.raises(Refusal, match="Il reste des places"):
        services.waitlist_join(user=make_beneficiary(16), offer=full["offer"], session=open_session)


def test_one_entry_per_person_and_session(full):
    (entry,) = _join(full)
    with pytest.raises(Refusal, match="déjà sur la liste"):
        services.waitlist_join(user=entry.person, offer=full["offer"], session=full["session"])
    assert WaitlistEntry.objects.filter(person=entry.person).count() == 1


def test_joining_is_refused_once_bookings_close(full):
    Session.objects.filter(pk=full["session"].pk).update(
        booking_limit_at=timezone.now() - timedelta(minutes=1)
    )
    full["session"].refresh_from_db()
    with pytest.raises(Refusal, match="closes"):
        services.waitlist_join(
            user=make_beneficiary(16), offer=full["offer"], session=full["session"]
        )
    assert not WaitlistEntry.objects.exists()


def test_joining_is_refused_to_someone_who_booked_the_offer(full):
    booked = full["bookings"][0].beneficiary
    with pytest.raises(Refusal, match="déjà une réservation"):
        services.waitlist_join(user=booked, offer=full["offer"], session=full["session"])


def test_a_freed_place_is_held_for_the_first_in_line_only(full, django_capture_on_commit_callbacks):
    first, second = _join(full, 2)
    mail.outbox.clear()
    _cancel(full["bookings"][0], django_capture_on_commit_callbacks)
    assert (_status(first), _status(second)) == ("offered", "waiting")
    session = Session.objects.get(pk=full["session"].pk)
    assert (session.booked_count, session.held_count, session.remaining) == (1, 1, 0)
    # The e-mail to the first in line, with the link to confirm.
    (offered,) = [m for m in mail.outbox if first.person.email in m.to]
    assert offered.subject.startswith("Une place s'est libérée : Atelier BD d'Angoulême")
    assert f"/jeunes/liste-attente/{first.public_id}/" in offered.body
    assert "gardée jusqu'au" in offered.body
    # Nobody else takes the held place.
    with pytest.raises(Refusal, match="complète"):
        booking_services.booking_create(
            user=make_beneficiary(16), offer=full["offer"], session=full["session"]
        )


def test_confirming_books_the_held_place(full, django_capture_on_commit_callbacks):
    (entry,) = _join(full)
    _cancel(full["bookings"][0], django_capture_on_commit_callbacks)
    booking = services.waitlist_confirm(user=entry.person, entry=entry)
    assert booking.status == BookingStatus.CONFIRMED
    entry.refresh_from_db()
    assert (entry.status, entry.booking_id) == ("booked", booking.pk)
    session = Session.objects.get(pk=full["session"].pk)
    assert (session.booked_count, session.held_count) == (2, 0)
    with pytest.raises(Refusal, match="déjà confirmé"):
        services.waitlist_confirm(user=entry.person, entry=entry)


def test_someone_else_cannot_confirm_a_place_held_for_another(
    full, django_capture_on_commit_callbacks
):
    (entry,) = _join(full)
    _cancel(full["bookings"][0], django_capture_on_commit_callbacks)
    with pytest.raises(Refusal, match="introuvable"):
        services.waitlist_confirm(user=make_beneficiary(16), entry=entry)
    assert _status(entry) == "offered"


def test_an_expired_hold_passes_the_place_to_the_next(full, django_capture_on_commit_callbacks):
    first, second, third = _join(full, 3)
    _cancel(full["bookings"][0], django_capture_on_commit_callbacks)
    first.refresh_from_db()
    before = services.expire_holds(now=first.offered_until - timedelta(seconds=1))
    assert before == 0 and _status(first) == "offered"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_holds(now=first.offered_until) == 1
    assert (_status(first), _status(second), _status(third)) == ("expired", "offered", "waiting")
    # the first one is told her hold expired, the second that a place is hers
    assert [m.to for m in mail.outbox] == [[first.person.email], [second.person.email]]
    session = Session.objects.get(pk=full["session"].pk)
    assert (session.booked_count, session.held_count) == (1, 1)
    # Too late for the first one: a clear refusal, nothing booked.
    with pytest.raises(Refusal, match="délai pour confirmer"):
        services.waitlist_confirm(user=first.person, entry=first)
    assert not Booking.objects.filter(beneficiary=first.person).exists()


def test_a_hold_that_expires_with_nobody_left_frees_the_place(
    full, django_capture_on_commit_callbacks
):
    (entry,) = _join(full)
    _cancel(full["bookings"][0], django_capture_on_commit_callbacks)
    entry.refresh_from_db()
    services.expire_holds(now=entry.offered_until + timedelta(seconds=1))
    session = Session.objects.get(pk=full["session"].pk)
    assert (session.booked_count, session.held_count, session.remaining) == (1, 0, 1)


def test_leaving_the_line_in_one_click(full, django_capture_on_commit_callbacks):
    first, second = _join(full, 2)
    services.waitlist_leave(user=first.person, entry=first)
    assert _status(first) == "left"
    assert services.rank(second) == 1
    with pytest.raises(Refusal, match="plus sur cette liste"):
        services.waitlist_leave(user=first.person, entry=first)


def test_leaving_with_a_held_place_passes_it_on(full, django_capture_on_commit_callbacks):
    first, second = _join(full, 2)
    _cancel(full["bookings"][0], django_capture_on_commit_callbacks)
    services.waitlist_leave(user=first.person, entry=first)
    assert (_status(first), _status(second)) == ("left", "offered")
    assert Session.objects.get(pk=full["session"].pk).held_count == 1


def test_places_added_by_the_venue_go_to_the_line_first(full, member):
    first, second, third = _join(full, 3)
    session = full["session"]
    data = session_services.SessionData(
        starts_at=session.starts_at,
        total_places=4,
        quota=None,
        booking_limit_at=session.booking_limit_at,
    )
    session_services.session_update(actor=member, session=session, data=data)
    assert (_status(first), _status(second), _status(third)) == ("offered", "offered", "waiting")
    session.refresh_from_db()
    assert (session.booked_count, session.held_count, session.remaining) == (2, 2, 0)


def test_the_venue_cannot_go_below_bookings_and_held_places(
    full, member, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    _join(full)
    _cancel(full["bookings"][0], django_capture_on_commit_callbacks)  # 1 booked, 1 held
    session = full["session"]
    data = session_services.SessionData(
        starts_at=session.starts_at,
        total_places=1,
        quota=None,
        booking_limit_at=session.booking_limit_at,
    )
    with pytest.raises(ValidationError, match="proposées à la liste d'attente"):
        session_services.session_update(actor=member, session=session, data=data)
    session.refresh_from_db()
    assert (session.total_places, session.booked_count, session.held_count) == (2, 1, 1)


def test_a_stock_has_its_waiting_list_too(space, django_capture_on_commit_callbacks):
    offer = make_offer(space["venue"], "ESCAPE_GAME", quantity=1, title="Escape game « L'île »")
    holder = make_beneficiary(17)
    booking = booking_services.booking_create(user=holder, offer=offer)
    waiting = make_beneficiary(17)
    entry = services.waitlist_join(user=waiting, offer=offer)
    _cancel(booking, django_capture_on_commit_callbacks)
    assert _status(entry) == "offered"
    confirmed = services.waitlist_confirm(user=waiting, entry=entry)
    assert confirmed.stock_id == offer.stock.pk
    stock = Stock.objects.get(pk=offer.stock.pk)
    assert (stock.booked_count, stock.held_count) == (1, 0)


def test_booking_another_date_ends_the_other_lines(full, django_capture_on_commit_callbacks):
    (entry,) = _join(full)
    other = make_session(full["offer"], days=12, total_places=3)
    booking_services.booking_create(user=entry.person, offer=full["offer"], session=other)
    assert _status(entry) == "left"


def test_the_offer_page_says_booking_another_date_leaves_the_line(full, login):
    """Found by a new user: booking another date silently ended her place in the line.
    Next to each other date's « Réserver », the page says it before she presses it."""
    (entry,) = _join(full)
    other = make_session(full["offer"], days=12, total_places=3)
    url = f"/jeunes/offres/{full['offer'].public_id}/"
    html = login(entry.person).get(url).content.decode()
    when = datetime_fr(full["session"].starts_at, tz=full["offer"].venue.time_zone)
    notice = (
        f"Réserver cette date te retire de la liste d'attente du {when} : "
        "une seule réservation par offre."
    )
    assert html.count(notice) == 1  # next to the other date, not its own
    assert f'aria-describedby="cancel-{other.public_id} leave-{other.public_id}"' in html
    stranger = make_beneficiary(17, first_name="Sans-attente")
    assert "te retire de la liste d'attente" not in login(stranger).get(url).content.decode()


def test_the_hold_is_shorter_when_bookings_close_soon():
    now = timezone.now()
    day = timedelta(hours=24)
    assert rules.hold_until(now, now + timedelta(days=5), day) == now + day
    assert rules.hold_until(now, now + timedelta(hours=6), day) == now + timedelta(hours=3)
    assert rules.hold_until(now, now + timedelta(minutes=20), day) == now + rules.MIN_HOLD
    assert rules.hold_until(now, now + timedelta(minutes=15), day) is None
    assert rules.hold_until(now, None, day) == now + day


def test_no_hold_when_bookings_close_within_the_minimum(full, django_capture_on_commit_callbacks):
    (entry,) = _join(full)
    Session.objects.filter(pk=full["session"].pk).update(
        booking_limit_at=timezone.now() + timedelta(minutes=10)
    )
    _cancel(full["bookings"][0], django_capture_on_commit_callbacks)
    assert _status(entry) == "waiting"
    assert Session.objects.get(pk=full["session"].pk).remaining == 1


def test_lines_of_closed_sessions_end(full):
    (entry,) = _join(full)
    Session.objects.filter(pk=full["session"].pk).update(
        booking_limit_at=timezone.now() - timedelta(minutes=1)
    )
    services.expire_holds()
    assert _status(entry) == "closed"


# --- pages ---------------------------------------------------------------------------------


def test_the_offer_page_lets_a_young_person_join_see_her_rank_and_leave(full, login):
    young = make_beneficiary(16, first_name="Chloé", last_name="d'Arc")
    client = login(young)
    url = f"/jeunes/offres/{full['offer'].public_id}/"
    page = client.get(url).content.decode()
    assert "Rejoindre la liste d'attente" in page
    response = client.post(
        f"{url}liste-attente/", {"session": str(full["session"].public_id)}, follow=True
    )
    html = response.content.decode()
    # The page says the position once; the flash message does not repeat it.
    assert "en position <strong>1</strong>" in html
    assert html.count("en position") == 1 and "est noté : si une place se libère" in html
    entry = WaitlistEntry.objects.get(person=young)
    assert "Quitter la liste d'attente" in client.get(url).content.decode()
    assert "Mes listes d'attente" in client.get("/jeunes/reservations/").content.decode()
    client.post(f"/jeunes/liste-attente/{entry.public_id}/quitter/")
    assert _status(entry) == "left"


def test_the_confirmation_page_from_the_email(full, login, django_capture_on_commit_callbacks):
    (entry,) = _join(full)
    _cancel(full["bookings"][0], django_capture_on_commit_callbacks)
    (offered,) = [m for m in mail.outbox if m.to == [entry.person.email]]
    link = re.search(r"http\S+/jeunes/liste-attente/\S+/", offered.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    client = login(entry.person)
    page = client.get(f"/{path}").content.decode()
    assert "Confirmer ma réservation" in page
    response = client.post(f"/{path}confirmer/", follow=True)
    assert "Réservation confirmée" in response.content.decode()
    assert _status(entry) == "booked"


def test_entries_of_others_are_404(full, login):
    (entry,) = _join(full)
    client = login(make_beneficiary(16))
    assert client.get(f"/jeunes/liste-attente/{entry.public_id}/").status_code == 404
    assert client.post(f"/jeunes/liste-attente/{entry.public_id}/confirmer/").status_code == 404
    assert client.post(f"/jeunes/liste-attente/{entry.public_id}/quitter/").status_code == 404
    assert _status(entry) == "waiting"


def test_hostile_session_ids_are_a_french_message(full, login):
    client = login(make_beneficiary(16))
    for value in ("", "x", "0" * 40, "\x00", "１２３"):
        response = client.post(
            f"/jeunes/offres/{full['offer'].public_id}/liste-attente/",
            {"session": value},
            follow=True,
        )
        assert response.status_code == 200
        assert "Choisis une date" in response.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_the_venue_sees_the_line_and_its_length(full, login, member):
    first, _second = _join(full, 2)
    client = login(member)
    page = client.get(
        f"/offres/{full['offer'].public_id}/seances/{full['session'].public_id}/participants/"
    ).content.decode()
    assert "Liste d'attente (2)" in page
    assert first.person.last_name in page and "n° 2" in page


def test_a_duplicate_join_submit_keeps_one_entry(full, login):
    young = make_beneficiary(16)
    client = login(young)
    url = f"/jeunes/offres/{full['offer'].public_id}/liste-attente/"
    for _ in range(2):
        client.post(url, {"session": str(full["session"].public_id)})
    assert WaitlistEntry.objects.filter(person=young).count() == 1


# --- every way a place frees goes to the line first -----------------------------------------


def test_the_hold_lasts_what_the_setting_says(full, settings, django_capture_on_commit_callbacks):
    settings.WAITLIST_HOLD_HOURS = 2
    (entry,) = _join(full)
    before = timezone.now()
    _cancel(full["bookings"][0], django_capture_on_commit_callbacks)
    entry.refresh_from_db()
    assert before + timedelta(hours=2) <= entry.offered_until <= timezone.now() + timedelta(hours=2)


def test_more_places_in_a_series_go_to_the_line_first(space, member):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART")
    made = session_services.sessions_add_series(
        actor=member,
        offer=offer,
        starts=[timezone.now() + timedelta(days=d) for d in (10, 17)],
        total_places=1,
        quota=None,
    )
    for session in made:
        booking_services.booking_create(user=make_beneficiary(16), offer=offer, session=session)
    entry = services.waitlist_join(user=make_beneficiary(16), offer=offer, session=made[1])
    session_services.series_update(
        actor=member,
        session=made[0],
        data=session_services.SessionData(starts_at=made[0].starts_at, total_places=2),
    )
    assert _status(entry) == "offered"
    assert Session.objects.get(pk=made[1].pk).held_count == 1


def test_a_larger_stock_goes_to_the_line_first(space, member):
    from offers.services import offers as offer_services

    offer = make_offer(space["venue"], "ESCAPE_GAME", quantity=1, title="Escape game")
    booking_services.booking_create(user=make_beneficiary(17), offer=offer)
    entry = services.waitlist_join(user=make_beneficiary(17), offer=offer)
    data = offer_services.OfferData(
        venue=space["venue"], subcategory_id="ESCAPE_GAME", title="Escape game", price_cents=0
    )
    offer_services.offer_update(
        actor=member, offer=offer, data=data, stock=offer_services.StockData(quantity=2)
    )
    assert _status(entry) == "offered"
    stock = Stock.objects.get(pk=offer.stock.pk)
    assert (stock.booked_count, stock.held_count, stock.remaining) == (1, 1, 0)


def test_the_30_day_cancellation_frees_the_place_for_the_line(space):
    from offers.services.closing import cancel_expired_paid_physical

    offer = make_offer(space["venue"], "ESCAPE_GAME", quantity=1, price_cents=1500)
    booking = booking_services.booking_create(user=make_beneficiary(17), offer=offer)
    Booking.objects.filter(pk=booking.pk).update(booked_at=timezone.now() - timedelta(days=31))
    entry = services.waitlist_join(user=make_beneficiary(17), offer=offer)
    assert cancel_expired_paid_physical() == 1
    assert _status(entry) == "offered"
    assert Stock.objects.get(pk=offer.stock.pk).held_count == 1
