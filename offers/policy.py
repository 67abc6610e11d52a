"""Who may see and do what with offers, bookings and collective offers.

The access policy of the offers app (Wagtail's permission policies are the model): it
answers "which objects may this person see" (the `*_readable_by`, `*_managed_by`,
`*_for_school`, `bookable_offers` querysets, through which views fetch: an object
outside them answers 404) and "may this person do X to this object" (`can_edit_offer`,
`check_may_book`, `check_visible_to_school`: 403 or a refusal inside the scope). The
roles and managed venues come from accounts/policy.py; the rules they combine (places
left, visible to a school) from offers/rules.py.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.db.models.functions import Now
from django.utils import timezone

from accounts.models import Beneficiary, School, Status, User
from accounts.policy import (
    beneficiary_of,
    can_manage_venue,
    managed_venue_ids,
    officer_departements,
    roles_of,
)
from accounts.services.beneficiaries import credit_not_yet, credit_on
from offers import rules
from offers.models import (
    Booking,
    CollectiveBooking,
    CollectiveOffer,
    CollectiveShowcase,
    Offer,
    OfferStatus,
    WaitlistEntry,
)
from offers.templatetags.money import euros
from passlib.formats import age_range_fr
from passlib.refusal import Refusal

# --- the pro side ----------------------------------------------------------------------------


def offers_readable_by(user: User) -> QuerySet[Offer]:
    """Offers of the venues the person manages, plus (read-only) the offers of an
    officer's départements."""
    managed = Q(venue_id__in=managed_venue_ids(user))
    departements = officer_departements(user) if roles_of(user)["officer"] else ()
    if departements:
        return Offer.objects.filter(managed | Q(venue__departement__in=departements))
    return Offer.objects.filter(managed)


def can_edit_offer(user: User, offer: Offer) -> bool:
    """People who manage the offer's venue edit it; officers only read."""
    return can_manage_venue(user, offer.venue)


def require_offer_editor(user: User, offer: Offer) -> None:
    """Readable but not manageable (an officer, say): 403."""
    if not can_edit_offer(user, offer):
        raise PermissionDenied("Vous ne gérez pas le lieu de cette offre.")


def bookings_managed_by(user: User) -> QuerySet[Booking]:
    """Bookings of the venues the person manages (lists, exports, the guichet)."""
    return Booking.objects.filter(venue_id__in=managed_venue_ids(user))


def booking_at_counter(user: User, code: str) -> Booking | None:
    """The booking of that code if it belongs to one of the person's venues: any other
    code is "introuvable", whether it exists elsewhere or not."""
    return bookings_managed_by(user).filter(code=code).first()


def showcases_managed_by(user: User) -> QuerySet[CollectiveShowcase]:
    return CollectiveShowcase.objects.filter(venue_id__in=managed_venue_ids(user))


def collective_offers_managed_by(user: User) -> QuerySet[CollectiveOffer]:
    return CollectiveOffer.objects.filter(venue_id__in=managed_venue_ids(user))


def collective_bookings_managed_by(user: User) -> QuerySet[CollectiveBooking]:
    return CollectiveBooking.objects.filter(venue_id__in=managed_venue_ids(user))


# --- young people ---------------------------------------------------------------------------

# An offer open for booking: published, its venue and collectivité validated, its
# publication instant reached (scheduled publication: the database's clock decides). The
# Python twin for one offer is `is_open_for_booking` (tests/offers/test_rules_agree.py).
# Its bookings may open later (`booking_opened`, checked by the booking service).
OPEN_FOR_BOOKING = Q(
    status=OfferStatus.PUBLISHED,
    venue__status=Status.VALIDATED,
    venue__collectivite__status=Status.VALIDATED,
) & (Q(publish_at__isnull=True) | Q(publish_at__lte=Now()))


def is_open_for_booking(offer: Offer, now=None) -> bool:
    """OPEN_FOR_BOOKING for one offer (with its venue and collectivité loaded)."""
    now = now or timezone.now()
    return (
        offer.status == OfferStatus.PUBLISHED
        and offer.venue.status == Status.VALIDATED
        and offer.venue.collectivite.status == Status.VALIDATED
        and (offer.publish_at is None or offer.publish_at <= now)
    )


