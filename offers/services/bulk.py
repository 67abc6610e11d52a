"""One action on many offers at once: publish, deactivate or reactivate the offers a
person selected (or every offer matching the list's filters), in one transaction.

Each offer is judged on its own by the rules of the single actions
(offers/services/offers.py): publish a draft, deactivate a published offer,
reactivate a deactivated one; publishing or reactivating needs something bookable (a
session to come, or a stock). The offers that pass are changed by one UPDATE and get
their history rows in one INSERT; the others are listed with their reason and left as
they were (partial success: one draft without a session must not keep the other 199
of a programme from going out; docs/offers.md). The selected rows are locked first,
so a concurrent single action or bulk action waits and then sees the new statuses.
Queries: a fixed number, whatever the number of offers (tests/offers/test_bulk.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.policy import managed_venue_ids
from offers.models import Action, Offer, OfferStatus, Session, Stock, Transition
from offers.services import next_sessions
from passlib.counts import changes_counts
from passlib.formats import count_fr
from passlib.refusal import Refusal

MAX_OFFERS = 500


@dataclass(frozen=True)
class BulkAction:
    label: str  # the button's verb
    done: str  # the participle, for the result
    from_status: str
    to_status: str
    history: Action
    needs_bookable: bool
    wrong_status: str  # why an offer in another status is refused


ACTIONS = {
    "publier": BulkAction(
        "Publier",
        "publiée",
        OfferStatus.DRAFT,
        OfferStatus.PUBLISHED,
        Action.OFFER_PUBLISHED,
        True,
        "Ce n'est pas un brouillon.",
    ),
    "desactiver": BulkAction(
        "Désactiver",
        "désactivée",
        OfferStatus.PUBLISHED,
        OfferStatus.DEACTIVATED,
        Action.OFFER_DEACTIVATED,
        False,
        "Elle n'est pas publiée.",
    ),
    "reactiver": BulkAction(
        "Réactiver",
        "réactivée",
        OfferStatus.DEACTIVATED,
        OfferStatus.PUBLISHED,
        Action.OFFER_REACTIVATED,
        True,
        "Elle n'est pas désactivée.",
    ),
}


@dataclass
class BulkResult:
    action: BulkAction
    done: list[str] = field(default_factory=list)  # titles
    refused: list[tuple[str, str]] = field(default_factory=list)  # (title, reason)

    @property
    def summary(self) -> str:
        """« 3 offres publiées, 1 laissée telle quelle » (0 and 1 singular)."""
        done = self.action.done
        text = count_fr(len(self.done), f"offre {done}", f"offres {done}s")
        if self.refused:
            left = count_fr(len(self.refused), "laissée telle quelle", "laissées telles quelles")
            text += f", {left}"
        return text


def editable(user: User, selection: QuerySet[Offer]) -> QuerySet[Offer]:
    """The selected offers the person may change (their venues'); the rest of a
    selection (another collectivité's ids, an officer's read-only offers) is ignored."""
    return Offer.objects.filter(
        pk__in=selection.order_by().values("pk"), venue_id__in=managed_venue_ids(user)
    )


@changes_counts
@transaction.atomic
def offers_bulk(*, actor: User, action: str, selection: QuerySet[Offer]) -> BulkResult:
    if action not in ACTIONS:
        raise Refusal("Action inconnue.", code="bulk.unknown_action")
    spec = ACTIONS[action]
    now = timezone.now()
    locked = list(
        editable(actor, selection)
        .select_for_update(of=("self",))
        .order_by("pk")
        .annotate(
            future_session=Exists(
                Session.objects.filter(
                    offer=OuterRef("pk"), starts_at__gt=now, cancelled_at__isnull=True
                )
            ),
            has_stock=Exists(Stock.objects.filter(offer=OuterRef("pk"))),
        )
        .only("pk", "title", "status", "subcategory_id", "venue_id")[: MAX_OFFERS + 1]
    )
    if not locked:
        raise Refusal("Sélectionnez au moins une offre.", code="bulk.empty")
    if len(locked) > MAX_OFFERS:
        raise Refusal(
            f"Au plus {MAX_OFFERS} offres à la fois : affinez les filtres.",
            code="bulk.too_many",
        )
    result = BulkResult(spec)
    passing = []
    for offer in locked:
        reason = _refusal(offer, spec)
        if reason:
            result.refused.append((offer.title, reason))
        else:
            passing.append(offer)
            result.done.append(offer.title)
    if passing:
        Offer.objects.filter(pk__in=[o.pk for o in passing], status=spec.from_status).update(
            status=spec.to_status, updated_by=actor, updated_at=now
        )
        next_sessions.next_sessions_changed(o.pk for o in passing)
        Transition.objects.bulk_create(
            Transition(
                action=spec.history,
                actor=actor,
                venue_id=o.venue_id,
                label=o.title,
                from_status=spec.from_status,
                to_status=spec.to_status,
                comment="Action groupée",
                offer=o,
                created_at=now,
            )
            for o in passing
        )
    return result


def _refusal(offer: Offer, spec: BulkAction) -> str:
    if offer.status != spec.from_status:
        return spec.wrong_status
    if spec.needs_bookable:
        if offer.is_event and not offer.future_session:
            return "Aucune séance à venir : ajoutez-en une avant de la publier."
        if not offer.is_event and not offer.has_stock:
            return "Stock non renseigné."
    return ""
