"""Each business rule is written once (offers/rules.py, offers/models/places.py,
offers/policy.py, accounts/policy.py); where a second form exists (a CHECK constraint, a
Python property, a compiled copy), these tests prove both forms agree."""

from __future__ import annotations

import itertools
from datetime import timedelta
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Case, F, When
from django.utils import timezone

from offers import policy, rules
from offers.models import Offer, Session, Stock
from offers.models.places import (
    SESSION_HAS_PLACE,
    STOCK_HAS_PLACE,
    all_left,
    pass_left,
    session_fits_others,
    session_pass_left,
    session_within_capacity,
    stock_fits_others,
)
from offers.rules import _display_status
from offers.services import bookings as booking_services
from passlib.refusal import Refusal
from tests.factories import (
    make_beneficiary,
    make_collective_offer,
    make_offer,
    make_school,
    make_session,
    make_teacher,
    offers_in_every_status,
)

pytestmark = pytest.mark.django_db

CAPACITIES = [None, 0, 1, 3]


def test_a_session_has_a_place_in_sql_exactly_when_its_property_says_so(space):
    offer = make_offer(space["venue"], title="Rencontre")
    sessions = []
    for total, quota in itertools.product(CAPACITIES, CAPACITIES):
        if quota is not None and total is not None and quota > total:
            continue
        cap = quota if quota is not None else total
        for booked in sorted({0, 1, cap if cap is not None else 2}):
            if cap is not None and booked > cap:
                continue
            sessions.append(
                make_session(offer, total_places=total, quota=quota, booked=booked, days=10)
            )
    with_place = set(Session.objects.filter(SESSION_HAS_PLACE).values_list("pk", flat=True))
    for session in sessions:
        session.refresh_from_db()
        remaining = session.remaining
        assert (session.pk in with_place) == (remaining is None or remaining > 0), (
            session.total_places,
            session.quota,
            session.booked_count,
        )


def test_the_check_constraint_refuses_exactly_what_the_property_calls_oversold(space):
    offer = make_offer(space["venue"], title="Rencontre")
    for total, quota in [(None, None), (3, None), (3, 2), (None, 2)]:
        session = make_session(offer, total_places=total, quota=quota, days=10)
        cap = session.capacity
        for booked in range(0, 5):
            oversold = cap is not None and booked > cap
            try:
                with transaction.atomic():
                    Session.objects.filter(pk=session.pk).update(booked_count=booked)
            except IntegrityError:
                assert oversold, (total, quota, booked)
            else:
                assert not oversold, (total, quota, booked)


def test_a_stock_has_a_place_in_sql_exactly_when_its_property_says_so(space):
    stocks = []
    for quantity in CAPACITIES:
        for booked in sorted({0, 1, quantity or 0}):
            if quantity is not None and booked > quantity:
                continue
            offer = make_offer(space["venue"], "ESCAPE_GAME", quantity=quantity)
            Stock.objects.filter(offer=offer).update(booked_count=booked)
            stocks.append(Stock.objects.get(offer=offer))
    with_place = set(Stock.objects.filter(STOCK_HAS_PLACE).values_list("pk", flat=True))
    for stock in stocks:
        assert (stock.pk in with_place) == (stock.remaining is None or stock.remaining > 0)
        if stock.quantity is not None:  # the CHECK constraint: never oversold
            with pytest.raises(IntegrityError), transaction.atomic():
                Stock.objects.filter(pk=stock.pk).update(booked_count=stock.quantity + 1)


@pytest.mark.parametrize("per_row", [False, True])
def test_the_compiled_display_status_is_the_orm_expression(space, per_row):
    offers_in_every_status(space)
    now = timezone.now()
    today = timezone.localdate(now)
    compiled = dict(
        Offer.objects.annotate(s=rules.display_status(per_row=per_row, now=now)).values_list(
            "title", "s"
        )
    )
    plain = dict(
        Offer.objects.annotate(s=_display_status(now, today, per_row)).values_list("title", "s")
    )
    assert compiled == plain
    assert len(set(compiled.values())) == 6  # every display status is represented


