"""Each offer's stored next bookable session (`Offer.next_session`, `next_session_at`,
`next_session_until`, offers/services/next_sessions.py) is what the rule
(offers/rules.py `next_bookable_session`) answers, after every write of the real
services, once it commits; the periodic `refresh_next_sessions` moves it on when a
booking limit passes, and `--all` mends a twin gone wrong."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from functools import partial
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offers.models import Booking, BookingStatus, Offer, OfferStatus, Session, WaitlistEntry
from offers.services import bookings, cancellations, next_sessions, waitlist
from offers.services import offers as offer_services
from offers.services import sessions as session_services
from offers.services.sessions import SessionData
from passlib.management.commands.run_schedule import SCHEDULE
from passlib.refusal import Refusal
from tests.factories import make_beneficiary, make_offer, make_session
from tests.threads import at_once

pytestmark = pytest.mark.django_db


# --- the rule, computed again in Python from the sessions ------------------------------


def _has_place(s: Session) -> bool:
    capacity = s.quota if s.quota is not None else s.total_places
    return capacity is None or s.booked_count + s.held_count < capacity


def expected_twin(offer: Offer, now) -> tuple:
    """Of a published offer's sessions not cancelled, still open at `now` and with a
    place left (booked and held both count), the first to start."""
    if offer.status != OfferStatus.PUBLISHED:
        return (None, None, None)
    bookable = [
        s
        for s in Session.objects.filter(offer_id=offer.pk)
        if s.cancelled_at is None and s.booking_limit_at > now and _has_place(s)
    ]
    first = min(bookable, key=lambda s: (s.starts_at, s.booking_limit_at, s.pk), default=None)
    return (first.pk, first.starts_at, first.booking_limit_at) if first else (None, None, None)


def stored_twin(offer: Offer) -> tuple:
    return (offer.next_session_id, offer.next_session_at, offer.next_session_until)


def assert_twins_true(now) -> None:
    assert list(next_sessions.stale_offers(now).values_list("pk", flat=True)) == []
    for offer in Offer.objects.all():
        assert stored_twin(offer) == expected_twin(offer, now), offer.title


# --- random sequences of the real services ---------------------------------------------

# (what, which session, booking or entry modulo how many there are, hours ahead, places,
# a small number: the booking-limit lead in hours, the clock's move in hours).
WHAT = [
    "add", "series", "move", "places", "cancel", "delete", "book", "book", "unbook",
    "wait", "hold_keep", "hold_leave", "hold_confirm", "confirm", "leave",
    "publish", "deactivate", "later",
]  # fmt: skip
STEPS = st.tuples(
    st.sampled_from(WHAT),
    st.integers(0, 5),
    st.integers(2, 120),
    st.one_of(st.none(), st.integers(1, 2)),
    st.integers(0, 30),
)


def _pick(rows: list, i: int):
    return rows[i % len(rows)] if rows else None


class Programme:
    """Two event offers of one venue, changed by the services at a clock the test moves
    (they read `django.utils.timezone.now`)."""

    def __init__(self, space, actor, capture, clock: list):
        self.actor, self.capture, self.clock = actor, capture, clock
        self.offers = [
            make_offer(space["venue"], "RENCONTRE", title=f"Rencontre {i}") for i in range(2)
        ]
        for i in range(2):  # a small date and a large one each
            self.step(self.add, i, 30 + i, 1, 0)
            self.step(self.add, i, 60 + i, 3, 6)

    @property
    def now(self):
        return self.clock[0]

    def sessions(self) -> list[Session]:
        return list(Session.objects.select_related("offer__venue").order_by("pk"))

    def run(self, step: tuple) -> None:
        name, i, hours, places, n = step
        if name == "later":
            self.clock[0] += timedelta(hours=n + 1)
            # Until the command runs, only the offers whose next session closed are stale.
            stale = set(next_sessions.stale_offers(self.now).values_list("pk", flat=True))
            due = Offer.objects.filter(next_session_until__lte=self.now)
            assert stale <= set(due.values_list("pk", flat=True))
            self.step(call_command, "refresh_next_sessions", stdout=io.StringIO())
            self.step(call_command, "expire_waitlist_holds", stdout=io.StringIO())
            return
        if name.startswith("hold_"):
            self.hold(i, name.removeprefix("hold_"))
        else:
            self.step(getattr(self, name), i, hours, places, n)

    def step(self, service, *args, **kwargs) -> None:
        """One service call, its after-commit refreshes run; then every twin is true."""
        try:
            with self.capture(execute=True):
                service(*args, **kwargs)
        except (Refusal, ValidationError):
            pass  # refused as a whole: nothing written, the twin must still be true
        assert_twins_true(self.now)

    def add(self, i, hours, places, lead_hours):
        start = self.now + timedelta(hours=hours)
        session_services.session_add(
            actor=self.actor,
            offer=self.offers[i % 2],
            data=SessionData(
                starts_at=start,
                total_places=places,
                booking_limit_at=start - timedelta(hours=min(lead_hours, hours - 1)),
            ),
        )

    def series(self, i, hours, places, n):
        first = self.now + timedelta(hours=hours)
        session_services.sessions_add_series(
            actor=self.actor,
            offer=self.offers[i % 2],
            starts=[first + timedelta(days=d) for d in range(2 + n % 2)],
            total_places=places,
            quota=None,
        )

    def _edit(self, s: Session, **changes):
        data = SessionData(
            starts_at=s.starts_at,
            total_places=s.total_places,
            quota=s.quota,
            booking_limit_at=s.booking_limit_at,
            duration_minutes=s.duration_minutes,
        )
        data = replace(data, **changes)
        edit = session_services.series_update if s.series else session_services.session_update
        edit(actor=self.actor, session=s, data=data)

    def move(self, i, hours, *_):
        if s := _pick(self.sessions(), i):
            self._edit(s, starts_at=self.now + timedelta(hours=hours))

    def places(self, i, hours, places, n):
        if s := _pick(self.sessions(), i):
            self._edit(s, total_places=places)

    def cancel(self, i, *_):
        if s := _pick(self.sessions(), i):
            cancellations.session_cancel(actor=self.actor, session=s, reason="room")

    def delete(self, i, *_):
        if s := _pick(self.sessions(), i):
            if s.series:  # this one and the following ones of its series
                session_services.series_remove_following(actor=self.actor, session=s)
            else:
                session_services.session_remove(actor=self.actor, session=s)

    def book(self, i, *_):
        if s := _pick(self.sessions(), i):
            bookings.booking_create(user=make_beneficiary(16), offer=s.offer, session=s)

    def unbook(self, i, *_):
        confirmed = Booking.objects.filter(status=BookingStatus.CONFIRMED).order_by("pk")
        if b := _pick(list(confirmed), i):
            bookings.booking_cancel_by_venue(actor=self.actor, booking=b, comment="Salle prise")

    def wait(self, i, *_):
        if s := _pick(self.sessions(), i):
            waitlist.waitlist_join(user=make_beneficiary(17), offer=s.offer, session=s)

    def hold(self, i, then):
        """Fill a session, one more person waits, a booking is cancelled: its place is
        held for her; then she keeps it, leaves or confirms. One call at a time."""
        if not (s := _pick(self.sessions(), i)) or s.remaining is None:
            return
        for _ in range(s.remaining):
            self.step(self.book, i)
        self.step(self.wait, i)
        if b := Booking.objects.filter(session=s, status=BookingStatus.CONFIRMED).first():
            self.step(
                bookings.booking_cancel_by_venue, actor=self.actor, booking=b, comment="Malade"
            )
        entry = WaitlistEntry.objects.filter(session=s, status="offered").first()
        if entry and then == "leave":
            self.step(waitlist.waitlist_leave, user=entry.person, entry=entry)
        if entry and then == "confirm":
            self.step(waitlist.waitlist_confirm, user=entry.person, entry=entry)

    def confirm(self, i, *_):
        offered = WaitlistEntry.objects.filter(status="offered").order_by("pk")
        if e := _pick(list(offered.select_related("person")), i):
            waitlist.waitlist_confirm(user=e.person, entry=e)

    def leave(self, i, *_):
        line = WaitlistEntry.objects.filter(status__in=("waiting", "offered")).order_by("pk")
        if e := _pick(list(line.select_related("person")), i):
            waitlist.waitlist_leave(user=e.person, entry=e)

    def publish(self, i, *_):
        offer_services.offer_publish(actor=self.actor, offer=self.offers[i % 2])

    def deactivate(self, i, *_):
        offer_services.offer_deactivate(actor=self.actor, offer=self.offers[i % 2])


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEPS, min_size=1, max_size=25))
def test_the_stored_twin_is_the_rule_after_every_write(
    steps, space, owner, django_capture_on_commit_callbacks
):
    clock = [timezone.now().replace(microsecond=0)]
    with (
        mock.patch("django.utils.timezone.now", side_effect=lambda: clock[0]),
        transaction.atomic(),
    ):
        programme = Programme(space, owner, django_capture_on_commit_callbacks, clock)
        for step in steps:
            programme.run(step)
        assert_twins_true(clock[0])
        transaction.set_rollback(True)  # the next example starts from the same venue


# --- each write path once, by name (the random walk above may miss one) -----------------


@pytest.fixture
def offer(space):
    return make_offer(space["venue"], "RENCONTRE", title="Atelier slam")


def twin_of(offer: Offer):
    return Offer.objects.get(pk=offer.pk).next_session_id


def test_the_last_place_taken_moves_it_and_freed_brings_it_back(
    offer, owner, django_capture_on_commit_callbacks
):
    first = make_session(offer, days=3, total_places=1)
    second = make_session(offer, days=5, total_places=4)
    with django_capture_on_commit_callbacks(execute=True):
        booking = bookings.booking_create(user=make_beneficiary(16), offer=offer, session=first)
    assert twin_of(offer) == second.pk
    with django_capture_on_commit_callbacks(execute=True):
        bookings.booking_cancel_by_venue(actor=owner, booking=booking, comment="Salle prise")
    assert twin_of(offer) == first.pk


def test_a_place_held_for_the_waiting_list_is_not_bookable(
    offer, owner, django_capture_on_commit_callbacks
):
    first = make_session(offer, days=3, total_places=1)
    second = make_session(offer, days=5, total_places=4)
    with django_capture_on_commit_callbacks(execute=True):
        booking = bookings.booking_create(user=make_beneficiary(16), offer=offer, session=first)
        entry = waitlist.waitlist_join(user=make_beneficiary(17), offer=offer, session=first)
        bookings.booking_cancel_by_venue(actor=owner, booking=booking, comment="Salle prise")
    entry.refresh_from_db()
    assert entry.status == "offered"
    assert twin_of(offer) == second.pk  # the freed place is held, not open
    with django_capture_on_commit_callbacks(execute=True):
        waitlist.waitlist_leave(user=entry.person, entry=entry)
    assert twin_of(offer) == first.pk


def test_a_series_a_cancellation_and_a_publication_move_it(
    offer, owner, django_capture_on_commit_callbacks
):
    start = timezone.now() + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        made = session_services.sessions_add_series(
            actor=owner,
            offer=offer,
            starts=[start, start + timedelta(days=7)],
            total_places=5,
            quota=None,
        )
    assert twin_of(offer) == made[0].pk  # bulk_create sends no signal
    with django_capture_on_commit_callbacks(execute=True):
        cancellations.session_cancel(actor=owner, session=made[0], reason="speaker")
    assert twin_of(offer) == made[1].pk
    with django_capture_on_commit_callbacks(execute=True):
        offer_services.offer_deactivate(actor=owner, offer=offer)
    assert twin_of(offer) is None
    with django_capture_on_commit_callbacks(execute=True):
        offer_services.offer_publish(actor=owner, offer=offer)
        copy = offer_services.offer_duplicate(actor=owner, offer=offer)
    assert twin_of(offer) == made[1].pk
    assert twin_of(copy) is None  # a draft, not the original's date


def test_a_session_deleted_as_a_model_moves_it(offer, django_capture_on_commit_callbacks):
    """The admin's inline deletes a session as a model: the signals tell the twin."""
    first = make_session(offer, days=3)
    second = make_session(offer, days=5)
    with django_capture_on_commit_callbacks(execute=True):
        Session.objects.get(pk=first.pk).delete()
    stored = Offer.objects.get(pk=offer.pk)
    assert stored_twin(stored) == (second.pk, second.starts_at, second.booking_limit_at)


