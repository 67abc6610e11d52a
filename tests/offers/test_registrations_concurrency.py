"""One capacity for every channel under concurrency (issue 30, Must show 2; PostgreSQL,
real threads): young people booking through pass Culture and librarians registering
people at the desk race for the same places; never more than the total, never more pass
Culture bookings than the quota, the counters equal the rows, and the CHECK constraints
refuse a direct oversell."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from offers.models import (
    Action,
    Booking,
    BookingStatus,
    Registration,
    RegistrationStatus,
    Session,
    Transition,
    WaitlistEntry,
    WaitlistStatus,
)
from offers.services import bookings as booking_services
from offers.services import registrations as services
from offers.services import waitlist
from offers.services.registrations import RegistrationData
from passlib.refusal import Refusal
from tests.factories import make_beneficiary, make_offer, make_session
from tests.threads import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def club(space):
    """12 places, a quota of 8 for pass Culture."""
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Club de lecture")
    return {"offer": offer, "session": make_session(offer, days=10, total_places=12, quota=8)}


def _data(places=1, name="Famille", channel="desk") -> RegistrationData:
    return RegistrationData(channel=channel, name=name, places=places)


def _add(member, session, places=1, name="Famille", waitlist=False):
    return services.registration_add(
        actor=member, target=session, data=_data(places, name), waitlist=waitlist
    )


def _assert_the_counters_are_the_rows(session) -> Session:
    session = Session.objects.get(pk=session.pk)
    active = Booking.objects.filter(session=session).exclude(status=BookingStatus.CANCELLED)
    assert session.booked_count == active.count()
    registered = (
        Registration.objects.filter(session=session, status=RegistrationStatus.REGISTERED)
        .exclude(channel="walk_in")
        .aggregate(n=Sum("places"))["n"]
        or 0
    )
    assert session.other_count == registered
    offered = WaitlistEntry.objects.filter(session=session, status=WaitlistStatus.OFFERED)
    assert session.held_count == offered.count()
    assert session.booked_count + session.held_count <= session.quota
    assert session.taken <= session.total_places
    return session


@pytest.mark.parametrize("parties", [[1] * 10, [1, 2, 3, 2, 1, 3, 3, 2, 1, 2]])
def test_20_young_people_and_10_desk_registrations_race_for_12_places(club, member, parties):
    offer, session = club["offer"], club["session"]
    young = [make_beneficiary(16) for _ in range(20)]
    calls = [
        (lambda u=u: booking_services.booking_create(user=u, offer=offer, session=session))
        for u in young
    ] + [(lambda i=i, n=n: _add(member, session, n, f"Famille {i}")) for i, n in enumerate(parties)]
    results, errors = at_once(calls)
    # Every refusal is the French « full » of its channel, nothing else went wrong.
    assert all(isinstance(e, (Refusal, ValidationError)) for e in errors), errors
    refusals = [e for e in errors if isinstance(e, Refusal)]
    assert {e.code for e in refusals} <= {"booking.full"}
    assert len(results) + len(errors) == 30
    session = _assert_the_counters_are_the_rows(session)
    assert session.booked_count <= 8 and session.taken <= 12
    if parties == [1] * 10:
        assert session.taken == 12  # one place at a time: every place found a taker
    else:
        assert session.taken >= 10  # a party of 3 may be refused with 2 left
    assert Booking.objects.filter(session=session).count() == session.booked_count
    assert Registration.objects.filter(session=session).count() == len(results) - sum(
        isinstance(r, Booking) for r in results
    )


def test_the_check_constraints_refuse_a_direct_oversell(club, member):
    session = club["session"]
    booking_services.booking_create(user=make_beneficiary(16), offer=club["offer"], session=session)
    _add(member, session, 5)
    services.outside_places_set(actor=member, session=session, places=2)
    # 1 + 5 + 2 = 8 of 12: 4 left for anyone. One more in any column is refused.
    for column, over in [
        ("other_count", 5),
        ("outside_places", 5),
        ("booked_count", 5),
        ("held_count", 5),
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Session.objects.filter(pk=session.pk).update(**{column: F(column) + over})
    with pytest.raises(IntegrityError), transaction.atomic():  # the quota, for the pass
        Session.objects.filter(pk=session.pk).update(booked_count=9, other_count=0)
    session = _assert_the_counters_are_the_rows(session)
    assert (session.booked_count, session.other_count, session.outside_places) == (1, 5, 2)


def test_cancellations_and_new_registrations_at_once_serve_the_line_first(club, member):
    session = club["session"]
    for i in range(6):
        _add(member, session, 2, f"Inscrits {i}")
    line = [_add(member, session, 1, f"Attente {i}", waitlist=True) for i in range(3)]
    leaving = list(Registration.objects.filter(name__in=["Inscrits 0", "Inscrits 1"]))
    calls = [
        (lambda r=r: services.registration_cancel(actor=member, registration=r)) for r in leaving
    ] + [(lambda i=i: _add(member, session, 1, f"Nouveau {i}", waitlist=True)) for i in range(5)]
    _, errors = at_once(calls)
    assert errors == []
    # Four places freed: the three in line first, whoever came at the same instant after.
    assert [Registration.objects.get(pk=r.pk).status for r in line] == ["registered"] * 3
    new = Registration.objects.filter(name__startswith="Nouveau")
    assert new.filter(status="registered").count() == 1
    assert new.filter(status="waiting").count() == 4
    session = _assert_the_counters_are_the_rows(session)
    assert session.places_left == 0


def test_two_cancellations_serving_one_line_at_once_serve_each_person_once(club, member):
    offer, session = club["offer"], club["session"]
    groups = [_add(member, session, 3, f"Groupe {i}") for i in range(4)]  # full
    line = []
    for i in range(3):  # a young person, then a desk registration, three times
        entry = waitlist.waitlist_join(user=make_beneficiary(16), offer=offer, session=session)
        line += [entry, _add(member, session, 1, f"Attente {i}", waitlist=True)]
    line += [_add(member, session, 1, "Dernier", waitlist=True)]
    calls = [
        (lambda r=r: services.registration_cancel(actor=member, registration=r)) for r in groups[:2]
    ]
    _, errors = at_once(calls)
    assert errors == []
    # Six places freed: the six first in line served, once each; the seventh waits.
    statuses = [type(e).objects.get(pk=e.pk).status for e in line]
    assert statuses == ["offered", "registered"] * 3 + ["waiting"]
    session = _assert_the_counters_are_the_rows(session)
    assert (session.held_count, session.other_count, session.places_left) == (3, 9, 0)
    promoted = Transition.objects.filter(action=Action.REGISTRATION_PROMOTED)
    assert sorted(promoted.values_list("comment", flat=True)) == [
        f"Attente {i} — 1 place — Accueil" for i in range(3)
    ]


def test_young_people_joining_the_line_while_a_place_is_freed_are_never_forgotten(club, member):
    """A young person joining as a desk registration is cancelled: either the place was
    freed first (« Il reste des places : réserve directement ») or the entry is in the
    line the cancellation serves. Never a pass place left with someone waiting."""
    offer, session = club["offer"], club["session"]
    group = _add(member, session, 3, "Groupe")
    _add(member, session, 9, "Classe")  # full, the quota not reached
    young = [make_beneficiary(16) for _ in range(6)]
    calls = [(lambda: services.registration_cancel(actor=member, registration=group))] + [
        (lambda u=u: waitlist.waitlist_join(user=u, offer=offer, session=session)) for u in young
    ]
    _, errors = at_once(calls)
    assert {getattr(e, "code", e) for e in errors} <= {"waitlist.not_full"}, errors
    session = _assert_the_counters_are_the_rows(session)
    waiting = WaitlistEntry.objects.filter(session=session, status=WaitlistStatus.WAITING)
    if waiting.exists():
        assert session.remaining == 0
    offered = WaitlistEntry.objects.filter(session=session, status=WaitlistStatus.OFFERED)
    assert offered.count() == session.held_count <= 3
