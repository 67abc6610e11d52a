import io

import pytest
from django.core.management import call_command

from accounts.models import Collectivite, Membership, Status, TerritoryOfficer, Venue
from catalog.categories import SUBCATEGORIES
from offers.models import Booking, BookingStatus, CollectiveBooking, CollectiveShowcase, Offer
from offers.services.closing import validate_due_subscription_bookings

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_covers_the_roles_and_the_catalog():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    counts = (Collectivite.objects.count(), Membership.objects.count(), Offer.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        Collectivite.objects.count(),
        Membership.objects.count(),
        Offer.objects.count(),
    ) == counts
    assert "culture@lyon.demo" in out.getvalue()
    assert Collectivite.objects.filter(status=Status.NEW).exists()
    assert Membership.objects.filter(status=Status.NEW, requested_venue__isnull=False).exists()
    assert TerritoryOfficer.objects.filter(departements__code="69").exists()
    assert {o.subcategory_id for o in Offer.objects.all()} == {s.id for s in SUBCATEGORIES}
    assert set(Booking.objects.values_list("status", flat=True)) == set(BookingStatus.values)
    assert validate_due_subscription_bookings() == 1
    assert set(CollectiveBooking.objects.values_list("status", flat=True)) == {
        "prebooked",
        "booked",
    }
    assert CollectiveShowcase.objects.filter(status="published").exists()


def test_the_demo_venues_are_placed_for_the_distance_sort(db):
    call_command("seed_demo", stdout=io.StringIO())
    assert not Venue.objects.filter(latitude__isnull=True).exists()
    part_dieu = Venue.objects.get(name="Médiathèque de la Part-Dieu")
    assert 45.7 < part_dieu.latitude < 45.8 and 4.8 < part_dieu.longitude < 4.9
