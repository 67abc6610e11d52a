"""Each offer's next bookable session, stored: the twin of offers/rules.py
`next_bookable_session` (`Offer.next_session`, `next_session_at`, `next_session_until`).

The catalogue sorted by date reads the first page of offers from the index on
`next_session_at` instead of computing every offer's next date and sorting them all
(docs/performance.md). The twin is written only here:

- `next_sessions_changed(offer_ids)`: a write changed what the rule answers for these
  offers (a session added, moved, cancelled or deleted; a place taken, freed or held; an
  offer published, deactivated or edited). The services call it, and so do the model
  signals of `Session` and `Offer` (the admin, the factories' saves). It refreshes the
  offers once the write has committed, in a transaction of its own: the rows are locked
  first and the rule read afterwards, so of two bookings committed at once on two dates
  of one offer, the second refresh sees both (tests/offers/test_next_session.py). Run
  inside the writer's transaction, it would lock the offer row after the session rows
  that writer holds, an order other writers take the other way round.
- `refresh_due(now)`: the offers whose next session's booking limit has passed (the
  index `offer_next_session_until`), moved by the periodic `refresh_next_sessions`.
- `reconcile()`: every offer whose stored twin differs from the rule (after a bulk
  load, or hourly in case a process died between a commit and its refresh).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.db.models import F, Q, QuerySet, Subquery
from django.utils import timezone

from offers import rules
from offers.models import Offer


def _twin(now) -> dict:
    """The rule's answer as the three stored columns (sub-selects over the outer offer)."""
    nxt = rules.next_bookable_session(now)
    return {
        "next_session_id": Subquery(nxt.values("pk")[:1]),
        "next_session_at": Subquery(nxt.values("starts_at")[:1]),
        "next_session_until": Subquery(nxt.values("booking_limit_at")[:1]),
    }


def _refresh(offers: QuerySet[Offer], now=None) -> int:
    """Lock the offers (in id order: two refreshes never wait on each other in a cycle),
    then store the rule's answer, read after the locks were granted."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            offers.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True)
        )
        if not ids:
            return 0
        return Offer.objects.filter(pk__in=ids).update(**_twin(now))


def _ids(offer_ids: Iterable[int]) -> list[int]:
    return sorted({int(i) for i in offer_ids if i is not None})


def refresh(offer_ids: Iterable[int], now=None) -> int:
    """Store the next bookable session of these offers now."""
    ids = _ids(offer_ids)
    return _refresh(Offer.objects.filter(pk__in=ids), now) if ids else 0


def next_sessions_changed(offer_ids: Iterable[int]) -> None:
    """A write changed the next bookable session of these offers: refresh them once it
    commits (at once outside a transaction). A failing refresh is logged, never the
    writer's error: the periodic reconciliation mends it."""
    ids = _ids(offer_ids)
    if ids:
        transaction.on_commit(partial(refresh, ids), robust=True)


def refresh_due(now=None) -> int:
    """The offers whose stored next session's booking limit has passed: look again."""
    now = now or timezone.now()
    return _refresh(Offer.objects.filter(next_session_until__lte=now), now)


def stale_offers(now=None) -> QuerySet[Offer]:
    """The offers whose stored twin is not what the rule answers now."""
    now = now or timezone.now()
    twin = _twin(now)
    differs = Q()
    for column in ("next_session_id", "next_session_at", "next_session_until"):
        want = f"want_{column}"
        differs |= (
            Q(**{f"{want}__isnull": True, f"{column}__isnull": False})
            | Q(**{f"{want}__isnull": False, f"{column}__isnull": True})
            | ~Q(**{want: F(column)})
        )
    return Offer.objects.annotate(**{f"want_{k}": v for k, v in twin.items()}).filter(differs)


def reconcile(now=None) -> int:
    """Refresh every offer whose stored twin differs from the rule; how many."""
    now = now or timezone.now()
    ids = list(stale_offers(now).values_list("pk", flat=True))
    return refresh(ids, now)
