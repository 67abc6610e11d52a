"""Onboarding: a library registers its collectivité (case A) or joins it (case B)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts import departements, geo, selectors
from accounts.legal_categories import is_collectivite, legal_category_label
from accounts.models import (
    NO_SIRET_COMMENT,
    Collectivite,
    Membership,
    Role,
    Status,
    User,
    Venue,
    Verb,
)
from accounts.services.history import action_log
from accounts.sirene import SireneRecord
from accounts.siret import siren_of
from passlib.emails import send_on_commit
from passlib.refusal import Refusal


@dataclass(frozen=True)
class VenueData:
    name: str
    address: str
    postal_code: str
    city: str
    public_name: str = ""
    venue_type: str = "library"
    siret: str = ""
    siret_comment: str = ""
    accessibility_audio: bool = False
    accessibility_mental: bool = False
    accessibility_motor: bool = False
    accessibility_visual: bool = False
    booking_email: str = ""
    withdrawal_details: str = ""


@dataclass(frozen=True)
class CollectiviteData:
    name: str
    address: str
    postal_code: str
    city: str
    legal_category_code: str
    ape_code: str = ""


def _position(city: str, departement: str) -> dict:
    point = geo.locate(city, departement)
    return {"latitude": point and point.latitude, "longitude": point and point.longitude}


def venue_build(*, collectivite: Collectivite, data: VenueData, actor: User | None) -> Venue:
    """An unsaved venue with département and time zone derived from its postal code.

    A venue without its own SIRET carries a comment; by default the scheme's wording
    "Lieu sans SIRET : dépend du SIRET de la collectivité".
    """
    departement = departements.departement_from_postal_code(data.postal_code)
    if departement is None:
        raise ValidationError(
            {"postal_code": "Ce code postal ne correspond à aucun département français."}
        )
    comment = data.siret_comment.strip()
    if not data.siret and not comment:
        comment = NO_SIRET_COMMENT
    return Venue(
        collectivite=collectivite,
        name=data.name.strip(),
        public_name=data.public_name.strip(),
        venue_type=data.venue_type,
        address=data.address.strip(),
        postal_code=data.postal_code,
        city=data.city.strip(),
        departement=departement,
        time_zone=departements.timezone_of(departement),
        **_position(data.city, departement),
        siret=data.siret,
        siret_comment=comment,
        accessibility_audio=data.accessibility_audio,
        accessibility_mental=data.accessibility_mental,
        accessibility_motor=data.accessibility_motor,
        accessibility_visual=data.accessibility_visual,
        booking_email=data.booking_email,
        withdrawal_details=data.withdrawal_details,
        created_by=actor,
    )


@transaction.atomic
def collectivite_register(
    *,
    actor: User,
    siret: str,
    data: CollectiviteData,
    venue: VenueData,
    sirene: SireneRecord | None,
) -> Collectivite:
    """Case A: create the collectivité, its first venue, and make `actor` its administrator.

    Everything waits for a territory officer ("en attente"). When Sirene answered,
    its legal category and APE code are authoritative and the collectivité is flagged
    verified; otherwise it is "non vérifié". A SIRET outside the collectivité table is
    accepted but flagged "hors collectivité". The founder's membership is active at
    once so they can prepare the space; the collectivité's status gates visibility.
    """
    if not actor.email_confirmed:
        raise Refusal(
            "Confirmez votre adresse électronique avant de continuer.",
            code="account.email_unconfirmed",
        )
    siren = siren_of(siret)
    if Collectivite.objects.filter(siren=siren).exists():
        raise Refusal(
            "Cette collectivité est déjà inscrite : demandez à la rejoindre.",
            code="onboarding.already_registered",
        )
    legal_code = sirene.legal_category_code if sirene else data.legal_category_code
    ape_code = sirene.ape_code if sirene else data.ape_code
    departement = departements.departement_from_postal_code(data.postal_code)
    if departement is None:
        raise ValidationError(
            {"postal_code": "Ce code postal ne correspond à aucun département français."}
        )
    collectivite = Collectivite(
        siren=siren,
        siret=siret,
        name=data.name.strip(),
        address=data.address.strip(),
        postal_code=data.postal_code,
        city=data.city.strip(),
        departement=departement,
        legal_category_code=legal_code,
        legal_category_label=legal_category_label(legal_code),
        ape_code=ape_code,
        is_collectivite=is_collectivite(legal_code, ape_code),
        sirene_verified=sirene is not None and sirene.active,
        status=Status.NEW,
        created_by=actor,
    )
    collectivite.full_clean()
    try:
        with transaction.atomic():
            collectivite.save()
    except IntegrityError:  # a concurrent registration of the same SIREN won
        raise Refusal(
            "Cette collectivité vient d'être inscrite : demandez à la rejoindre.",
            code="onboarding.already_registered",
        ) from None
    first_venue = venue_build(collectivite=collectivite, data=venue, actor=actor)
    first_venue.full_clean()
    first_venue.save()
    Membership.objects.create(
        user=actor, collectivite=collectivite, role=Role.ADMIN, status=Status.VALIDATED
    )
    action_log(
        actor=actor,
        verb=Verb.SUBMITTED,
        collectivite=collectivite,
        target_label=collectivite.name,
        comment=f"Premier lieu : {first_venue.name}",
    )
    # Its reviewers are told: the département's officers, or the national team.
    reviewers, national = selectors.reviewers_for(collectivite.departement)
    send_on_commit(
        to=[person.email for person in reviewers],
        template="signup_to_review",
        context={
            "collectivite": collectivite,
            "venue": first_venue,
            "national": national,
            "departement": departements.name_of(collectivite.departement),
        },
    )
    return collectivite


def administrator_emails(collectivite: Collectivite) -> list[str]:
    return administrator_emails_of([collectivite.pk]).get(collectivite.pk, [])


def administrator_emails_of(collectivite_ids) -> dict[int, list[str]]:
    """Collectivité id → its validated administrators' addresses, in one query (a run
    that writes to many collectivités)."""
    found: dict[int, list[str]] = {}
    for coll_id, email in Membership.objects.filter(
        collectivite_id__in=list(collectivite_ids), role=Role.ADMIN, status=Status.VALIDATED
    ).values_list("collectivite_id", "user__email"):
        found.setdefault(coll_id, []).append(email)
    return found


@transaction.atomic
def join_request_create(
    *, actor: User, collectivite: Collectivite, venue: VenueData, message: str = ""
) -> Membership:
    """Case B: a pending membership plus the requester's own venue, both "en attente".

    One membership per person and collectivité: a second request is refused. The
    collectivité's administrators are emailed.
    """
    if not actor.email_confirmed:
        raise Refusal(
            "Confirmez votre adresse électronique avant de continuer.",
            code="account.email_unconfirmed",
        )
    existing = Membership.objects.filter(user=actor, collectivite=collectivite).first()
    if existing is not None:
        if existing.status == Status.VALIDATED:
            raise Refusal("Vous êtes déjà membre de cet espace.", code="onboarding.already_member")
        if existing.status == Status.REJECTED:
            raise Refusal(
                "Votre demande a été refusée. "
                "Contactez une personne qui administre la collectivité.",
                code="onboarding.join_rejected",
            )
        raise Refusal(
            "Votre demande de rattachement est déjà en cours d'examen.",
            code="onboarding.join_pending",
        )
    new_venue = venue_build(collectivite=collectivite, data=venue, actor=actor)
    new_venue.full_clean()
    new_venue.save()
    membership = Membership(
        user=actor,
        collectivite=collectivite,
        role=Role.MEMBER,
        status=Status.NEW,
        requested_venue=new_venue,
        message=message.strip(),
    )
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise Refusal(
            "Votre demande de rattachement est déjà en cours d'examen.",
            code="onboarding.join_pending",
        ) from None
    membership.venues.add(new_venue)
    action_log(
        actor=actor,
        verb=Verb.JOIN_REQUESTED,
        collectivite=collectivite,
        membership=membership,
        venue=new_venue,
        target_label=f"{actor.display_name} — {new_venue.name}",
        comment=membership.message,
    )
    send_on_commit(
        to=administrator_emails(collectivite),
        template="join_request_received",
        context={"membership": membership, "venue": new_venue, "collectivite": collectivite},
    )
    return membership