def test_bookable_offers_are_those_open_for_booking_with_a_place(space):
    offers_in_every_status(space)
    bookable = set(policy.bookable_offers().values_list("title", flat=True))
    assert bookable == {"Publiée", "Abonnement"}
    for offer in Offer.objects.select_related("venue__collectivite"):
        in_queryset = Offer.objects.filter(policy.OPEN_FOR_BOOKING, pk=offer.pk).exists()
        assert in_queryset == policy.is_open_for_booking(offer), offer.title


def test_the_cancellation_deadline_is_what_the_page_and_the_service_apply(space):
    offer = make_offer(space["venue"], title="Rencontre")
    session = make_session(offer, days=10, total_places=5)
    young = make_beneficiary()
    booking = booking_services.booking_create(user=young, offer=offer, session=session)
    deadline = rules.cancellation_deadline(booking)
    just_before = deadline - timedelta(microseconds=1)
    assert rules.may_cancel(booking, just_before)
    # The deadline is the last instant *before* which one may cancel: at it, too late
    # (the scheme's boundary), for the page and for the service alike.
    assert not rules.may_cancel(booking, deadline)
    with (
        mock.patch("django.utils.timezone.now", return_value=deadline),
        pytest.raises(Refusal) as refused,
    ):
        booking_services.booking_cancel_by_beneficiary(user=young, booking=booking)
    assert refused.value.code == "booking.deadline_passed"
    with mock.patch("django.utils.timezone.now", return_value=just_before):
        booking_services.booking_cancel_by_beneficiary(user=young, booking=booking)


def test_visible_to_a_school_is_one_rule_for_lists_and_actions(space, other_space):
    school = make_school()  # département 69, like `space`
    teacher = make_teacher(school)
    here = make_collective_offer(space["venue"], title="Ici")
    elsewhere = make_collective_offer(other_space["venue"], title="Ailleurs")
    listed = set(policy.collective_offers_for_school(school, timezone.now()))
    assert here in listed and elsewhere not in listed
    policy.check_visible_to_school(here, school)
    with pytest.raises(Refusal) as refused:
        policy.check_visible_to_school(elsewhere, school)
    assert refused.value.code == "collective.not_visible"
    # A booked offer is no longer free: it leaves the list, by the same rule.
    from offers.services import collective_bookings

    collective_bookings.prebook(user=teacher, offer=here)
    assert here not in set(policy.collective_offers_for_school(school, timezone.now()))
    assert rules.active_collective_bookings().filter(offer=here).count() == 1


def test_places_held_for_the_waiting_list_count_in_sql_the_property_and_the_check(space):
    """offers/models/places.py: booked + held ≤ capacity, in the three forms."""
    offer = make_offer(space["venue"], title="Rencontre")
    stock_offer = make_offer(space["venue"], "ESCAPE_GAME", quantity=3)
    stock = stock_offer.stock
    for total, quota in [(3, None), (3, 2), (None, 2)]:
        session = make_session(offer, total_places=total, quota=quota, days=10)
        cap = session.capacity
        for booked, held in itertools.product(range(4), range(4)):
            over = booked + held > cap
            try:
                with transaction.atomic():
                    Session.objects.filter(pk=session.pk).update(
                        booked_count=booked, held_count=held
                    )
            except IntegrityError:
                assert over, (total, quota, booked, held)
                continue
            assert not over, (total, quota, booked, held)
            session.refresh_from_db()
            in_sql = Session.objects.filter(SESSION_HAS_PLACE, pk=session.pk).exists()
            assert in_sql == (session.remaining > 0), (total, quota, booked, held)
    for booked, held in itertools.product(range(4), range(4)):
        try:
            with transaction.atomic():
                Stock.objects.filter(pk=stock.pk).update(booked_count=booked, held_count=held)
        except IntegrityError:
            assert booked + held > 3
            continue
        stock.refresh_from_db()
        assert Stock.objects.filter(STOCK_HAS_PLACE, pk=stock.pk).exists() == (stock.remaining > 0)