def booking_opened(offer: Offer, now=None) -> bool:
    """A published offer may show before its bookings open (`booking_opens_at`). The SQL
    twin is `booking_opened_q` (tests/offers/test_opening_alerts.py: they agree)."""
    now = now or timezone.now()
    return offer.booking_opens_at is None or offer.booking_opens_at <= now


def booking_opened_q(now, prefix: str = "") -> Q:
    """`booking_opened` as a filter on offers (`prefix`: "offer__" from a related row)."""
    return Q(**{f"{prefix}booking_opens_at__isnull": True}) | Q(
        **{f"{prefix}booking_opens_at__lte": now}
    )


def bookable_offers(*, per_row: bool = True) -> QuerySet[Offer]:
    """What a young person may see and book now: offers open for booking with a place
    left on an open session or stock. Counting them: `per_row=False` (offers/rules.py)."""
    return Offer.objects.filter(OPEN_FOR_BOOKING).filter(rules.bookable_place(per_row=per_row))


def full_offers(*, per_row: bool = True) -> QuerySet[Offer]:
    """Offers open for booking whose open sessions or stock are all full: a young person
    may still find them and join their waiting list (the catalog lists them after
    `bookable_offers`). Drafts, expired and closed offers are in neither."""
    return Offer.objects.filter(OPEN_FOR_BOOKING).filter(rules.waitlist_only(per_row=per_row))


def offers_open_to_young() -> QuerySet[Offer]:
    """An offer's page for young people: open for booking with a session or stock still
    open, even when full (the waiting list): `bookable_offers` and `full_offers`."""
    return Offer.objects.filter(OPEN_FOR_BOOKING).filter(rules.still_open())


def offers_in_programme(now=None) -> QuerySet[Offer]:
    """The offers of the public programme feeds (offers/feeds.py): those open to young
    people (`offers_open_to_young`, full ones included), and those open for booking
    whose sessions to come are cancelled, even all of them (an offer cancelled as a
    whole), so that the feeds say « cancelled » instead of dropping them. Drafts,
    deactivated offers and venues not validated stay out."""
    now = now or timezone.now()
    return Offer.objects.filter(OPEN_FOR_BOOKING).filter(
        rules.still_open(now) | rules.has_cancelled_session_to_come(now)
    )


def check_may_book(user: User, today: date) -> Beneficiary:
    """Only a young person aged 15 to 18 inclusive on the booking day, with a confirmed
    email, books; the refusal says why."""
    beneficiary = beneficiary_of(user)
    if beneficiary is None:
        raise Refusal(
            "Seuls les jeunes inscrits au pass Culture peuvent réserver.",
            code="booking.not_beneficiary",
        )
    if not user.email_confirmed:
        raise Refusal(
            "Confirme ton adresse électronique avant de réserver.",
            code="account.email_unconfirmed",
        )
    age = beneficiary.age_on(today)
    if not settings.BENEFICIARY_MIN_AGE <= age <= settings.BENEFICIARY_MAX_AGE:
        raise Refusal(
            "Le pass Culture individuel est réservé aux jeunes de 15 à 18 ans : "
            f"tu as {age} ans aujourd'hui.",
            code="booking.age",
        )
    return beneficiary


def credit_refusal(beneficiary: Beneficiary, price_cents: int, today: date) -> Refusal | None:
    """A paid offer needs the credit a booking made `today` draws on (accounts/services/
    beneficiaries.py `credit_on`: what is left plus this age's top-up) to cover its price;
    the refusal says how much is left, and from which age the credit starts."""
    credit = credit_on(beneficiary, today)
    if not price_cents or credit >= price_cents:
        return None
    message = (
        f"Ton crédit pass Culture ne suffit pas pour cette offre : elle coûte "
        f"{euros(price_cents)} et il te reste {euros(credit)}."
    )
    starts_at = credit_not_yet(beneficiary, today)
    if starts_at is not None:
        message += (
            f" Le crédit individuel commence à {starts_at} ans ; d'ici là, les offres "
            "gratuites te restent ouvertes."
        )
    return Refusal(message, code="booking.credit")


