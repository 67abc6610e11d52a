"""The shared space of a collectivité: venues, members, invitations.

Rules:
- a validated collectivité never has zero validated administrators: demoting or
  removing the last one is refused (the collectivité row is locked while checking,
  so two concurrent removals cannot both pass);
- a venue member manages only the venues they are given; administrators manage all;
- an invitation is valid 14 days, one open per email and space; accepting it creates
  (or validates) the membership directly and confirms the email it was sent to.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    Collectivite,
    Invitation,
    Membership,
    Role,
    Status,
    User,
    Venue,
    Verb,
)
from accounts.services.history import action_log
from accounts.services.onboarding import VenueData, venue_build
from passlib.emails import send_on_commit
from passlib.refusal import Refusal

INVITATION_VALIDITY = timedelta(days=14)
_INVITATION_SALT = "accounts.invitation"


@transaction.atomic
def venue_create(*, actor: User, collectivite: Collectivite, data: VenueData) -> Venue:
    """An administrator adds a venue; it waits for the territory officer's review."""
    venue = venue_build(collectivite=collectivite, data=data, actor=actor)
    venue.full_clean()
    venue.save()
    action_log(
        actor=actor,
        verb=Verb.VENUE_ADDED,
        collectivite=collectivite,
        venue=venue,
        target_label=venue.name,
    )
    return venue


@transaction.atomic
def venue_update(*, actor: User, venue: Venue, data: VenueData) -> Venue:
    """Edit a venue; département and time zone follow the postal code. Status is kept."""
    rebuilt = venue_build(collectivite=venue.collectivite, data=data, actor=venue.created_by)
    for field, _ in asdict(data).items():
        setattr(venue, field, getattr(rebuilt, field))
    venue.siret_comment = rebuilt.siret_comment
    venue.departement = rebuilt.departement
    venue.time_zone = rebuilt.time_zone
    venue.latitude, venue.longitude = rebuilt.latitude, rebuilt.longitude
    venue.full_clean()
    venue.save()
    action_log(
        actor=actor,
        verb=Verb.VENUE_UPDATED,
        collectivite=venue.collectivite,
        venue=venue,
        target_label=venue.name,
    )
    return venue


def _lock_space(collectivite: Collectivite) -> None:
    Collectivite.objects.select_for_update().filter(pk=collectivite.pk).first()


def is_last_admin(membership: Membership) -> bool:
    if not (membership.role == Role.ADMIN and membership.status == Status.VALIDATED):
        return False
    others = (
        Membership.objects.filter(
            collectivite_id=membership.collectivite_id, role=Role.ADMIN, status=Status.VALIDATED
        )
        .exclude(pk=membership.pk)
        .exists()
    )
    return not others