def test_an_offer_fits_an_age_in_sql_exactly_when_the_python_rule_says_so(space):
    bounds = [None, 15, 16, 17, 18]
    offers = [
        make_offer(space["venue"], title=f"{low}-{high}", age_min=low, age_max=high)
        for low, high in itertools.product(bounds, bounds)
        if low is None or high is None or low <= high
    ]
    for age in range(14, 20):
        in_sql = set(Offer.objects.filter(rules.for_age(age)).values_list("pk", flat=True))
        assert in_sql == {o.pk for o in offers if rules.fits_age(o, age)}, age
    with pytest.raises(IntegrityError), transaction.atomic():  # the CHECK's own bounds
        make_offer(space["venue"], age_min=17, age_max=16)


def test_after_a_move_the_guichet_and_the_export_read_the_deadline_the_rule_gives(space, member):
    """A move extends the young person's cancellation deadline (offers/rules.py with
    `moved_at`): the guichet (plain SQL row), the export (`.values_list` rows) and the
    service read the same one."""
    from offers.exports import COLUMNS, export_rows
    from offers.models import Booking
    from offers.selectors.bookings import counter_booking
    from offers.services import sessions as session_services
    from tests.factories import past_its_cancellation_deadline

    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier")
    session = make_session(offer, days=5, total_places=5)
    young = make_beneficiary()
    booking = booking_services.booking_create(user=young, offer=offer, session=session)
    past_its_cancellation_deadline(booking)
    new = session.starts_at + timedelta(days=7)
    session_services.session_update(
        actor=member,
        session=session,
        data=session_services.SessionData(starts_at=new, total_places=5, booking_limit_at=new),
    )
    booking = Booking.objects.select_related("session").get(pk=booking.pk)
    deadline = rules.cancellation_deadline(booking)
    assert deadline > timezone.now()  # the old one had passed
    assert counter_booking(member, booking.code).validation_opens_at == deadline
    status = COLUMNS.index("Statut de la contremarque")
    rows = Booking.objects.filter(pk=booking.pk)
    before = deadline - timedelta(microseconds=1)
    assert [r[status] for r in export_rows(rows, now=before)] == ["réservé"]
    assert [r[status] for r in export_rows(rows, now=deadline)] == ["confirmé"]
    assert rules.may_cancel(booking, before) and not rules.may_cancel(booking, deadline)


# --- one capacity for every channel (issue 30) ---------------------------------------------

BOUNDS = [None, 0, 2, 5]


def _session_counts():
    """Every (quota, total, booked, held, other, outside) a session may be asked to hold,
    oversold ones included (quota ≤ total stays a rule of its own)."""
    for quota, total in itertools.product(BOUNDS, BOUNDS):
        if quota is not None and total is not None and quota > total:
            continue
        yield from (
            (quota, total, *counts)
            for counts in itertools.product(range(4), range(3), range(4), range(3))
        )


