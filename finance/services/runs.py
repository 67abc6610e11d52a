"""The fortnightly reimbursement run: closes a period (1st–15th or 16th–end of month, in
metropolitan time), prices every owed booking of a venue with bank details, and writes
one numbered, immutable statement per bank account.

- Idempotent: a period is closed once (`ReimbursementRun.period_start` is unique); a
  second run of it adds nothing.
- Safe on several nodes: the run holds an advisory lock on PostgreSQL, and locks the
  bookings it takes (SELECT … FOR UPDATE), so a concurrent unvalidation or cancellation
  waits and then finds the booking remboursée.
- All or nothing: one transaction; a crash half way leaves no run, no statement, no
  booking changed.
- Nothing lost: a venue without bank details keeps its bookings validated; they go on
  the first statement after its collectivité adds an account (its administrators are
  told at each run).
- An account whose details changed within FINANCE_RECENT_CHANGE_DAYS has its statement
  held: staff release it before the transfer (the SEPA file leaves it out until then).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import Collectivite, User
from accounts.services.onboarding import administrator_emails_of
from finance.models import BankAccount, ReimbursementRun, Statement, StatementLine
from finance.pricing import PricedItem, items, owed_collective, owed_individual, price_all
from offers import history
from offers.models import (
    Action,
    Booking,
    BookingStatus,
    CollectiveBooking,
    CollectiveBookingStatus,
)
from offers.services.closing import locked
from passlib.counts import counts_changed
from passlib.emails import send_on_commit
from passlib.formats import period_fr
from passlib.refusal import Refusal

RUN_LOCK = 0x70A55_0010
# The scheme's fortnights are counted in metropolitan time.
PERIOD_TZ = ZoneInfo("Europe/Paris")


def period_containing(day: date) -> tuple[date, date]:
    if day.day <= 15:
        return day.replace(day=1), day.replace(day=15)
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=16), day.replace(day=last)


def last_closed_period(now: datetime) -> tuple[date, date]:
    """The latest period that ended before today (metropolitan time)."""
    today = timezone.localtime(now, PERIOD_TZ).date()
    start, _ = period_containing(today)
    return period_containing(start - timedelta(days=1))


def period_cutoff(end: date) -> datetime:
    """The instant a period ends: midnight after its last day, metropolitan time."""
    return datetime.combine(end + timedelta(days=1), time(0), tzinfo=PERIOD_TZ)


def statement_number(start: date, index: int) -> str:
    half = "A" if start.day == 1 else "B"
    return f"RB-{start:%Y-%m}{half}-{index:04d}"


def close_period(*, period_start: date | None = None, now: datetime | None = None):
    """Close the period that starts on `period_start` (default: the last one that
    ended). Returns the run, or None when the period was already closed."""
    now = now or timezone.now()
    if period_start is None:
        start, end = last_closed_period(now)
    else:
        start, end = period_containing(period_start)
        if start != period_start:
            raise Refusal(
                "Une période commence le 1er ou le 16 du mois.", code="finance.period_start"
            )
    cutoff = period_cutoff(end)
    if cutoff > now:
        raise Refusal(
            f"La période {period_fr(start, end)} n'est pas terminée.",
            code="finance.period_open",
        )
    with transaction.atomic(), locked(RUN_LOCK, transaction_scoped=True):
        if ReimbursementRun.objects.filter(period_start=start).exists():
            return None
        run = ReimbursementRun.objects.create(period_start=start, period_end=end, created_at=now)
        owed = items(
            owed_individual(cutoff=cutoff)
            .filter(venue__bank_link__isnull=False)
            .select_for_update(of=("self",)),
            owed_collective(cutoff=cutoff)
            .filter(venue__bank_link__isnull=False)
            .select_for_update(of=("self",)),
        )
        priced = price_all(owed)
        statements = _write_statements(run, priced, now)
        _mark_reimbursed(priced, now)
        run.total_cents = sum(s.total_cents for s in statements)
        run.lines_count = len(priced)
        run.save(update_fields=["total_cents", "lines_count"])
        _tell_waiting_collectivites(cutoff)
        if priced:
            counts_changed()
        return run


def _write_statements(run, priced: list[PricedItem], now) -> list[Statement]:
    by_account: dict[int, list[PricedItem]] = defaultdict(list)
    for p in priced:
        by_account[p.item.account_id].append(p)
    accounts = BankAccount.objects.select_related("collectivite").in_bulk(list(by_account))
    recent = now - timedelta(days=settings.FINANCE_RECENT_CHANGE_DAYS)
    order = sorted(by_account, key=lambda a: (accounts[a].collectivite.name, a))
    statements = []
    lines = []
    for index, account_id in enumerate(order, start=1):
        account = accounts[account_id]
        rows = by_account[account_id]
        statement = Statement.objects.create(
            number=statement_number(run.period_start, index),
            run=run,
            collectivite=account.collectivite,
            account=account,
            holder=account.holder,
            iban=account.iban,
            bic=account.bic,
            account_label=account.label,
            total_cents=sum(p.priced.amount_cents for p in rows),
            created_at=now,
            held=account.changed_at >= recent,
        )
        statements.append(statement)
        lines.extend(
            StatementLine(
                statement=statement,
                booking_id=None if p.item.collective else p.item.id,
                collective_booking_id=p.item.id if p.item.collective else None,
                venue_id=p.item.venue_id,
                venue_name=p.item.venue_name[:200],
                offer_title=p.item.offer_title[:255],
                reference=p.item.reference,
                validated_at=p.item.validated_at,
                year=p.year,
                price_cents=p.item.price_cents,
                rate_bp=p.priced.rate_bp,
                rule=p.priced.rule,
                amount_cents=p.priced.amount_cents,
            )
            for p in rows
        )
    StatementLine.objects.bulk_create(lines, batch_size=1000)
    admins = administrator_emails_of({s.collectivite_id for s in statements})
    for statement in statements:
        send_on_commit(
            to=admins.get(statement.collectivite_id, []),
            template="statement_issued",
            context={"statement": statement, "path": finance_path(statement.collectivite)},
        )
    return statements


def _mark_reimbursed(priced: list[PricedItem], now) -> None:
    individual = [p.item.id for p in priced if not p.item.collective]
    collective = [p.item.id for p in priced if p.item.collective]
    for chunk in _chunks(individual):
        history.record_bookings(
            Booking.objects.filter(id__in=chunk),
            action=Action.REIMBURSED,
            from_status=BookingStatus.VALIDATED,
            to_status=BookingStatus.REIMBURSED,
            at=now,
        )
        changed = Booking.objects.filter(id__in=chunk, status=BookingStatus.VALIDATED).update(
            status=BookingStatus.REIMBURSED, reimbursed_at=now
        )
        assert changed == len(chunk), "a locked booking changed under the run"
    for chunk in _chunks(collective):
        changed = CollectiveBooking.objects.filter(
            id__in=chunk, status=CollectiveBookingStatus.ENDED
        ).update(status=CollectiveBookingStatus.REIMBURSED, reimbursed_at=now)
        assert changed == len(chunk), "a locked collective booking changed under the run"
        for booking in CollectiveBooking.objects.filter(id__in=chunk).select_related("offer"):
            history.record_collective_booking(
                booking,
                action=Action.COLLECTIVE_REIMBURSED,
                actor=None,
                from_status=CollectiveBookingStatus.ENDED,
                to_status=CollectiveBookingStatus.REIMBURSED,
                created_at=now,
            )


def _chunks(ids: list[int], size: int = 5000):
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def waiting_venues(cutoff: datetime | None = None):
    """(collectivité id, venue id, venue name, amount owed in cents) of the venues that
    are owed something but have no bank account: they wait, nothing is lost."""
    rows = []
    for qs, price_field in (
        (owed_individual(cutoff=cutoff), "price_cents"),
        (owed_collective(cutoff=cutoff), "offer__price_cents"),
    ):
        rows.extend(
            qs.filter(venue__bank_link__isnull=True)
            .values("venue__collectivite_id", "venue_id", "venue__name")
            .annotate(owed=Sum(price_field))
            .order_by("venue__collectivite_id", "venue__name")
        )
    return rows


def _tell_waiting_collectivites(cutoff: datetime) -> None:
    rows = sorted(waiting_venues(cutoff), key=lambda r: r["venue__collectivite_id"])
    ids = {r["venue__collectivite_id"] for r in rows}
    collectivites = Collectivite.objects.in_bulk(list(ids))
    admins = administrator_emails_of(ids)
    for coll_id, venue_rows in groupby(rows, key=lambda r: r["venue__collectivite_id"]):
        names = sorted({r["venue__name"] for r in venue_rows})
        collectivite = collectivites[coll_id]
        send_on_commit(
            to=admins.get(coll_id, []),
            template="bank_details_missing",
            context={
                "collectivite": collectivite,
                "venues": names,
                "path": finance_path(collectivite),
            },
        )


def finance_path(collectivite: Collectivite) -> str:
    return reverse("finance:home", args=[collectivite.public_id])


@transaction.atomic
def release(*, actor: User, statement: Statement) -> Statement:
    """Staff checked the new bank details with the collectivité: the transfer may go."""
    if not actor.is_staff:
        raise Refusal("Réservé à l'équipe du pass Culture.", code="finance.staff_only")
    updated = Statement.objects.filter(pk=statement.pk, held=True, released_at__isnull=True).update(
        released_at=timezone.now(), released_by=actor
    )
    if not updated:
        raise Refusal("Ce paiement n'est pas retenu.", code="finance.not_held")
    statement.refresh_from_db()
    return statement
