"""Collective offers for school groups, requests and bookings.

Rules (SPEC §6):
- the subcategory must be open to collective offers; title ≤ 110, description ≤ 1,500;
  school levels and domains come from the reference lists; the intervention area is
  at least one département; "autre adresse" needs the address;
- a bookable offer has start ≤ end, booking limit ≤ start (default: start), a total
  price ≥ 0, at least one student, optionally a target school (by UAI);
- lifecycle: publiée → préréservée (a teacher pre-books) → réservée (the school
  confirms) → terminée (automatically 48 h after the end) → remboursée;
- requests, pre-bookings and their lifecycle: offers/services/collective_bookings.py;
- publishing and archiving are written in the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import departements
from accounts.models import School, User, Venue
from catalog.categories import get_subcategory, validate_pair
from offers import history, rules
from offers.collective_reference import DOMAIN_LABELS, LEVEL_LABELS, pack
from offers.models import (
    Action,
    CollectiveOffer,
    CollectiveRequest,
    CollectiveShowcase,
    CollectiveStatus,
    LocationType,
)
from offers.models.collective import (
    COLLECTIVE_DESCRIPTION_MAX,
    COLLECTIVE_TITLE_MAX,
)
from passlib import images
from passlib.refusal import Refusal


@dataclass(frozen=True)
class CollectiveData:
    venue: Venue
    subcategory_id: str
    title: str
    contact_email: str
    intervention_area: list[str] = field(default_factory=list)
    description: str = ""
    school_levels: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    location_type: str = LocationType.VENUE
    location_address: str = ""
    location_comment: str = ""
    contact_phone: str = ""
    accessibility_audio: bool = False
    accessibility_mental: bool = False
    accessibility_motor: bool = False
    accessibility_visual: bool = False


@dataclass(frozen=True)
class BookableData:
    starts_at: datetime
    ends_at: datetime
    students: int
    booking_limit_at: datetime | None = None
    price_cents: int = 0
    price_details: str = ""
    school: School | None = None


def _clean(data: CollectiveData) -> CollectiveData:
    errors: dict[str, str] = {}
    try:
        sub = get_subcategory(data.subcategory_id)
        validate_pair(sub.category.id, sub.id, collective=True)
    except ValueError:
        errors["subcategory"] = "Cette sous-catégorie n'existe pas dans le catalogue."
    except ValidationError as exc:
        errors["subcategory"] = exc.messages[0]
    title = data.title.strip()
    if not title or len(title) > COLLECTIVE_TITLE_MAX:
        errors["title"] = f"Le titre est obligatoire ({COLLECTIVE_TITLE_MAX} caractères au plus)."
    if len(data.description) > COLLECTIVE_DESCRIPTION_MAX:
        errors["description"] = (
            f"La description ne peut dépasser {COLLECTIVE_DESCRIPTION_MAX} caractères."
        )
    if any(v not in LEVEL_LABELS for v in data.school_levels):
        errors["school_levels"] = "Niveau scolaire inconnu."
    if any(v not in DOMAIN_LABELS for v in data.domains):
        errors["domains"] = "Domaine inconnu."
    if not data.intervention_area:
        errors["intervention_area"] = "Choisissez au moins un département d'intervention."
    elif any(d not in departements.BY_CODE for d in data.intervention_area):
        errors["intervention_area"] = "Département inconnu."
    if data.location_type not in LocationType.values:
        errors["location_type"] = "Lieu de l'activité inconnu."
    elif data.location_type == LocationType.OTHER and not data.location_address.strip():
        errors["location_address"] = "Indiquez l'adresse où se déroule l'activité."
    if errors:
        raise ValidationError(errors)
    return replace(data, title=title)


def _clean_bookable(b: BookableData, *, now: datetime) -> BookableData:
    errors: dict[str, str] = {}
    if b.starts_at <= now:
        errors["starts_at"] = "L'offre doit commencer dans le futur."
    if b.ends_at < b.starts_at:
        errors["ends_at"] = "La fin doit suivre le début."
    limit = b.booking_limit_at or b.starts_at
    if limit > b.starts_at:
        errors["booking_limit_at"] = "La date limite de réservation doit précéder le début."
    if b.price_cents < 0:
        errors["price"] = "Le prix ne peut pas être négatif."
    if b.students < 1:
        errors["students"] = "Indiquez au moins un élève."
    if errors:
        raise ValidationError(errors)
    return replace(b, booking_limit_at=limit)


def _apply(obj, data: CollectiveData) -> None:
    packed = {"school_levels", "domains", "intervention_area"}
    for f in fields(CollectiveData):
        value = getattr(data, f.name)
        setattr(obj, f.name, pack(value) if f.name in packed else value)
    obj.category_id = get_subcategory(data.subcategory_id).category.id


def _apply_bookable(offer: CollectiveOffer, b: BookableData) -> None:
    for f in fields(BookableData):
        setattr(offer, f.name, getattr(b, f.name))


@transaction.atomic
def showcase_create(*, actor: User, data: CollectiveData) -> CollectiveShowcase:
    showcase = CollectiveShowcase(created_by=actor)
    _apply(showcase, _clean(data))
    showcase.full_clean()
    showcase.save()
    return showcase


@transaction.atomic
def showcase_update(
    *, actor: User, showcase: CollectiveShowcase, data: CollectiveData
) -> CollectiveShowcase:
    _apply(showcase, _clean(data))
    showcase.updated_at = timezone.now()
    showcase.full_clean()
    showcase.save()
    return showcase


@transaction.atomic
def collective_offer_create(
    *,
    actor: User,
    data: CollectiveData,
    bookable: BookableData,
    showcase: CollectiveShowcase | None = None,
    request: CollectiveRequest | None = None,
) -> CollectiveOffer:
    """A bookable offer, in draft; from scratch, from a showcase or for a request."""
    offer = CollectiveOffer(created_by=actor, showcase=showcase, request=request)
    _apply(offer, _clean(data))
    _apply_bookable(offer, _clean_bookable(bookable, now=timezone.now()))
    offer.full_clean()
    offer.save()
    return offer


@transaction.atomic
def collective_offer_update(
    *, actor: User, offer: CollectiveOffer, data: CollectiveData, bookable: BookableData
) -> CollectiveOffer:
    """Edit a bookable offer that has no booking in progress."""
    if rules.active_collective_bookings().filter(offer=offer).exists():
        raise Refusal(
            "Une réservation est en cours sur cette offre : elle ne peut plus être modifiée.",
            code="collective.booking_in_progress",
        )
    _apply(offer, _clean(data))
    _apply_bookable(offer, _clean_bookable(bookable, now=timezone.now()))
    offer.updated_at = timezone.now()
    offer.full_clean()
    offer.save()
    return offer


def _log(
    obj: CollectiveShowcase | CollectiveOffer,
    action: Action,
    actor: User,
    to_status: str = "",
    comment: str = "",
):
    """A row of the offer's history: a change of status, or (no `to_status`) an edit."""
    target = "collective_offer" if isinstance(obj, CollectiveOffer) else "collective_showcase"
    history.record(
        action=action,
        actor=actor,
        venue_id=obj.venue_id,
        label=obj.title,
        from_status=obj.status if to_status else "",
        to_status=to_status,
        comment=comment,
        **{target: obj},
    )


