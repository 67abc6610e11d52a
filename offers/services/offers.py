"""Individual offers, their stock and sessions.

Rules (SPEC §4):
- the (category, subcategory) pair comes from the catalog and must be open to
  individual offers; the extra fields a subcategory does not ask for are cleared;
- price from 0 to 300 € (stored in cents), 0 = free;
- an event lasts `duration_minutes` (5 min to 24 h, passlib/durations.py), else its
  subcategory's usual length; each session may say its own (offers/services/sessions.py);
- physical offers have one stock (quantity empty = unlimited, optional booking limit
  date); event offers have sessions: start in the future, optional total places,
  optional pass Culture quota ≤ total places, booking limit ≤ start (default: start);
- places (quota, else total places) never go below the bookings already made: the
  change is one conditional UPDATE, backed by CHECK constraints;
- an offer is published only when bookable (a stock, or a future session);
- an offer or a session with bookings cannot be deleted (the offer can be deactivated);
- the offer type (physical / event) cannot change once it has sessions or bookings.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User, Venue
from catalog.categories import ExtraField, get_subcategory, validate_pair
from offers import history, rules
from offers.models import (
    MAX_PRICE_CENTS,
    TITLE_MAX,
    Action,
    Booking,
    Offer,
    OfferStatus,
    Registration,
    Session,
    Stock,
)
from offers.models.individual import AGE_MAX, AGE_MIN
from offers.services import holds, next_sessions
from passlib import images
from passlib.counts import changes_counts
from passlib.formats import count_fr
from passlib.refusal import Refusal


@dataclass(frozen=True)
class OfferData:
    venue: Venue
    subcategory_id: str
    title: str
    description: str = ""
    speaker: str = ""
    director: str = ""
    visa: str = ""
    accessibility_audio: bool = False
    accessibility_mental: bool = False
    accessibility_motor: bool = False
    accessibility_visual: bool = False
    age_min: int | None = None
    age_max: int | None = None
    withdrawal_details: str = ""
    booking_email: str = ""
    price_cents: int = 0
    publish_at: datetime | None = None
    booking_opens_at: datetime | None = None
    # An event's length (minutes); None: its subcategory's usual one (offers/rules.py).
    duration_minutes: int | None = None


@dataclass(frozen=True)
class StockData:
    quantity: int | None = None
    booking_limit_date: date | None = None


_EXTRA = {ExtraField.SPEAKER: "speaker", ExtraField.DIRECTOR: "director", ExtraField.VISA: "visa"}


_log = history.record_offer


def _places(value: int | None) -> str:
    return "illimitée" if value is None else str(value)


def _clean_offer_data(data: OfferData) -> OfferData:
    try:
        sub = get_subcategory(data.subcategory_id)
    except ValueError:
        raise ValidationError(
            {"subcategory": "Cette sous-catégorie n'existe pas dans le catalogue."}
        ) from None
    try:
        validate_pair(sub.category.id, sub.id, collective=False)
    except ValidationError as exc:
        raise ValidationError({"subcategory": exc.messages}) from None
    if not (0 <= data.price_cents <= MAX_PRICE_CENTS):
        raise ValidationError({"price": "Le prix doit être compris entre 0 et 300 €."})
    title = data.title.strip()
    if not title:
        raise ValidationError({"title": "Le titre est obligatoire."})
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": f"Le titre ne peut dépasser {TITLE_MAX} caractères."})
    check_ages(data.age_min, data.age_max)
    unused = {name: "" for extra, name in _EXTRA.items() if extra not in sub.extra_fields}
    if not sub.is_event:
        unused["duration_minutes"] = None  # a book or a card lasts no time
    return replace(data, title=title, **unused)


def check_ages(age_min: int | None, age_max: int | None) -> None:
    """The offer's ages lie within 15..18, the minimum not above the maximum (the CHECK
    constraint `offer_age_range` says the same to the database). The form asks it too,
    so the message comes with the others at the first submit."""
    for name, value in (("age_min", age_min), ("age_max", age_max)):
        if value is not None and not AGE_MIN <= value <= AGE_MAX:
            raise ValidationError({name: f"Choisissez un âge de {AGE_MIN} à {AGE_MAX} ans."})
    if age_min is not None and age_max is not None and age_min > age_max:
        raise ValidationError(
            {
                "age_max": f"L'âge maximum ne peut pas être inférieur à l'âge minimum "
                f"({age_min} ans)."
            }
        )


def _check_stock(stock: StockData) -> None:
    if stock.quantity is not None and stock.quantity < 0:
        raise ValidationError({"quantity": "La quantité ne peut pas être négative."})


def _apply(offer: Offer, data: OfferData) -> None:
    for f in fields(OfferData):
        setattr(offer, f.name, getattr(data, f.name))
    offer.category_id = get_subcategory(data.subcategory_id).category.id


def offer_has_bookings(offer: Offer) -> bool:
    """Booked through pass Culture, or with registrations from other channels (the
    offer's lists and statistics): never deleted, deactivated instead."""
    return (
        Booking.objects.filter(offer=offer).exists()
        or Registration.objects.filter(offer=offer).exists()
    )


@changes_counts
@transaction.atomic
def offer_create(*, actor: User, data: OfferData, stock: StockData | None = None) -> Offer:
    """Create a draft offer; a physical offer gets its stock at once."""
    data = _clean_offer_data(data)
    offer = Offer(created_by=actor, updated_by=actor, status=OfferStatus.DRAFT)
    _apply(offer, data)
    offer.full_clean()
    offer.save()
    if not offer.is_event:
        stock = stock or StockData()
        _check_stock(stock)
        Stock.objects.create(
            offer=offer, quantity=stock.quantity, booking_limit_date=stock.booking_limit_date
        )
    _log(offer, Action.OFFER_CREATED, actor, to_status=OfferStatus.DRAFT)
    return offer


@changes_counts
@transaction.atomic
def offer_update(
    *, actor: User, offer: Offer, data: OfferData, stock: StockData | None = None
) -> Offer:
    """Edit an offer. Its stock quantity never goes below the bookings made."""
    data = _clean_offer_data(data)
    was_event = offer.is_event
    now_event = get_subcategory(data.subcategory_id).is_event
    if was_event != now_event and (offer.sessions.exists() or offer_has_bookings(offer)):
        raise ValidationError(
            {
                "subcategory": "Le type d'offre (physique ou événement) ne peut plus changer : "
                "créez une nouvelle offre."
            }
        )
    _apply(offer, data)
    offer.updated_by = actor
    offer.updated_at = timezone.now()
    offer.full_clean()
    offer.save()
    _log(offer, Action.OFFER_EDITED, actor)
    if now_event:
        Stock.objects.filter(offer=offer).delete()
        return offer
    stock = stock or StockData()
    _check_stock(stock)
    existing, _ = Stock.objects.get_or_create(offer=offer)
    updated = (
        Stock.objects.filter(pk=existing.pk)
        .filter(
            # Bookings, places held for the waiting list and other channels'
            # registrations stay (offers/models/places.py).
            Q(booked_count__lte=stock.quantity - F("held_count") - F("other_count"))
            if stock.quantity is not None
            else Q()
        )
        .update(quantity=stock.quantity, booking_limit_date=stock.booking_limit_date)
    )
    if not updated:
        existing.refresh_from_db()
        raise ValidationError(
            {
                "quantity": "Impossible : "
                + count_fr(
                    existing.taken,
                    "réservation est déjà faite ou proposée",
                    "réservations sont déjà faites ou proposées",
                )
                + " à la liste d'attente ; la quantité ne peut pas être inférieure."
            }
        )
    holds.offer_places(stock_id=existing.pk)  # more places: the waiting list first
    if (
        existing.quantity != stock.quantity
        or existing.booking_limit_date != stock.booking_limit_date
    ):
        _log(
            offer,
            Action.STOCK_CHANGED,
            actor,
            comment=f"Quantité : {_places(existing.quantity)} → {_places(stock.quantity)}",
        )
    return offer


@changes_counts
@transaction.atomic
def offer_publish(*, actor: User, offer: Offer) -> Offer:
    """Publish a draft or reactivate a deactivated offer, if something is bookable."""
    now = timezone.now()
    if (
        offer.is_event
        and not offer.sessions.filter(starts_at__gt=now, cancelled_at__isnull=True).exists()
    ):
        raise Refusal(
            "Ajoutez au moins une séance à venir avant de publier l'offre.",
            code="offer.no_future_session",
        )
    if not offer.is_event and not Stock.objects.filter(offer=offer).exists():
        raise Refusal("Renseignez le stock avant de publier l'offre.", code="offer.no_stock")
    before = Offer.objects.select_for_update().values_list("status", flat=True).get(pk=offer.pk)
    updated = Offer.objects.filter(
        pk=offer.pk, status__in=[OfferStatus.DRAFT, OfferStatus.DEACTIVATED]
    ).update(status=OfferStatus.PUBLISHED, updated_by=actor, updated_at=now)
    if not updated:
        raise Refusal("Cette offre est déjà publiée.", code="offer.already_published")
    next_sessions.next_sessions_changed([offer.pk])
    action = (
        Action.OFFER_REACTIVATED if before == OfferStatus.DEACTIVATED else Action.OFFER_PUBLISHED
    )
    _log(offer, action, actor, from_status=before, to_status=OfferStatus.PUBLISHED)
    offer.status = OfferStatus.PUBLISHED
    return offer


@changes_counts
@transaction.atomic
def offer_deactivate(*, actor: User, offer: Offer) -> Offer:
    """Hide a published offer from beneficiaries; bookings already made are kept."""
    updated = Offer.objects.filter(pk=offer.pk, status=OfferStatus.PUBLISHED).update(
        status=OfferStatus.DEACTIVATED, updated_by=actor, updated_at=timezone.now()
    )
    if not updated:
        raise Refusal("Seule une offre publiée peut être désactivée.", code="offer.not_published")
    next_sessions.next_sessions_changed([offer.pk])
    _log(
        offer,
        Action.OFFER_DEACTIVATED,
        actor,
        from_status=OfferStatus.PUBLISHED,
        to_status=OfferStatus.DEACTIVATED,
    )
    offer.status = OfferStatus.DEACTIVATED
    return offer


@changes_counts
@transaction.atomic
def offer_duplicate(*, actor: User, offer: Offer) -> Offer:
    """A draft copy: same fields (its duration too), same stock quantity, future sessions
    (not the cancelled ones) with their own durations; no bookings."""
    now = timezone.now()
    copy = Offer.objects.get(pk=offer.pk)
    copy.pk = None
    copy.id = None
    copy._state.adding = True
    copy.public_id = Offer._meta.get_field("public_id").default()
    prefix = rules.copy_title_prefix(offer.title)
    taken = Offer.objects.filter(venue_id=offer.venue_id, title__startswith=prefix)
    copy.title = rules.duplicate_title(
        offer.title, set(taken.values_list("title", flat=True)), TITLE_MAX
    )
    copy.status = OfferStatus.DRAFT
    copy.created_by = copy.updated_by = actor
    copy.created_at = copy.updated_at = now
    # A draft has no next bookable session (not the original's): stored once it commits.
    copy.next_session = copy.next_session_at = copy.next_session_until = None
    images.clear(copy)
    copy.save()
    images.copy_image(offer, copy, folder=image_folder(copy))
    stock = Stock.objects.filter(offer=offer).first()
    if stock is not None:
        Stock.objects.create(
            offer=copy, quantity=stock.quantity, booking_limit_date=stock.booking_limit_date
        )
    Session.objects.bulk_create(
        Session(
            offer=copy,
            starts_at=s.starts_at,
            total_places=s.total_places,
            quota=s.quota,
            booking_limit_at=s.booking_limit_at,
            duration_minutes=s.duration_minutes,
        )
        for s in offer.sessions.filter(starts_at__gt=now, cancelled_at__isnull=True)
    )
    next_sessions.next_sessions_changed([copy.pk])
    _log(copy, Action.OFFER_DUPLICATED, actor, to_status=OfferStatus.DRAFT, comment=offer.title)
    return copy


@changes_counts
@transaction.atomic
def offer_delete(*, actor: User, offer: Offer) -> None:
    """Delete an offer that never had a booking; otherwise deactivate it instead."""
    if offer_has_bookings(offer):
        raise Refusal(
            "Cette offre a des réservations ou des inscriptions : elle ne peut pas être "
            "supprimée. "
            "Vous pouvez la désactiver.",
            code="offer.has_bookings",
        )
    images.remove_after_commit(images.names_of(offer))
    offer.delete()


def image_folder(offer) -> str:
    return f"offres/{offer.public_id}"


@transaction.atomic
def offer_image_save(
    *, actor: User, offer: Offer, picture: images.ReadImage | None, alt: str, credit: str
) -> Offer:
    """Add or replace an offer's picture, or change its alternative text and credit
    (passlib/images.py); in the offer's history."""
    locked = Offer.objects.select_for_update().get(pk=offer.pk)
    had = locked.has_image
    images.save_image(locked, picture=picture, alt=alt, credit=credit, folder=image_folder(locked))
    comment = (
        "Image remplacée"
        if had and picture
        else "Image ajoutée"
        if picture
        else "Texte de l'image modifié"
    )
    _log(locked, Action.OFFER_EDITED, actor, comment=comment)
    return locked


@transaction.atomic
def offer_image_delete(*, actor: User, offer: Offer) -> Offer:
    locked = Offer.objects.select_for_update().get(pk=offer.pk)
    if not locked.has_image:
        raise Refusal("Cette offre n'a pas d'image.", code="offer.no_image")
    images.delete_image(locked)
    _log(locked, Action.OFFER_EDITED, actor, comment="Image supprimée")
    return locked