# --- the periodic command ----------------------------------------------------------------


def test_the_command_moves_an_offer_whose_next_session_closed(offer):
    closing = make_session(offer, days=3, limit_days=1)
    later = make_session(offer, days=5)
    assert twin_of(offer) == closing.pk
    two_days = timezone.now() + timedelta(days=2)
    with mock.patch("django.utils.timezone.now", return_value=two_days):
        assert twin_of(offer) == closing.pk  # stale until the command runs (≤ 1 min)
        out = io.StringIO()
        call_command("refresh_next_sessions", stdout=out)
        assert out.getvalue() == "1 offre dont la prochaine séance a fermé, mise à jour.\n"
        assert twin_of(offer) == later.pk
        call_command("refresh_next_sessions", stdout=out)  # idempotent: nothing due
    assert out.getvalue().endswith("0 offre dont la prochaine séance a fermé, mise à jour.\n")


def test_the_command_with_all_mends_a_corrupted_twin(offer, space):
    session = make_session(offer, days=3)
    other = make_offer(space["venue"], "RENCONTRE", title="Conte")
    Offer.objects.filter(pk=offer.pk).update(next_session=None, next_session_at=None)
    Offer.objects.filter(pk=other.pk).update(next_session=session)  # another offer's date
    out = io.StringIO()
    call_command("refresh_next_sessions", stdout=out)
    assert out.getvalue().startswith("0 offre")  # no limit passed: not seen every minute
    call_command("refresh_next_sessions", "--all", stdout=out)
    assert "2 offres corrigées : leur prochaine séance différait de la règle." in out.getvalue()
    assert twin_of(offer) == session.pk and twin_of(other) is None
    assert not next_sessions.stale_offers().exists()


def test_the_schedule_runs_it_every_minute_and_reconciles_hourly():
    assert ("refresh_next_sessions", 60) in SCHEDULE
    assert ("refresh_next_sessions", 60 * 60, "--all") in SCHEDULE


# --- two bookings committed at once (PostgreSQL) ----------------------------------------


def _book(user, offer, session):
    return bookings.booking_create(user=user, offer=offer, session=session)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("third", [True, False])
def test_two_last_places_taken_at_once_leave_the_third_date(space, third):
    """Each booking's refresh locks the offer, then reads: the later one sees both
    commits, whatever the order."""
    for attempt in range(6):
        offer = make_offer(space["venue"], "RENCONTRE", title=f"Course {attempt}")
        first = make_session(offer, days=3, total_places=1)
        second = make_session(offer, days=4, total_places=1)
        last = make_session(offer, days=5, total_places=3) if third else None
        young = [make_beneficiary(16), make_beneficiary(17)]
        results, errors = at_once(
            [partial(_book, young[0], offer, first), partial(_book, young[1], offer, second)]
        )
        assert errors == [] and len(results) == 2
        assert twin_of(offer) == (last.pk if last else None), attempt
        assert not next_sessions.stale_offers().exists()
