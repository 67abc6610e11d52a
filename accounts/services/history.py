from __future__ import annotations

from accounts.models import ActionLog, Collectivite, Membership, User, Venue, Verb


def action_log(
    *,
    actor: User | None,
    verb: Verb,
    collectivite: Collectivite,
    target_label: str,
    venue: Venue | None = None,
    membership: Membership | None = None,
    reason: str = "",
    comment: str = "",
) -> ActionLog:
    return ActionLog.objects.create(
        actor=actor,
        verb=verb,
        collectivite=collectivite,
        venue=venue,
        membership=membership,
        target_label=target_label[:255],
        reason=reason,
        comment=comment,
    )
