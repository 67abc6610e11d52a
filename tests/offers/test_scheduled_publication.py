"""Scheduled publication (issue 19, point 3): an offer appears to young people at its
publication instant and takes bookings from its opening instant, derived from time (no
job), typed in the venue's time zone — overseas included."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from offers import policy
from offers.forms import OfferForm
from offers.models import Booking, Offer
from offers.services.bookings import booking_create
from passlib.refusal import Refusal
from tests.factories import VenueFactory, make_beneficiary, make_offer, make_session

pytestmark = pytest.mark.django_db


def _set(offer, **instants):
    Offer.objects.filter(pk=offer.pk).update(**instants)
    offer.refresh_from_db()


def _visible(offer) -> bool:
    return policy.offers_open_to_young().filter(pk=offer.pk).exists()


@pytest.mark.parametrize("tz", ["Europe/Paris", "Pacific/Noumea", "America/Cayenne"])
def test_an_offer_appears_one_second_after_its_publication_not_before(space, tz, client):
    venue = VenueFactory(collectivite=space["collectivite"], time_zone=tz)
    offer = make_offer(venue, "ATELIER_PRATIQUE_ART", title="Atelier du samedi")
    make_session(offer, days=5, total_places=10)
    young = make_beneficiary(17)
    page = reverse("offers:catalog_offer", args=[offer.public_id])

    instant = timezone.now() + timedelta(seconds=1)
    _set(offer, publish_at=instant)
    assert not _visible(offer) and not policy.is_open_for_booking(offer)
    assert client.get(page).status_code == 404
    assert "Atelier du samedi" not in client.get(reverse("offers:catalog")).content.decode()
    with pytest.raises(Refusal, match="pas disponible"):
        booking_create(user=young, offer=offer, session=offer.sessions.get())

    # Time passes (nothing is written: the instant is derived from the clock, and the
    # catalog's cached count knows it holds only until the next publication).
    time.sleep(max(0.0, (instant + timedelta(seconds=1) - timezone.now()).total_seconds()))
    assert _visible(offer) and policy.is_open_for_booking(offer)
    assert client.get(page).status_code == 200
    assert "Atelier du samedi" in client.get(reverse("offers:catalog")).content.decode()
    assert booking_create(user=young, offer=offer, session=offer.sessions.get()).pk


def test_bookings_open_one_second_after_their_instant_not_before(space, client):
    offer = make_offer(space["venue"], "ESCAPE_GAME", title="Escape game", quantity=5)
    young = make_beneficiary(17)
    _set(offer, booking_opens_at=timezone.now() + timedelta(seconds=1))
    assert _visible(offer)  # it shows…
    client.force_login(young, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get(reverse("offers:catalog_offer", args=[offer.public_id])).content.decode()
    assert "Les réservations ouvrent le" in html and ">Réserver</button>" not in html
    with pytest.raises(Refusal, match="ouvrent le") as refused:  # …but is not bookable
        booking_create(user=young, offer=offer)
    assert refused.value.code == "booking.not_open_yet"
    assert not Booking.objects.exists()
    _set(offer, booking_opens_at=timezone.now() - timedelta(seconds=1))
    assert booking_create(user=young, offer=offer).pk


def test_the_instants_are_typed_in_the_venues_time_zone(space):
    noumea = VenueFactory(collectivite=space["collectivite"], time_zone="Pacific/Noumea")
    form = OfferForm(
        data={
            "venue": noumea.pk,
            "subcategory": "RENCONTRE",
            "title": "Club de lecture",
            "price": "0",
            "publish_at": "2026-12-02T09:00",
            "booking_opens_at": "2026-12-03T09:00",
        },
        venues=type(noumea).objects.filter(pk=noumea.pk),
    )
    assert form.is_valid(), form.errors
    data, _ = form.to_data()
    # 09:00 in Nouméa (UTC+11) is 22:00 UTC the day before.
    assert data.publish_at == datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
    assert data.booking_opens_at == datetime(2026, 12, 2, 22, 0, tzinfo=UTC)


def test_the_edit_form_shows_the_instants_at_the_venue(space, owner, login):
    reunion = VenueFactory(collectivite=space["collectivite"], time_zone="Indian/Reunion")
    offer = make_offer(reunion, "RENCONTRE", title="Rencontre")
    _set(offer, publish_at=datetime(2026, 12, 2, 5, 0, tzinfo=UTC))  # 09:00 at La Réunion
    html = login(owner).get(reverse("offers:edit", args=[offer.public_id])).content.decode()
    assert 'value="2026-12-02T09:00"' in html


def test_the_public_feed_lists_a_scheduled_offer_only_once_published(space, client):
    offer = make_offer(space["venue"], "RENCONTRE", title="Programmée")
    make_session(offer, days=5)
    _set(offer, publish_at=timezone.now() + timedelta(hours=1))
    url = reverse(
        "offers:programme", args=["collectivite", space["collectivite"].public_id, "json"]
    )
    assert "Programmée" not in client.get(url).content.decode()
    _set(offer, publish_at=timezone.now() - timedelta(seconds=1))
    assert "Programmée" in client.get(url).content.decode()
