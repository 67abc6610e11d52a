from __future__ import annotations

import factory
from django.utils import timezone
from stdnum import luhn

from accounts.models import (
    Collectivite,
    Membership,
    OfficerDepartement,
    Role,
    Status,
    TerritoryOfficer,
    User,
    Venue,
)

PASSWORD = "un-mot-de-passe-solide-2026"


def valid_siret(n: int, nic: str = "0001") -> str:
    """A SIRET with correct Luhn keys, distinct for each n (SIREN starting with 21)."""
    prefix = f"21{n:06d}"
    siren = prefix + luhn.calc_check_digit(prefix)
    base = siren + nic
    return base + luhn.calc_check_digit(base)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    email_confirmed_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CollectiviteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collectivite

    siret = factory.Sequence(lambda n: valid_siret(n + 1000))
    siren = factory.LazyAttribute(lambda o: o.siret[:9])
    name = factory.Sequence(lambda n: f"Commune {n}")
    address = "1 place de la Mairie"
    postal_code = "69001"
    city = "Lyon"
    departement = "69"
    legal_category_code = "7210"
    legal_category_label = "Commune et commune nouvelle"
    ape_code = "84.11Z"
    is_collectivite = True
    sirene_verified = True
    status = Status.VALIDATED


def _point(venue):
    from accounts.geo import Point, locate

    return locate(venue.city, venue.departement) or Point(None, None)


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    collectivite = factory.SubFactory(CollectiviteFactory)
    name = factory.Sequence(lambda n: f"Médiathèque {n}")
    address = "2 rue des Livres"
    postal_code = factory.LazyAttribute(lambda o: o.collectivite.postal_code)
    city = factory.LazyAttribute(lambda o: o.collectivite.city)
    departement = factory.LazyAttribute(lambda o: o.collectivite.departement)
    latitude = factory.LazyAttribute(lambda o: _point(o).latitude)
    longitude = factory.LazyAttribute(lambda o: _point(o).longitude)
    siret_comment = "Lieu sans SIRET : dépend du SIRET de la collectivité"
    booking_email = factory.Sequence(lambda n: f"reservations{n}@exemple.fr")
    status = Status.VALIDATED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    collectivite = factory.SubFactory(CollectiviteFactory)
    role = Role.ADMIN
    status = Status.VALIDATED

    @factory.post_generation
    def venues(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.venues.set(extracted)


def make_officer(*codes: str, **user_fields) -> User:
    user = UserFactory(**user_fields)
    officer = TerritoryOfficer.objects.create(
        user=user, public_email=f"public.{user.email}", public_phone="01 02 03 04 05"
    )
    for code in codes:
        OfficerDepartement.objects.create(officer=officer, code=code)
    return user


# --- offers -----------------------------------------------------------------------------


def make_offer(
    venue,
    subcategory_id="RENCONTRE",
    *,
    status="published",
    price_cents=0,
    title="Club de lecture",
    quantity=None,
    **fields,
):
    """An offer of the venue; a physical one gets its stock."""
    from catalog.categories import get_subcategory
    from offers.models import Offer, Stock

    sub = get_subcategory(subcategory_id)
    offer = Offer.objects.create(
        venue=venue,
        category_id=sub.category.id,
        subcategory_id=sub.id,
        title=title,
        status=status,
        price_cents=price_cents,
        **fields,
    )
    if not sub.is_event:
        Stock.objects.create(offer=offer, quantity=quantity)
    return offer


def make_session(offer, *, days=7, total_places=None, quota=None, booked=0, limit_days=None):
    from datetime import timedelta

    from offers.models import Session
    from offers.services import next_sessions

    start = timezone.now() + timedelta(days=days)
    limit = start if limit_days is None else timezone.now() + timedelta(days=limit_days)
    session = Session.objects.create(
        offer=offer,
        starts_at=start,
        total_places=total_places,
        quota=quota,
        booking_limit_at=limit,
        booked_count=booked,
    )
    # A test's transaction never commits: store the offer's next session now, as the
    # service does once a write commits (offers/services/next_sessions.py).
    next_sessions.refresh([offer.pk])
    return session


_codes = iter(
    a + b + c + d for a in "ABCDEFGH" for b in "JKMNPQRS" for c in "TUVWXYZ2" for d in "3456789A"
)


def make_booking(offer, *, session=None, beneficiary=None, status="confirmed", **fields):
    """A booking row, counting the place on its session or stock like the service does."""
    from django.db.models import F

    from offers.models import Booking, Session, Stock
    from offers.services import next_sessions

    stock = None if session is not None else offer.stock
    booking = Booking.objects.create(
        code="XX" + next(_codes),
        offer=offer,
        venue=offer.venue,
        session=session,
        stock=stock,
        beneficiary=beneficiary or UserFactory(),
        price_cents=offer.price_cents,
        status=status,
        **fields,
    )
    if status != "cancelled":
        target = (
            Session.objects.filter(pk=session.pk) if session else Stock.objects.filter(pk=stock.pk)
        )
        target.update(booked_count=F("booked_count") + 1)
        next_sessions.refresh([offer.pk])
    return booking


def birth_date_for_age(age: int, *, days_to_birthday: int | None = None):
    """A birth date giving `age` today; with days_to_birthday, the next birthday is that far."""
    from datetime import timedelta

    today = timezone.localdate()
    if days_to_birthday is not None:
        upcoming = today + timedelta(days=days_to_birthday)
        return upcoming.replace(year=upcoming.year - age - 1)
    return (today - timedelta(days=1)).replace(year=today.year - 1 - age + 1)


def make_beneficiary(age: int = 16, *, credit_cents: int | None = None, **user_fields):
    from django.conf import settings

    from accounts.models import Beneficiary

    user = UserFactory(**user_fields)
    Beneficiary.objects.create(
        user=user,
        birth_date=birth_date_for_age(age),
        credit_age=age,
        credit_cents=settings.BENEFICIARY_CREDIT_BY_AGE.get(age, 0)
        if credit_cents is None
        else credit_cents,
    )
    return user


# --- collective ---------------------------------------------------------------------------


def make_school(digits: str = "0690001", name: str = "Collège Jean Moulin", city: str = "Lyon"):
    from accounts.models import School
    from accounts.uai import departement_from_uai, uai_check_letter

    uai = digits + uai_check_letter(digits)
    return School.objects.create(
        uai=uai, name=name, city=city, departement=departement_from_uai(uai)
    )


def make_teacher(school, **user_fields):
    from accounts.models import Teacher

    user = UserFactory(**user_fields)
    Teacher.objects.create(user=user, school=school)
    return user


def _collective_fields(venue, **fields):
    from catalog.categories import get_subcategory

    sub = get_subcategory(fields.pop("subcategory_id", "RENCONTRE"))
    base = {
        "venue": venue,
        "category_id": sub.category.id,
        "subcategory_id": sub.id,
        "title": "Club de lecture en classe",
        "intervention_area": f",{venue.departement},",
        "contact_email": "contact@mediatheque.fr",
        "status": "published",
        "domains": ",livre_lecture,",
        "school_levels": ",college_6e,college_5e,",
    }
    return {**base, **fields}


def make_showcase(venue, **fields):
    from offers.models import CollectiveShowcase

    return CollectiveShowcase.objects.create(**_collective_fields(venue, **fields))


def make_collective_offer(venue, *, days=60, hours=2, **fields):
    from datetime import timedelta

    from offers.models import CollectiveOffer

    start = timezone.now() + timedelta(days=days)
    fields.setdefault("starts_at", start)
    fields.setdefault("ends_at", fields["starts_at"] + timedelta(hours=hours))
    fields.setdefault("booking_limit_at", fields["starts_at"] - timedelta(days=1))
    fields.setdefault("students", 25)
    fields.setdefault("price_cents", 15000)
    return CollectiveOffer.objects.create(**_collective_fields(venue, **fields))


def offers_in_every_status(space) -> dict[str, str]:
    """One offer in each display status (title → expected status) in `space`."""
    from accounts.models import Status
    from offers.models import DisplayStatus, OfferStatus

    venue = space["venue"]
    make_offer(venue, status=OfferStatus.DRAFT, title="Brouillon")
    make_session(make_offer(venue, title="Publiée"), total_places=10)
    full = make_offer(venue, title="Complète")
    make_booking(full, session=make_session(full, total_places=1))
    make_session(make_offer(venue, title="Expirée"), days=-1, limit_days=-2)
    make_offer(venue, "ABO_BIBLIOTHEQUE", title="Abonnement")
    empty_stock = make_offer(venue, "ABO_BIBLIOTHEQUE", title="Stock épuisé", quantity=1)
    make_booking(empty_stock)
    pending = VenueFactory(collectivite=space["collectivite"], status=Status.NEW)
    make_session(make_offer(pending, title="En attente"))
    make_offer(venue, status=OfferStatus.DEACTIVATED, title="Désactivée")
    return {
        "Brouillon": DisplayStatus.DRAFT,
        "Publiée": DisplayStatus.PUBLISHED,
        "Complète": DisplayStatus.SOLD_OUT,
        "Expirée": DisplayStatus.EXPIRED,
        "Abonnement": DisplayStatus.PUBLISHED,
        "Stock épuisé": DisplayStatus.SOLD_OUT,
        "En attente": DisplayStatus.AWAITING,
        "Désactivée": DisplayStatus.DEACTIVATED,
    }


def past_its_cancellation_deadline(booking):
    """Backdate an event booking by three days: the young person can no longer cancel
    it, so the guichet may validate it (offers/rules.py `validation_opens_at`)."""
    from datetime import timedelta

    from offers.models import Booking

    Booking.objects.filter(pk=booking.pk).update(booked_at=timezone.now() - timedelta(days=3))
    booking.refresh_from_db()
    return booking