def test_every_form_of_the_session_rule_agrees_with_every_channel(space):
    """`session_never_oversold` (CHECK), `session_within_capacity` (lt: a pass place is
    left), `session_pass_left` and `session_fits_others` (SQL) and their Python twins
    (`pass_left`, `all_left`, `Session.remaining`, `Session.places_left`) on quotas,
    totals, pass bookings, held places, registrations and places kept outside."""
    offer = make_offer(space["venue"], title="Rencontre")
    model = make_session(offer, days=10)
    stored = {}
    for quota, total, booked, held, other, outside in _session_counts():
        twin = pass_left(quota, total, booked, held, other, outside)
        oversold = twin is not None and twin < 0
        fields = {
            "quota": quota,
            "total_places": total,
            "booked_count": booked,
            "held_count": held,
            "other_count": other,
            "outside_places": outside,
        }
        try:
            with transaction.atomic():
                session = Session.objects.create(
                    offer=offer,
                    starts_at=model.starts_at,
                    booking_limit_at=model.booking_limit_at,
                    **fields,
                )
        except IntegrityError:
            assert oversold, fields
            continue
        assert not oversold, fields
        stored[session.pk] = fields
        assert session.remaining == twin
        assert session.places_left == all_left(total, booked, held, other, outside)
    assert len(stored) > 500  # many combinations, each one checked below
    rows = Session.objects.filter(pk__in=stored).annotate(
        has_place=Case(When(SESSION_HAS_PLACE, then=True), default=False),
        never_oversold=Case(When(session_within_capacity("lte"), then=True), default=False),
        left=session_pass_left(),
        fits_one=Case(When(session_fits_others(1), then=True), default=False),
        fits_three=Case(When(session_fits_others(3), then=True), default=False),
    )
    for session in rows:
        fields = stored[session.pk]
        remaining, anyone = session.remaining, session.places_left
        assert session.left == remaining, fields
        assert session.has_place == (remaining is None or remaining > 0), fields
        assert session.never_oversold, fields
        assert session.fits_one == (anyone is None or anyone >= 1), fields
        assert session.fits_three == (anyone is None or anyone >= 3), fields
        assert session.left_for_anyone == (
            anyone if fields["total_places"] is not None else remaining
        )
        assert session.taken == sum(
            fields[k] for k in ("booked_count", "held_count", "other_count", "outside_places")
        )


@pytest.mark.parametrize("column", ["booked_count", "held_count", "other_count", "outside_places"])
def test_the_check_refuses_one_place_too_many_from_any_channel(space, column):
    """12 places, quota 8, 4 pass bookings, 6 others: 2 left for anyone; one more
    than that in any column is refused by `session_never_oversold`."""
    offer = make_offer(space["venue"], title="Rencontre")
    session = make_session(offer, days=10, total_places=12, quota=8, booked=4)
    Session.objects.filter(pk=session.pk).update(other_count=3, outside_places=3)
    session.refresh_from_db()
    assert (session.remaining, session.places_left) == (2, 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(**{column: F(column) + 3})
    Session.objects.filter(pk=session.pk).update(**{column: F(column) + 2})
    session.refresh_from_db()
    assert (session.remaining, session.places_left) == (0, 0)


def test_the_quota_limits_pass_culture_only(space):
    """The quota reached, the other channels still have the total's places (and the
    quota is never a limit on them)."""
    offer = make_offer(space["venue"], title="Rencontre")
    session = make_session(offer, days=10, total_places=12, quota=8, booked=8)
    session.refresh_from_db()
    assert (session.remaining, session.places_left) == (0, 4)
    assert not Session.objects.filter(SESSION_HAS_PLACE, pk=session.pk).exists()
    assert Session.objects.filter(session_fits_others(4), pk=session.pk).exists()
    assert not Session.objects.filter(session_fits_others(5), pk=session.pk).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(booked_count=9)
    Session.objects.filter(pk=session.pk).update(other_count=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(outside_places=1)


def test_every_form_of_the_stock_rule_agrees_with_every_channel(space):
    stored = {}
    for quantity in BOUNDS:
        offer = make_offer(space["venue"], "ESCAPE_GAME", quantity=quantity)
        stock = offer.stock
        for booked, held, other in itertools.product(range(4), range(3), range(4)):
            left = None if quantity is None else quantity - booked - held - other
            counts = {"booked_count": booked, "held_count": held, "other_count": other}
            try:
                with transaction.atomic():
                    Stock.objects.filter(pk=stock.pk).update(**counts)
            except IntegrityError:
                assert left is not None and left < 0, (quantity, counts)
                continue
            assert left is None or left >= 0, (quantity, counts)
            stock.refresh_from_db()
            assert stock.remaining == stock.places_left == left
            assert stock.taken == booked + held + other
            in_sql = Stock.objects.filter(STOCK_HAS_PLACE, pk=stock.pk).exists()
            assert in_sql == (left is None or left > 0), (quantity, counts)
            for n in (1, 2):
                fits = Stock.objects.filter(stock_fits_others(n), pk=stock.pk).exists()
                assert fits == (left is None or left >= n), (quantity, counts, n)
            stored[(quantity, booked, held, other)] = left
    assert len(stored) > 60
