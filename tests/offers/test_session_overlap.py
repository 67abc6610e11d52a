"""Sessions of one venue that overlap are flagged to the librarian when created — a
warning, not a refusal (issue 28): offers/rules.py `overlapping_sessions`, `overlaps_of`,
the warning from offers/views/sessions.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from offers import rules
from offers.models import Session, SessionCancelReason
from tests.factories import make_offer

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def _day(days=30):
    """A working day about `days` ahead, the day before it one too (a series' rule
    leaves public holidays out)."""
    from offers.recurrence import public_holidays

    day = timezone.localdate() + timedelta(days=days)
    holidays = public_holidays("69", range(day.year - 1, day.year + 2))
    while day in holidays or day - timedelta(days=1) in holidays:
        day += timedelta(days=7)
    return day


def at(hour, minute=0, *, later=0):
    """On the test's day (`later` days after it), at the venue's wall time."""
    day = _day() + timedelta(days=later)
    return datetime.combine(day, datetime.min.time(), PARIS).replace(hour=hour, minute=minute)


def add(offer, start, minutes=None):
    return Session.objects.create(
        offer=offer, starts_at=start, booking_limit_at=start, duration_minutes=minutes
    )


@pytest.fixture
def workshop(space):
    """« Atelier BD » on the day, 15:00–16:30 (its own 90 minutes)."""
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier BD")
    add(offer, at(15), 90)
    return offer


def test_a_session_overlapping_another_of_the_venue_is_found(space, workshop):
    venue = space["venue"]
    other_offer = make_offer(venue, "RENCONTRE", title="Rencontre")
    found = rules.overlapping_sessions(venue, at(16), at(17))
    assert [s.offer.title for s in found] == ["Atelier BD"]
    # Inside, around, starting before: all overlap.
    assert rules.overlapping_sessions(venue, at(15, 15), at(15, 45))
    assert rules.overlapping_sessions(venue, at(14), at(18))
    assert rules.overlapping_sessions(venue, at(14), at(15, 1))
    # Another offer of the same venue counts too.
    add(other_offer, at(16, 15))
    assert len(rules.overlapping_sessions(venue, at(16), at(17))) == 2


def test_touching_sessions_do_not_overlap(space, workshop):
    venue = space["venue"]
    assert rules.overlapping_sessions(venue, at(16, 30), at(18)) == []  # starts at its end
    assert rules.overlapping_sessions(venue, at(13, 30), at(15)) == []  # ends at its start


def test_the_end_follows_the_duration_rule(space):
    """No own length: the offer's, else the subcategory's usual one (cinema: 2 h)."""
    venue = space["venue"]
    film = make_offer(venue, "SEANCE_CINE", title="Ciné-club")
    add(film, at(20))
    assert rules.overlapping_sessions(venue, at(21, 59), at(23))
    assert rules.overlapping_sessions(venue, at(22), at(23)) == []
    film.duration_minutes = 150
    film.save()
    assert rules.overlapping_sessions(venue, at(22), at(23))
    # A long session that started the day before reaches into the morning.
    add(film, at(22, later=-1), 24 * 60 - 30)
    assert rules.overlapping_sessions(venue, at(9), at(10))


def test_other_venues_cancelled_and_excluded_sessions_are_not_counted(space, workshop):
    venue = space["venue"]
    elsewhere = make_offer(space["other_venue"], "RENCONTRE", title="Ailleurs")
    add(elsewhere, at(16))
    own = workshop.sessions.get()
    assert rules.overlapping_sessions(venue, at(16), at(17), exclude=[own]) == []
    Session.objects.filter(pk=own.pk).update(
        cancelled_at=timezone.now(), cancellation_reason=SessionCancelReason.ROOM
    )
    assert rules.overlapping_sessions(venue, at(16), at(17)) == []


def test_one_query_whatever_the_number_of_sessions(space, workshop):
    venue = space["venue"]
    for hour in range(8, 14):
        add(make_offer(venue, "RENCONTRE", title=f"Rencontre {hour}"), at(hour))
    news = [add(workshop, at(h, later=1)) for h in (9, 10, 11)]
    with CaptureQueriesContext(connection) as queries:
        found = rules.overlapping_sessions(venue, at(8), at(16))
        clashes = rules.overlaps_of(venue, news)
    assert len(found) == 7
    assert [len(others) for _, others in clashes] == [1, 2, 1]  # a series' own overlaps
    assert len(queries) == 2  # one each


# --- the warning, through the views ----------------------------------------------------


def _said(response) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def test_creating_an_overlapping_session_warns_and_still_creates_it(login, space, owner, workshop):
    rencontre = make_offer(space["venue"], "RENCONTRE", title="Rencontre")
    client = login(owner)
    response = client.post(
        f"/offres/{rencontre.public_id}/seances/",
        {"starts_at": f"{_day():%Y-%m-%d}T16:00", "duration_minutes": "1h"},
    )
    assert response.status_code == 302
    assert rencontre.sessions.count() == 1
    from passlib.formats import date_fr

    assert _said(response) == [
        ("success", "Séance ajoutée."),
        (
            "warning",
            "Attention : cette séance chevauche « Atelier BD » le "
            f"{date_fr(_day(), weekday=True)} de 15:00 à 16:30.",
        ),
    ]
    page = client.get(response.url).content.decode()
    assert "cette séance chevauche « Atelier BD »" in page


def test_a_touching_session_is_created_without_a_warning(login, space, owner, workshop):
    rencontre = make_offer(space["venue"], "RENCONTRE", title="Rencontre")
    response = login(owner).post(
        f"/offres/{rencontre.public_id}/seances/", {"starts_at": f"{_day():%Y-%m-%d}T16:30"}
    )
    assert response.status_code == 302
    assert _said(response) == [("success", "Séance ajoutée.")]


def test_a_series_says_which_of_its_sessions_overlap(login, space, owner, workshop):
    rencontre = make_offer(space["venue"], "RENCONTRE", title="Rencontre")
    client = login(owner)
    first = _day() - timedelta(days=1)
    data = {"frequency": "daily", "first_day": f"{first:%Y-%m-%d}", "count": "3", "times": "16:00"}
    url = f"/offres/{rencontre.public_id}/seances/serie/"
    dates = [row["value"] for row in client.post(url, data).context["preview"] if row["checked"]]
    response = client.post(url, {**data, "dates": dates, "creer": "1"})
    assert response.status_code == 302
    assert rencontre.sessions.count() == 3
    from passlib.formats import date_fr

    day = date_fr(_day(), weekday=True)
    assert _said(response) == [
        ("success", "3 séances ajoutées."),
        (
            "warning",
            f"Attention : la séance du {day} de 16:00 à 17:30 chevauche « Atelier BD » le "
            f"{day} de 15:00 à 16:30.",
        ),
    ]