@transaction.atomic
def membership_set_role(*, actor: User, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise Refusal("Rôle inconnu.", code="space.unknown_role")
    _lock_space(membership.collectivite)
    membership.refresh_from_db()
    if membership.status != Status.VALIDATED:
        raise Refusal("Ce membre n'est pas encore validé.", code="space.member_not_validated")
    if membership.role == role:
        return membership
    if role == Role.MEMBER and is_last_admin(membership):
        raise Refusal(
            "Impossible : c'est la dernière personne qui administre la collectivité. "
            "Donnez d'abord ce rôle à une autre personne.",
            code="space.last_admin",
        )
    membership.role = role
    membership.save(update_fields=["role"])
    action_log(
        actor=actor,
        verb=Verb.ROLE_CHANGED,
        collectivite=membership.collectivite,
        membership=membership,
        target_label=f"{membership.user.display_name} : {membership.get_role_display()}",
    )
    return membership


@transaction.atomic
def membership_set_venues(
    *, actor: User, membership: Membership, venues: list[Venue]
) -> Membership:
    """Set the venues a member manages; all must belong to the member's collectivité."""
    if any(v.collectivite_id != membership.collectivite_id for v in venues):
        raise Refusal(
            "Ces lieux n'appartiennent pas à la collectivité.", code="space.foreign_venue"
        )
    membership.venues.set(venues)
    names = ", ".join(sorted(v.name for v in venues)) or "aucun"
    action_log(
        actor=actor,
        verb=Verb.VENUES_CHANGED,
        collectivite=membership.collectivite,
        membership=membership,
        target_label=f"{membership.user.display_name} : {names}",
    )
    return membership


@transaction.atomic
def membership_update(
    *, actor: User, membership: Membership, role: str, venues: list[Venue]
) -> Membership:
    """Role and managed venues together: a refusal of either changes neither."""
    membership_set_role(actor=actor, membership=membership, role=role)
    return membership_set_venues(actor=actor, membership=membership, venues=venues)


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    _lock_space(membership.collectivite)
    membership.refresh_from_db()
    if is_last_admin(membership):
        raise Refusal(
            "Impossible de retirer la dernière personne qui administre la collectivité.",
            code="space.last_admin",
        )
    action_log(
        actor=actor,
        verb=Verb.MEMBER_REMOVED,
        collectivite=membership.collectivite,
        target_label=membership.user.display_name,
    )
    membership.delete()


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(str(invitation.public_id), salt=_INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    try:
        public_id = signing.loads(
            token, salt=_INVITATION_SALT, max_age=INVITATION_VALIDITY.total_seconds()
        )
    except signing.BadSignature:
        return None
    return (
        Invitation.objects.select_related("collectivite", "invited_by")
        .filter(public_id=public_id)
        .first()
    )


def _invitation_email(invitation: Invitation) -> None:
    send_on_commit(
        to=[invitation.email],
        template="invitation",
        context={
            "invitation": invitation,
            "collectivite": invitation.collectivite,
            "path": reverse("accounts:invitation_accept", args=[invitation_token(invitation)]),
        },
    )


@transaction.atomic
def invitation_send(
    *, actor: User, collectivite: Collectivite, email: str, role: str, venues: list[Venue]
) -> Invitation:
    email = email.strip().lower()
    if Membership.objects.filter(
        collectivite=collectivite, user__email__iexact=email, status=Status.VALIDATED
    ).exists():
        raise Refusal("Cette personne est déjà membre de l'espace.", code="space.already_member")
    if any(v.collectivite_id != collectivite.pk for v in venues):
        raise Refusal(
            "Ces lieux n'appartiennent pas à la collectivité.", code="space.foreign_venue"
        )
    now = timezone.now()
    invitation = Invitation(
        collectivite=collectivite,
        email=email,
        role=role,
        invited_by=actor,
        created_at=now,
        expires_at=now + INVITATION_VALIDITY,
    )
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        raise Refusal(
            "Une invitation est déjà en cours pour cette adresse : renvoyez-la.",
            code="space.invitation_pending",
        ) from None
    invitation.venues.set(venues)
    action_log(actor=actor, verb=Verb.INVITED, collectivite=collectivite, target_label=email)
    _invitation_email(invitation)
    return invitation


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """Send again with a fresh 14-day validity; refused once accepted or revoked."""
    updated = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(expires_at=timezone.now() + INVITATION_VALIDITY)
    if not updated:
        raise Refusal(
            "Cette invitation a déjà été acceptée ou révoquée.", code="space.invitation_closed"
        )
    invitation.refresh_from_db()
    action_log(
        actor=actor,
        verb=Verb.INVITATION_RESENT,
        collectivite=invitation.collectivite,
        target_label=invitation.email,
    )
    _invitation_email(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    updated = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if not updated:
        raise Refusal(
            "Cette invitation a déjà été acceptée ou révoquée.", code="space.invitation_closed"
        )
    invitation.refresh_from_db()
    action_log(
        actor=actor,
        verb=Verb.INVITATION_REVOKED,
        collectivite=invitation.collectivite,
        target_label=invitation.email,
    )
    return invitation


@transaction.atomic
def invitation_accept(*, user: User, invitation: Invitation) -> Membership:
    """The invited person joins directly with the invited role and venues."""
    if user.email.lower() != invitation.email.lower():
        raise Refusal(
            f"Cette invitation a été envoyée à {invitation.email}. Connectez-vous avec ce compte.",
            code="space.invitation_other_email",
        )
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now, accepted_by=user)
    if not claimed:
        raise Refusal(
            "Cette invitation n'est plus valable (acceptée, révoquée ou expirée).",
            code="space.invitation_closed",
        )
    if user.email_confirmed_at is None:
        # The link reached this mailbox: that proves the address.
        User.objects.filter(pk=user.pk).update(email_confirmed_at=now)
        user.email_confirmed_at = now
    membership, _ = Membership.objects.get_or_create(
        user=user,
        collectivite=invitation.collectivite,
        defaults={"role": invitation.role, "status": Status.VALIDATED},
    )
    membership.role = invitation.role
    membership.status = Status.VALIDATED
    membership.save(update_fields=["role", "status"])
    membership.venues.add(*invitation.venues.all())
    action_log(
        actor=user,
        verb=Verb.INVITATION_ACCEPTED,
        collectivite=invitation.collectivite,
        membership=membership,
        target_label=user.display_name,
    )
    return membership
