"""Collective offers for school groups, requests and bookings.

Rules (SPEC §6):
- the subcategory must be open to collective offers; title ≤ 110, description ≤ 1,500;
  school levels and domains come from the reference lists; the intervention area is
  at least one département; "autre adresse" needs the address;
- a bookable offer has start ≤ end, booking limit ≤ start (default: start), a total
  price ≥ 0, at least one student, optionally a target school (by UAI);
- lifecycle: publiée → préréservée (a teacher pre-books) → réservée (the school
  confirms) → terminée (automatically 48 h after the end) → remboursée;
- a bookable offer takes one booking: the offer row is locked while pre-booking and a
  partial unique index backs it;
- teachers see published offers whose intervention area covers their school's
  département (and, when targeted, only their school), of validated venues;
- the school cancels until 30 days before the start; the venue until terminée, with a
  reason; every step emails the other party.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts import departements
from accounts.models import School, Status, Teacher, User, Venue
from catalog.categories import get_subcategory, validate_pair
from offers.collective_reference import DOMAIN_LABELS, LEVEL_LABELS, pack
from offers.models import (
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
    CollectiveRequest,
    CollectiveShowcase,
    CollectiveStatus,
    LocationType,
)
from offers.models.collective import (
    COLLECTIVE_DESCRIPTION_MAX,
    COLLECTIVE_TITLE_MAX,
    CollectiveCancellationReason,
)
from passlib.emails import send_on_commit
from passlib.refusal import Refusal

SCHOOL_CANCELLATION_NOTICE = timedelta(days=30)
END_DELAY = timedelta(hours=48)
END_LOCK = 0x70A55_0002


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


def active_booking(offer: CollectiveOffer) -> CollectiveBooking | None:
    return offer.bookings.exclude(status=CollectiveBookingStatus.CANCELLED).first()


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
    if active_booking(offer) is not None:
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
    obj.status = CollectiveStatus.ARCHIVED
    return obj


@transaction.atomic
def collective_duplicate(*, actor: User, obj: CollectiveShowcase | CollectiveOffer):
    """A draft copy "… (copie)"; a bookable copy has no booking and no request."""
    model = type(obj)
    copy = model.objects.get(pk=obj.pk)
    copy.pk = copy.id = None
    copy._state.adding = True
    copy.public_id = model._meta.get_field("public_id").default()
    suffix = " (copie)"
    copy.title = obj.title[: COLLECTIVE_TITLE_MAX - len(suffix)] + suffix
    copy.status = CollectiveStatus.DRAFT
    copy.created_by = actor
    copy.created_at = copy.updated_at = timezone.now()
    if model is CollectiveOffer:
        copy.request = None
    copy.save()
    return copy


# --- teachers --------------------------------------------------------------------------


def teacher_of(user: User) -> Teacher:
    teacher = Teacher.objects.select_related("school").filter(user=user).first()
    if teacher is None:
        raise Refusal("Cette action est réservée aux enseignants.", code="collective.teachers_only")
    return teacher


def _covers(obj, school: School) -> bool:
    return f",{school.departement}," in (obj.intervention_area or "")


def _visible_to_teacher(obj, teacher: Teacher) -> bool:
    return (
        obj.status == CollectiveStatus.PUBLISHED
        and obj.venue.status == Status.VALIDATED
        and obj.venue.collectivite.status == Status.VALIDATED
        and _covers(obj, teacher.school)
    )


def _venue_contacts(obj) -> list[str]:
    return [obj.contact_email, obj.venue.booking_email]


@transaction.atomic
def request_create(
    *,
    user: User,
    showcase: CollectiveShowcase,
    message: str,
    students: int,
    preferred_dates: str = "",
) -> CollectiveRequest:
    """A teacher asks the venue, through a showcase, for an offer for their class."""
    teacher = teacher_of(user)
    if not _visible_to_teacher(showcase, teacher):
        raise Refusal(
            "Cette offre n'est pas disponible pour votre établissement.",
            code="collective.not_visible",
        )
    errors = {}
    if not message.strip():
        errors["message"] = "Décrivez votre projet en quelques mots."
    if students < 1:
        errors["students"] = "Indiquez au moins un élève."
    if errors:
        raise ValidationError(errors)
    req = CollectiveRequest.objects.create(
        showcase=showcase,
        teacher=user,
        school=teacher.school,
        message=message.strip(),
        students=students,
        preferred_dates=preferred_dates.strip(),
    )
    send_on_commit(
        to=_venue_contacts(showcase),
        template="collective_request",
        context={"request": req, "showcase": showcase},
    )
    return req


@transaction.atomic
def prebook(*, user: User, offer: CollectiveOffer) -> CollectiveBooking:
    """Pre-book for the teacher's school; the offer row is locked: one booking only."""
    teacher = teacher_of(user)
    offer = (
        CollectiveOffer.objects.select_for_update(of=("self",))
        .select_related("venue__collectivite")
        .get(pk=offer.pk)
    )
    if not _visible_to_teacher(offer, teacher):
        raise Refusal(
            "Cette offre n'est pas disponible pour votre établissement.",
            code="collective.not_visible",
        )
    if offer.school_id and offer.school_id != teacher.school_id:
        raise Refusal(
            "Cette offre est réservée à un autre établissement.", code="collective.other_school"
        )
    if offer.booking_limit_at <= timezone.now():
        raise Refusal("La date limite de réservation est passée.", code="collective.limit_passed")
    if active_booking(offer) is not None:
        raise Refusal(
            "Cette offre vient d'être réservée par un autre établissement.",
            code="collective.already_booked",
        )
    try:
        with transaction.atomic():
            booking = CollectiveBooking.objects.create(
                offer=offer,
                venue=offer.venue,
                school=teacher.school,
                teacher=user,
            )
    except IntegrityError:
        raise Refusal(
            "Cette offre vient d'être réservée par un autre établissement.",
            code="collective.already_booked",
        ) from None
    send_on_commit(
        to=_venue_contacts(offer),
        template="collective_booking_step",
        context={"booking": booking, "step": "prebooked"},
    )
    return booking