def check_credit(beneficiary: Beneficiary, price_cents: int, today: date) -> None:
    """Refuse (`credit_refusal`) when the credit does not cover the price."""
    refusal = credit_refusal(beneficiary, price_cents, today)
    if refusal is not None:
        raise refusal


def age_range_refusal(beneficiary: Beneficiary, offer: Offer, today: date) -> Refusal | None:
    """An offer with an age range (offers/rules.py `fits_age`) is booked only by a young
    person whose age on the booking day lies within it; the refusal names the range and
    the age: « Cette offre est prévue pour les 15–17 ans : tu as 18 ans, … »."""
    age = beneficiary.age_on(today)
    if rules.fits_age(offer, age):
        return None
    ages = age_range_fr(*rules.age_range(offer))
    # « 15–17 ans » → « pour les 15–17 ans »; « Dès 16 ans » → « dès 16 ans ».
    meant_for = f"pour les {ages}" if ages[0].isdigit() else ages[0].lower() + ages[1:]
    return Refusal(
        f"Cette offre est prévue {meant_for} : tu as {age} ans, tu ne peux pas la réserver.",
        code="booking.offer_age",
    )


def check_age_range(beneficiary: Beneficiary, offer: Offer, today: date) -> None:
    """Refuse (`age_range_refusal`) a young person outside the offer's ages."""
    refusal = age_range_refusal(beneficiary, offer, today)
    if refusal is not None:
        raise refusal


def check_may_book_offer(user: User, offer: Offer, today: date) -> Beneficiary:
    """`check_may_book`, the offer's ages (`age_range_refusal`) and the credit for its
    price (`credit_refusal`). The offer page and the waiting list ask it before showing
    an active button (disabled, with this refusal's message, otherwise; outside the ages,
    no button at all); the booking service asks the same, then takes the credit with a
    conditional UPDATE (the authority when two bookings race)."""
    beneficiary = check_may_book(user, today)
    check_age_range(beneficiary, offer, today)
    check_credit(beneficiary, offer.price_cents, today)
    return beneficiary


def booking_refusal(user: User, offer: Offer, today: date) -> Refusal | None:
    """What `check_may_book_offer` would answer, for a page: None when this person may
    book the offer."""
    try:
        check_may_book_offer(user, offer, today)
    except Refusal as exc:
        return exc
    return None


def bookings_of_beneficiary(user: User) -> QuerySet[Booking]:
    """A young person sees their own bookings only."""
    return Booking.objects.filter(beneficiary=user)


def waitlist_entries_of(user: User) -> QuerySet[WaitlistEntry]:
    """A young person sees their own places on waiting lists only."""
    return WaitlistEntry.objects.filter(person=user)


# --- teachers -------------------------------------------------------------------------------


def showcases_for_school(school: School) -> QuerySet[CollectiveShowcase]:
    """Showcases a teacher of the school may see (offers/rules.py: visible_to_school)."""
    return CollectiveShowcase.objects.filter(rules.visible_to_school(school))


def collective_offers_for_school(school: School, now) -> QuerySet[CollectiveOffer]:
    """Bookable offers a teacher of the school may see and pre-book: visible to the
    school, still open, for this school or any school, and free (no active booking)."""
    return CollectiveOffer.objects.filter(
        rules.visible_to_school(school),
        rules.collective_offer_free(),
        Q(school__isnull=True) | Q(school=school),
        booking_limit_at__gt=now,
    )


def check_visible_to_school(obj: CollectiveShowcase | CollectiveOffer, school: School) -> None:
    """Refuse an action on a collective offer the school may not see (the same rule as
    the lists: one query on the object)."""
    if not type(obj).objects.filter(rules.visible_to_school(school), pk=obj.pk).exists():
        raise Refusal(
            "Cette offre n'est pas disponible pour votre établissement.",
            code="collective.not_visible",
        )


def school_bookings(school: School) -> QuerySet[CollectiveBooking]:
    """Collective bookings of the teacher's school (any of its teachers)."""
    return CollectiveBooking.objects.filter(school=school)
