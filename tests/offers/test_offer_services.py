"""Rules of offers, sessions and stock at service level (and the constraints behind)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from offers.models import Offer, OfferStatus, Session, Stock
from offers.services import offers as services
from offers.services import sessions as sessions_svc
from offers.services.offers import OfferData, StockData
from offers.services.sessions import SessionData
from passlib.refusal import Refusal
from tests.factories import make_booking, make_offer, make_session

pytestmark = pytest.mark.django_db


def data(venue, **changes) -> OfferData:
    base = {"venue": venue, "subcategory_id": "RENCONTRE", "title": "Club de lecture"}
    return OfferData(**{**base, **changes})


def in_days(days: float):
    return timezone.now() + timedelta(days=days)


def test_create_event_offer_as_draft_with_category_from_catalog(space, owner):
    offer = services.offer_create(actor=owner, data=data(space["venue"], speaker="Mme Lu"))
    assert offer.status == OfferStatus.DRAFT
    assert offer.category_id == "CONFERENCE"
    assert offer.speaker == "Mme Lu"
    assert not Stock.objects.filter(offer=offer).exists()


def test_create_physical_offer_gets_its_stock(space, owner):
    offer = services.offer_create(
        actor=owner,
        data=data(space["venue"], subcategory_id="ABO_BIBLIOTHEQUE", title="Carte"),
        stock=StockData(quantity=None),
    )
    assert offer.category_id == "LIVRE"
    assert offer.stock.quantity is None


def test_extra_fields_of_other_subcategories_are_cleared(space, owner):
    offer = services.offer_create(
        actor=owner,
        data=data(space["venue"], subcategory_id="VISITE", speaker="X", director="Y", visa="123"),
    )
    assert (offer.speaker, offer.director, offer.visa) == ("", "", "")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"subcategory_id": "LIVRE_PAPIER"}, "subcategory", "n'existe pas"),
        ({"price_cents": 30_001}, "price", "entre 0 et 300"),
        ({"price_cents": -1}, "price", "entre 0 et 300"),
        ({"title": "x" * 91}, "title", "90 caractères"),
        ({"title": "   "}, "title", "obligatoire"),
    ],
)
def test_invalid_offers_are_refused_and_nothing_is_written(space, owner, changes, field, message):
    with pytest.raises(ValidationError) as exc:
        services.offer_create(actor=owner, data=data(space["venue"], **changes))
    assert message in " ".join(exc.value.message_dict[field])
    assert not Offer.objects.exists()


def test_price_bounds_are_inclusive(space, owner):
    assert services.offer_create(actor=owner, data=data(space["venue"], price_cents=0)).is_free
    offer = services.offer_create(actor=owner, data=data(space["venue"], price_cents=30_000))
    assert offer.price_euros == "300 €"


def test_database_refuses_a_pair_outside_the_table_and_a_price_above_300(space):
    venue = space["venue"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.create(
            venue=venue, category_id="LIVRE", subcategory_id="SEANCE_CINE", title="x"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.create(
            venue=venue,
            category_id="CONFERENCE",
            subcategory_id="RENCONTRE",
            title="x",
            price_cents=30_001,
        )


# --- sessions ----------------------------------------------------------------------------


def test_session_booking_limit_defaults_to_the_start(space, owner):
    offer = make_offer(space["venue"])
    start = in_days(3)
    session = sessions_svc.session_add(actor=owner, offer=offer, data=SessionData(starts_at=start))
    assert session.booking_limit_at == start


@pytest.mark.parametrize(
    ("session_data", "field", "message"),
    [
        ({"starts_at": in_days(-1)}, "starts_at", "dans le futur"),
        (
            {"starts_at": in_days(3), "total_places": 10, "quota": 11},
            "quota",
            "ne peut pas dépasser",
        ),
        ({"starts_at": in_days(3), "booking_limit_at": in_days(4)}, "booking_limit_at", "précéder"),
        ({"starts_at": in_days(3), "total_places": -2}, "total_places", "négatif"),
    ],
)
def test_invalid_sessions_are_refused(space, owner, session_data, field, message):
    offer = make_offer(space["venue"])
    with pytest.raises(ValidationError) as exc:
        sessions_svc.session_add(actor=owner, offer=offer, data=SessionData(**session_data))
    assert message in " ".join(exc.value.message_dict[field])
    assert not Session.objects.exists()


def test_quota_equal_to_places_is_accepted(space, owner):
    offer = make_offer(space["venue"])
    session = sessions_svc.session_add(
        actor=owner, offer=offer, data=SessionData(starts_at=in_days(2), total_places=8, quota=8)
    )
    assert session.capacity == 8


def test_sessions_only_for_event_offers(space, owner):
    offer = make_offer(space["venue"], "ESCAPE_GAME")
    with pytest.raises(Refusal):
        sessions_svc.session_add(actor=owner, offer=offer, data=SessionData(starts_at=in_days(2)))


def test_places_never_go_below_bookings(space, owner):
    offer = make_offer(space["venue"])
    session = make_session(offer, total_places=10, quota=5)
    for _ in range(4):
        make_booking(offer, session=session)
    with pytest.raises(ValidationError) as exc:
        sessions_svc.session_update(
            actor=owner,
            session=session,
            data=SessionData(starts_at=session.starts_at, total_places=10, quota=3),
        )
    assert "a déjà 4 places réservées" in exc.value.message_dict["quota"][0]
    session.refresh_from_db()
    assert session.quota == 5
    # equal to the bookings is fine
    sessions_svc.session_update(
        actor=owner,
        session=session,
        data=SessionData(starts_at=session.starts_at, total_places=4),
    )
    session.refresh_from_db()
    assert (session.total_places, session.quota) == (4, None)


def test_stock_quantity_never_goes_below_bookings(space, owner):
    offer = make_offer(space["venue"], "ESCAPE_GAME", quantity=5, price_cents=500)
    make_booking(offer)
    make_booking(offer)
    d = data(space["venue"], subcategory_id="ESCAPE_GAME", title="Escape", price_cents=500)
    with pytest.raises(ValidationError) as exc:
        services.offer_update(actor=owner, offer=offer, data=d, stock=StockData(quantity=1))
    assert "2 réservations sont déjà faites" in exc.value.message_dict["quantity"][0]
    offer.stock.refresh_from_db()
    assert offer.stock.quantity == 5


def test_database_refuses_overbooking_and_quota_above_places(space):
    offer = make_offer(space["venue"])
    session = make_session(offer, total_places=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(booked_count=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(quota=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(
            booking_limit_at=session.starts_at + timedelta(hours=1)
        )


def test_session_with_bookings_cannot_be_removed(space, owner):
    offer = make_offer(space["venue"])
    session = make_session(offer)
    make_booking(offer, session=session)
    with pytest.raises(Refusal, match="réservations"):
        sessions_svc.session_remove(actor=owner, session=session)
    assert Session.objects.filter(pk=session.pk).exists()
    empty = make_session(offer)
    sessions_svc.session_remove(actor=owner, session=empty)
    assert not Session.objects.filter(pk=empty.pk).exists()


# --- lifecycle ---------------------------------------------------------------------------


def test_publish_needs_a_future_session(space, owner):
    offer = make_offer(space["venue"], status=OfferStatus.DRAFT)
    with pytest.raises(Refusal, match="séance à venir"):
        services.offer_publish(actor=owner, offer=offer)
    make_session(offer)
    services.offer_publish(actor=owner, offer=offer)
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.PUBLISHED
    with pytest.raises(Refusal, match="déjà publiée"):
        services.offer_publish(actor=owner, offer=offer)


def test_deactivate_then_reactivate(space, owner):
    offer = make_offer(space["venue"])
    make_session(offer)
    services.offer_deactivate(actor=owner, offer=offer)
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.DEACTIVATED
    with pytest.raises(Refusal):
        services.offer_deactivate(actor=owner, offer=offer)
    services.offer_publish(actor=owner, offer=offer)
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.PUBLISHED


def test_offer_with_bookings_cannot_be_deleted(space, owner):
    offer = make_offer(space["venue"])
    session = make_session(offer)
    make_booking(
        offer,
        session=session,
        status="cancelled",
        cancelled_at=timezone.now(),
        cancellation_reason="beneficiary",
    )
    with pytest.raises(Refusal, match="désactiver"):
        services.offer_delete(actor=owner, offer=offer)
    assert Offer.objects.filter(pk=offer.pk).exists()


def test_offer_without_bookings_is_deleted(space, owner):
    offer = make_offer(space["venue"])
    make_session(offer)
    services.offer_delete(actor=owner, offer=offer)
    assert not Offer.objects.exists()


def test_duplicate_is_a_draft_with_future_sessions_and_no_bookings(space, owner):
    offer = make_offer(space["venue"], title="x" * 90)
    future = make_session(offer, total_places=10, quota=4)
    make_session(offer, days=-2, limit_days=-3)
    make_booking(offer, session=future)
    copy = services.offer_duplicate(actor=owner, offer=offer)
    assert copy.pk != offer.pk
    assert copy.status == OfferStatus.DRAFT
    assert copy.title.endswith("(copie)") and len(copy.title) <= 90
    sessions = list(copy.sessions.all())
    assert [(s.total_places, s.quota, s.booked_count) for s in sessions] == [(10, 4, 0)]


def test_duplicates_are_numbered_like_a_file_managers_copies(space, owner, other_space):
    """Two duplicates of one offer are « … (copie) » and « … (copie 2) », a copy of a copy
    too; another venue's titles do not count (issue 27)."""
    offer = make_offer(space["venue"], title="Atelier d'écriture")
    elsewhere = make_offer(other_space["venue"], title="Atelier d'écriture (copie)")
    first = services.offer_duplicate(actor=owner, offer=offer)
    second = services.offer_duplicate(actor=owner, offer=offer)
    third = services.offer_duplicate(actor=owner, offer=second)
    assert [first.title, second.title, third.title] == [
        "Atelier d'écriture (copie)",
        "Atelier d'écriture (copie 2)",
        "Atelier d'écriture (copie 3)",
    ]
    assert elsewhere.title == "Atelier d'écriture (copie)"
    long = make_offer(space["venue"], title="x" * 90)
    titles = [services.offer_duplicate(actor=owner, offer=long).title for _ in range(3)]
    assert titles == ["x" * 82 + " (copie)", "x" * 80 + " (copie 2)", "x" * 80 + " (copie 3)"]


def test_offer_type_cannot_change_once_it_has_sessions(space, owner):
    offer = make_offer(space["venue"])
    make_session(offer)
    with pytest.raises(ValidationError) as exc:
        services.offer_update(
            actor=owner, offer=offer, data=data(space["venue"], subcategory_id="ESCAPE_GAME")
        )
    assert "ne peut plus changer" in exc.value.message_dict["subcategory"][0]
    assert Offer.objects.get(pk=offer.pk).subcategory_id == "RENCONTRE"