def _same_school(user: User, booking: CollectiveBooking) -> Teacher:
    teacher = teacher_of(user)
    if teacher.school_id != booking.school_id:
        raise Refusal("Réservation introuvable.", code="collective.not_found")
    return teacher


@transaction.atomic
def confirm(*, user: User, booking: CollectiveBooking) -> CollectiveBooking:
    """The school confirms a pre-booking: préréservée → réservée."""
    _same_school(user, booking)
    updated = CollectiveBooking.objects.filter(
        pk=booking.pk, status=CollectiveBookingStatus.PREBOOKED
    ).update(status=CollectiveBookingStatus.BOOKED, confirmed_at=timezone.now(), confirmed_by=user)
    if not updated:
        raise Refusal(
            "Seule une préréservation peut être confirmée.", code="collective.not_prebooked"
        )
    booking.refresh_from_db()
    send_on_commit(
        to=_venue_contacts(booking.offer),
        template="collective_booking_step",
        context={"booking": booking, "step": "booked"},
    )
    return booking


def _cancel(booking: CollectiveBooking, *, actor: User, reason: str, comment: str):
    updated = CollectiveBooking.objects.filter(
        pk=booking.pk,
        status__in=[CollectiveBookingStatus.PREBOOKED, CollectiveBookingStatus.BOOKED],
    ).update(
        status=CollectiveBookingStatus.CANCELLED,
        cancelled_at=timezone.now(),
        cancelled_by=actor,
        cancellation_reason=reason,
        cancellation_comment=comment,
    )
    if not updated:
        booking.refresh_from_db()
        raise Refusal(
            f"Cette réservation ne peut plus être annulée (statut : "
            f"{booking.get_status_display().lower()}).",
            code="collective.wrong_status",
        )
    booking.refresh_from_db()
    return booking


@transaction.atomic
def cancel_by_school(
    *, user: User, booking: CollectiveBooking, comment: str = ""
) -> CollectiveBooking:
    """The school cancels until 30 days before the start."""
    _same_school(user, booking)
    if timezone.now() > booking.offer.starts_at - SCHOOL_CANCELLATION_NOTICE:
        raise Refusal(
            "L'établissement peut annuler jusqu'à 30 jours avant le début : contactez le lieu.",
            code="collective.school_notice_passed",
        )
    booking = _cancel(
        booking, actor=user, reason=CollectiveCancellationReason.SCHOOL, comment=comment.strip()
    )
    send_on_commit(
        to=_venue_contacts(booking.offer),
        template="collective_booking_step",
        context={"booking": booking, "step": "cancelled_by_school"},
    )
    return booking


@transaction.atomic
def cancel_by_venue(*, actor: User, booking: CollectiveBooking, comment: str) -> CollectiveBooking:
    """The venue cancels until the booking is terminée, with a reason for the school."""
    if not comment.strip():
        raise Refusal(
            "Indiquez le motif de l'annulation : il sera transmis à l'établissement.",
            code="collective.reason_required",
        )
    booking = _cancel(
        booking, actor=actor, reason=CollectiveCancellationReason.VENUE, comment=comment.strip()
    )
    send_on_commit(
        to=[booking.teacher.email],
        template="collective_booking_step",
        context={"booking": booking, "step": "cancelled_by_venue"},
    )
    return booking


def end_due_collective_bookings(*, now: datetime | None = None) -> int:
    """Réservée bookings whose offer ended 48 h ago become terminée (idempotent).

    The UPDATE keeps `status = 'booked'` in its own WHERE clause (re-checked by
    PostgreSQL after a concurrent writer) and runs under an advisory lock, so two
    concurrent runs end each booking once.
    """
    now = now or timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [END_LOCK])
        due = CollectiveOffer.objects.filter(ends_at__lte=now - END_DELAY).values("pk")
        return CollectiveBooking.objects.filter(
            status=CollectiveBookingStatus.BOOKED, offer__in=due
        ).update(status=CollectiveBookingStatus.ENDED, ended_at=now)
