"""Review transitions: validate, reject (reason + comment), put on hold.

Rules:
- validate and reject apply to objects "en attente" or "en suspens"; putting on hold
  applies to objects "en attente" only. Anything else is refused with a message and
  changes nothing (the status is checked and changed in one conditional UPDATE).
- rejecting needs a reason from the list; "autre" and putting on hold need a comment.
- every transition writes an ActionLog entry and sends an email after commit.
- validating a collectivité needs at least one validated administrator, and validates
  the venues registered with it; rejecting it rejects them.
- validating a join request validates the venue created with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from django.db import transaction
from django.db.models import Model

from accounts.models import (
    OPEN_STATUSES,
    Collectivite,
    Membership,
    RejectionReason,
    Role,
    Status,
    User,
    Venue,
    Verb,
)
from accounts.services.history import action_log
from accounts.services.onboarding import administrator_emails
from passlib.counts import counts_changed
from passlib.emails import send_on_commit
from passlib.refusal import Refusal

Action = Literal["validate", "reject", "hold"]
ACTIONS: dict[str, tuple[tuple[str, ...], str, Verb]] = {
    "validate": (OPEN_STATUSES, Status.VALIDATED, Verb.VALIDATED),
    "reject": (OPEN_STATUSES, Status.REJECTED, Verb.REJECTED),
    "hold": ((Status.NEW,), Status.PENDING, Verb.PUT_ON_HOLD),
}
ACTION_LABELS = {"validate": "valider", "reject": "rejeter", "hold": "mettre en suspens"}


def _check_input(action: str, reason: str, comment: str) -> None:
    if action not in ACTIONS:
        raise Refusal("Action inconnue.", code="review.unknown_action")
    if action == "reject" and reason not in RejectionReason.values:
        raise Refusal("Choisissez le motif du rejet.", code="review.reason_required")
    if action == "reject" and reason == RejectionReason.OTHER and not comment.strip():
        raise Refusal("Précisez le motif dans le commentaire.", code="review.comment_required")
    if action == "hold" and not comment.strip():
        raise Refusal(
            "Indiquez dans le commentaire l'information attendue.", code="review.comment_required"
        )


def _guarded_update(obj: Model, action: str) -> str:
    """Change the status only if it is still one the action applies to."""
    allowed_from, to, _ = ACTIONS[action]
    updated = type(obj).objects.filter(pk=obj.pk, status__in=allowed_from).update(status=to)
    if not updated:
        obj.refresh_from_db(fields=["status"])
        raise Refusal(
            f"Impossible de {ACTION_LABELS[action]} : le statut est déjà "
            f"« {obj.get_status_display()} ».",
            code="review.wrong_status",
        )
    obj.status = to
    # The status of a collectivité or venue is part of its offers' display status (and
    # of the catalog): every review moves the list counts (and its cascades commit
    # with it).
    counts_changed()
    return to


def _decision_email(
    *,
    to: Iterable[str],
    subject_label: str,
    feminine: bool,
    action: str,
    reason: str,
    comment: str,
) -> None:
    send_on_commit(
        to=to,
        template="review_decision",
        context={
            "subject_label": subject_label,
            # "validée" / "validé": the label names a collectivité, a request or a venue.
            "e": "e" if feminine else "",
            "action": action,
            "reason_label": RejectionReason(reason).label if reason else "",
            "comment": comment,
        },
    )


def _venues_registered_with(collectivite: Collectivite):
    """Open venues of the collectivité that do not belong to an open join request."""
    tied = Membership.objects.filter(
        collectivite=collectivite, status__in=OPEN_STATUSES, requested_venue__isnull=False
    ).values("requested_venue")
    return Venue.objects.filter(collectivite=collectivite, status__in=OPEN_STATUSES).exclude(
        pk__in=tied
    )


@transaction.atomic
def collectivite_review(
    *, actor: User, collectivite: Collectivite, action: Action, reason: str = "", comment: str = ""
) -> Collectivite:
    _check_input(action, reason, comment)
    # Lock the row so that admin changes and reviews of this space are serialised.
    Collectivite.objects.select_for_update().filter(pk=collectivite.pk).first()
    if (
        action == "validate"
        and not Membership.objects.filter(
            collectivite=collectivite, role=Role.ADMIN, status=Status.VALIDATED
        ).exists()
    ):
        raise Refusal(
            "Personne n'administre encore cette collectivité (aucun compte validé) : "
            "elle ne peut pas être validée.",
            code="review.no_admin",
        )
    _guarded_update(collectivite, action)
    if action in ("validate", "reject"):
        _venues_registered_with(collectivite).update(status=ACTIONS[action][1])
    action_log(
        actor=actor,
        verb=ACTIONS[action][2],
        collectivite=collectivite,
        target_label=collectivite.name,
        reason=reason if action == "reject" else "",
        comment=comment,
    )
    _decision_email(
        to=administrator_emails(collectivite),
        subject_label=f"la collectivité {collectivite.name}",
        feminine=True,
        action=action,
        reason=reason if action == "reject" else "",
        comment=comment,
    )
    return collectivite


@transaction.atomic
def venue_review(
    *, actor: User, venue: Venue, action: Action, reason: str = "", comment: str = ""
) -> Venue:
    _check_input(action, reason, comment)
    _guarded_update(venue, action)
    action_log(
        actor=actor,
        verb=ACTIONS[action][2],
        collectivite=venue.collectivite,
        venue=venue,
        target_label=venue.name,
        reason=reason if action == "reject" else "",
        comment=comment,
    )
    recipients = administrator_emails(venue.collectivite)
    if venue.created_by_id:
        recipients.append(venue.created_by.email)
    _decision_email(
        to=recipients,
        subject_label=f"le lieu {venue.name}",
        feminine=False,
        action=action,
        reason=reason if action == "reject" else "",
        comment=comment,
    )
    return venue


@transaction.atomic
def join_request_review(
    *, actor: User, membership: Membership, action: Action, reason: str = "", comment: str = ""
) -> Membership:
    _check_input(action, reason, comment)
    _guarded_update(membership, action)
    venue = membership.requested_venue
    if venue is not None and action in ("validate", "reject"):
        Venue.objects.filter(pk=venue.pk, status__in=OPEN_STATUSES).update(
            status=ACTIONS[action][1]
        )
    action_log(
        actor=actor,
        verb=ACTIONS[action][2],
        collectivite=membership.collectivite,
        membership=membership,
        venue=venue,
        target_label=f"Demande de {membership.user.display_name}",
        reason=reason if action == "reject" else "",
        comment=comment,
    )
    _decision_email(
        to=[membership.user.email],
        subject_label=f"votre demande pour rejoindre {membership.collectivite.name}",
        feminine=True,
        action=action,
        reason=reason if action == "reject" else "",
        comment=comment,
    )
    return membership


def review(*, actor: User, obj: Model, action: Action, reason: str = "", comment: str = ""):
    """Dispatch to the transition of the object's kind."""
    if isinstance(obj, Collectivite):
        return collectivite_review(
            actor=actor, collectivite=obj, action=action, reason=reason, comment=comment
        )
    if isinstance(obj, Venue):
        return venue_review(actor=actor, venue=obj, action=action, reason=reason, comment=comment)
    if isinstance(obj, Membership):
        return join_request_review(
            actor=actor, membership=obj, action=action, reason=reason, comment=comment
        )
    raise TypeError(type(obj))


def review_batch_validate(*, actor: User, objects: Iterable[Model]) -> tuple[int, list[str]]:
    """Validate each object on its own: one refusal does not undo the others.

    Returns how many were validated and the French messages of the refused ones.
    """
    done, refused = 0, []
    for obj in objects:
        try:
            review(actor=actor, obj=obj, action="validate")
        except Refusal as exc:
            refused.append(f"{obj} : {exc}")
        else:
            done += 1
    return done, refused
