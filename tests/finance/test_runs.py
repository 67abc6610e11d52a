"""The fortnightly run (issue 17): each period closed once, each booking on exactly one
statement, all or nothing, venues without bank details waiting, nothing lost; a
reimbursed booking can no longer be unvalidated or cancelled."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from finance.models import ReimbursementRun, Statement, StatementLine
from finance.services import runs
from finance.services.runs import close_period, last_closed_period, period_containing
from offers.models import Action, Booking, BookingStatus, CollectiveBooking, Transition
from offers.services import bookings as booking_services
from offers.services import collective_bookings as collective_services
from passlib.refusal import Refusal
from tests.conftest import is_postgres
from tests.factories import (
    MembershipFactory,
    make_collective_offer,
    make_school,
    make_teacher,
)
from tests.finance.helpers import account_for, validated
from tests.threads import at_once

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def test_periods_are_fortnights_in_metropolitan_time():
    assert period_containing(date(2026, 2, 15)) == (date(2026, 2, 1), date(2026, 2, 15))
    assert period_containing(date(2026, 2, 16)) == (date(2026, 2, 16), date(2026, 2, 28))
    assert period_containing(date(2028, 2, 20)) == (date(2028, 2, 16), date(2028, 2, 29))
    # 16 November 00:30 in Paris is still 15 November 23:30 UTC: the 1–15 period is over.
    now = datetime(2026, 11, 16, 0, 30, tzinfo=PARIS)
    assert last_closed_period(now) == (date(2026, 11, 1), date(2026, 11, 15))
    assert last_closed_period(datetime(2027, 1, 3, tzinfo=PARIS)) == (
        date(2026, 12, 16),
        date(2026, 12, 31),
    )


def test_a_run_writes_one_statement_per_account_and_reimburses_its_bookings(
    space, owner, officer, django_capture_on_commit_callbacks
):
    venue, other = space["venue"], space["other_venue"]
    main = account_for(space["collectivite"], venue)
    second = account_for(space["collectivite"], other, iban="DE89370400440532013000", label="Régie")
    second.bic = "COBADEFFXXX"
    second.save()
    b1 = validated(venue, price_cents=1250)
    b2 = validated(other, price_cents=800)
    school = make_school()
    coffer = make_collective_offer(venue, price_cents=30_000)
    cb = CollectiveBooking.objects.create(
        offer=coffer,
        venue=venue,
        school=school,
        teacher=make_teacher(school),
        status="ended",
        ended_at=timezone.now() - timedelta(days=20),
    )
    free = validated(venue, price_cents=0)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run = close_period()
    statements = {s.account_id: s for s in run.statements.all()}
    assert set(statements) == {main.pk, second.pk}
    assert statements[main.pk].total_cents == 1250 + 30_000
    assert statements[second.pk].total_cents == 800
    assert StatementLine.objects.filter(statement__run=run).count() == 3
    for booking in (b1, b2):
        booking.refresh_from_db()
        assert booking.status == BookingStatus.REIMBURSED
        assert booking.reimbursed_at == run.created_at
        assert Transition.objects.filter(booking=booking, action=Action.REIMBURSED).count() == 1
    cb.refresh_from_db()
    assert cb.status == "reimbursed" and cb.reimbursed_at == run.created_at
    assert Transition.objects.get(
        collective_booking=cb, action=Action.COLLECTIVE_REIMBURSED
    ).label.startswith("Réservation collective — ")
    free.refresh_from_db()
    assert free.status == BookingStatus.VALIDATED  # a free offer owes nothing
    numbers = sorted(s.number for s in run.statements.all())
    start = run.period_start
    half = "A" if start.day == 1 else "B"
    assert numbers == [f"RB-{start:%Y-%m}{half}-0001", f"RB-{start:%Y-%m}{half}-0002"]
    subjects = [m.subject for m in mail.outbox]
    assert sum(s.startswith("Relevé de remboursement RB-") for s in subjects) == 2
    assert all(m.to == [owner.email] for m in mail.outbox)
    assert officer.email not in {a for m in mail.outbox for a in m.to}


def test_rerunning_a_closed_period_adds_nothing(space):
    account_for(space["collectivite"], space["venue"])
    validated(space["venue"])
    run = close_period()
    late = validated(space["venue"], at=timezone.now() - timedelta(days=25))
    assert close_period() is None
    assert close_period(period_start=run.period_start) is None
    assert ReimbursementRun.objects.count() == 1
    assert StatementLine.objects.count() == 1
    late.refresh_from_db()
    assert late.status == BookingStatus.VALIDATED  # waits for the next period
    out = io.StringIO()
    call_command("run_reimbursements", stdout=out)
    assert "déjà clôturée" in out.getvalue()


def test_an_unfinished_period_is_refused(space):
    start, _ = period_containing(timezone.localdate())
    with pytest.raises(Refusal, match="n'est pas terminée"):
        close_period(period_start=start)
    with pytest.raises(CommandError, match="1er ou le 16"):
        call_command("run_reimbursements", "--period", "2026-01-05")
    assert not ReimbursementRun.objects.exists()


def test_a_venue_without_bank_details_waits_and_nothing_is_lost(
    space, owner, django_capture_on_commit_callbacks
):
    venue, other = space["venue"], space["other_venue"]
    account_for(space["collectivite"], venue)
    long_ago = timezone.now() - timedelta(days=40)
    paid = validated(venue, at=long_ago)
    waiting = validated(other, price_cents=2000, at=long_ago)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = close_period(now=timezone.now() - timedelta(days=16))
    assert first is not None
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.VALIDATED
    reminders = [m for m in mail.outbox if m.subject.startswith("Ajoutez vos coordonnées")]
    assert len(reminders) == 1 and reminders[0].to == [owner.email]
    assert "Bibliothèque Jean Macé" in reminders[0].body
    assert "&#x27;" not in reminders[0].body
    # The collectivité adds the venue to an account: the next period takes the booking.
    account_for(space["collectivite"], other, iban="FR7630001007941234567890185", label="Régie")
    second = close_period()
    assert second is not None and second.pk != first.pk
    waiting.refresh_from_db()
    paid.refresh_from_db()
    assert waiting.status == paid.status == BookingStatus.REIMBURSED
    assert StatementLine.objects.filter(booking=waiting, statement__run=second).exists()


def test_a_crash_half_way_leaves_no_partial_statement(space, monkeypatch):
    account_for(space["collectivite"], space["venue"])
    booking = validated(space["venue"])

    def crash(priced, now):
        raise RuntimeError("le serveur s'arrête")

    monkeypatch.setattr(runs, "_mark_reimbursed", crash)
    with pytest.raises(RuntimeError):
        close_period()
    assert not ReimbursementRun.objects.exists()
    assert not Statement.objects.exists() and not StatementLine.objects.exists()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.VALIDATED
    monkeypatch.undo()
    assert close_period().lines_count == 1  # the next run does it all


def test_a_recently_changed_account_has_its_payment_held_until_staff_release_it(space):
    account_for(space["collectivite"], space["venue"], changed_days_ago=2)
    validated(space["venue"])
    run = close_period()
    statement = run.statements.get()
    assert statement.held and not statement.payable
    staff = MembershipFactory(collectivite=space["collectivite"]).user
    with pytest.raises(Refusal):
        runs.release(actor=staff, statement=statement)  # an administrator is not staff
    staff.is_staff = True
    staff.save()
    assert runs.release(actor=staff, statement=statement).payable


def test_a_reimbursed_booking_can_no_longer_be_unvalidated_or_cancelled(space, owner):
    account_for(space["collectivite"], space["venue"])
    booking = validated(space["venue"])
    school = make_school()
    coffer = make_collective_offer(space["venue"], price_cents=10_000)
    cb = CollectiveBooking.objects.create(
        offer=coffer,
        venue=space["venue"],
        school=school,
        teacher=make_teacher(school),
        status="ended",
        ended_at=timezone.now() - timedelta(days=20),
    )
    close_period()
    with pytest.raises(Refusal, match="figure sur un relevé de remboursement"):
        booking_services.booking_unvalidate(actor=owner, booking=booking)
    with pytest.raises(Refusal, match="figure sur un relevé de remboursement"):
        booking_services.booking_cancel_by_venue(actor=owner, booking=booking, comment="Erreur")
    with pytest.raises(Refusal, match="figure sur un relevé de remboursement"):
        collective_services.cancel_by_venue(actor=owner, booking=cb, comment="Erreur")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.REIMBURSED


def test_the_guichet_says_why_a_reimbursed_booking_cannot_be_unvalidated(space, owner, login):
    account_for(space["collectivite"], space["venue"])
    booking = validated(space["venue"])
    close_period()
    client = login(owner)
    from django.urls import reverse

    response = client.post(
        reverse("offers:guichet_unvalidate"), {"code": booking.code, "confirm": "1"}, follow=True
    )
    assert response.status_code == 200
    assert "figure sur un relevé de remboursement" in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.REIMBURSED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_write_each_statement_once(space):
    assert is_postgres()
    account_for(space["collectivite"], space["venue"])
    account_for(
        space["collectivite"],
        space["other_venue"],
        iban="FR7630001007941234567890185",
        label="Régie",
    )
    bookings = [validated(space["venue"], price_cents=100 + i) for i in range(15)]
    bookings += [validated(space["other_venue"], price_cents=200 + i) for i in range(15)]
    results, errors = at_once([close_period, close_period, close_period])
    assert errors == []
    assert sorted(r is None for r in results) == [False, True, True]
    assert ReimbursementRun.objects.count() == 1
    assert Statement.objects.count() == 2
    lines = StatementLine.objects.values_list("booking_id", flat=True)
    assert sorted(lines) == sorted(b.pk for b in bookings)  # each exactly once
    assert Booking.objects.filter(status=BookingStatus.REIMBURSED).count() == 30
    assert Transition.objects.filter(action=Action.REIMBURSED).count() == 30


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_unvalidation_racing_the_run_either_wins_or_is_refused(space, owner):
    """The run locks the bookings it takes: the guichet's unvalidation waits, then finds
    the booking on a statement — or it went first and the booking is not on one."""
    account_for(space["collectivite"], space["venue"])
    bookings = [validated(space["venue"]) for _ in range(6)]

    def unvalidate(b):
        def call():
            try:
                return booking_services.booking_unvalidate(actor=owner, booking=b).status
            except Refusal as exc:
                return exc.code

        return call

    _results, errors = at_once([close_period] + [unvalidate(b) for b in bookings])
    assert errors == []
    on_statement = set(StatementLine.objects.values_list("booking_id", flat=True))
    for b in bookings:
        b.refresh_from_db()
        if b.pk in on_statement:
            assert b.status == BookingStatus.REIMBURSED
        else:
            assert b.status == BookingStatus.CONFIRMED
    for statement in Statement.objects.all():  # none when every unvalidation went first
        assert statement.total_cents == sum(statement.lines.values_list("amount_cents", flat=True))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_releasing_a_payment_at_once_release_it_once(space):
    account_for(space["collectivite"], space["venue"], changed_days_ago=1)
    validated(space["venue"])
    statement = close_period().statements.get()
    staff = [MembershipFactory(collectivite=space["collectivite"]).user for _ in range(4)]
    for person in staff:
        person.is_staff = True
        person.save()

    def release_by(person):
        def call():
            try:
                return runs.release(actor=person, statement=statement).released_by_id
            except Refusal as exc:
                return exc.code

        return call

    results, errors = at_once([release_by(p) for p in staff])
    assert errors == []
    assert sorted(r == "finance.not_held" for r in results) == [False, True, True, True]
    statement.refresh_from_db()
    assert statement.released_by_id in {p.pk for p in staff}