@transaction.atomic
def collective_publish(*, actor: User, obj: CollectiveShowcase | CollectiveOffer):
    if isinstance(obj, CollectiveOffer) and obj.booking_limit_at <= timezone.now():
        raise Refusal(
            "La date limite de réservation est passée : modifiez les dates.",
            code="collective.limit_passed",
        )
    updated = (
        type(obj)
        .objects.filter(pk=obj.pk, status__in=[CollectiveStatus.DRAFT, CollectiveStatus.ARCHIVED])
        .update(status=CollectiveStatus.PUBLISHED, updated_at=timezone.now())
    )
    if not updated:
        raise Refusal("Cette offre est déjà publiée.", code="collective.already_published")
    _log(obj, Action.COLLECTIVE_PUBLISHED, actor, CollectiveStatus.PUBLISHED)
    obj.status = CollectiveStatus.PUBLISHED
    return obj


@transaction.atomic
def collective_archive(*, actor: User, obj: CollectiveShowcase | CollectiveOffer):
    """Hide an offer from teachers; a booking in progress is kept."""
    updated = (
        type(obj)
        .objects.filter(pk=obj.pk, status__in=[CollectiveStatus.DRAFT, CollectiveStatus.PUBLISHED])
        .update(status=CollectiveStatus.ARCHIVED, updated_at=timezone.now())
    )
    if not updated:
        raise Refusal("Cette offre est déjà archivée.", code="collective.already_archived")
    _log(obj, Action.COLLECTIVE_ARCHIVED, actor, CollectiveStatus.ARCHIVED)
    obj.status = CollectiveStatus.ARCHIVED
    return obj


@transaction.atomic
def collective_duplicate(*, actor: User, obj: CollectiveShowcase | CollectiveOffer):
    """A draft copy « … (copie) », then « … (copie 2) »… (offers/rules.py
    `duplicate_title`); a bookable copy has no booking and no request."""
    model = type(obj)
    copy = model.objects.get(pk=obj.pk)
    copy.pk = copy.id = None
    copy._state.adding = True
    copy.public_id = model._meta.get_field("public_id").default()
    prefix = rules.copy_title_prefix(obj.title)
    taken = model.objects.filter(venue_id=obj.venue_id, title__startswith=prefix)
    copy.title = rules.duplicate_title(
        obj.title, set(taken.values_list("title", flat=True)), COLLECTIVE_TITLE_MAX
    )
    copy.status = CollectiveStatus.DRAFT
    copy.created_by = actor
    copy.created_at = copy.updated_at = timezone.now()
    if model is CollectiveOffer:
        copy.request = None
    images.clear(copy)
    copy.save()
    images.copy_image(obj, copy, folder=image_folder(copy))
    return copy


def image_folder(obj: CollectiveShowcase | CollectiveOffer) -> str:
    return f"collectif/{obj.public_id}"


@transaction.atomic
def collective_image_save(
    *,
    actor: User,
    obj: CollectiveShowcase | CollectiveOffer,
    picture: images.ReadImage | None,
    alt: str,
    credit: str,
):
    """Add or replace the picture of a collective offer (passlib/images.py)."""
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    images.save_image(locked, picture=picture, alt=alt, credit=credit, folder=image_folder(locked))
    _log(
        locked,
        Action.OFFER_EDITED,
        actor,
        comment="Image modifiée" if picture else "Texte de l'image modifié",
    )
    return locked


@transaction.atomic
def collective_image_delete(*, actor: User, obj: CollectiveShowcase | CollectiveOffer):
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    if not locked.has_image:
        raise Refusal("Cette offre n'a pas d'image.", code="collective.no_image")
    images.delete_image(locked)
    _log(locked, Action.OFFER_EDITED, actor, comment="Image supprimée")
    return locked
