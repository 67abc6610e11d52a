"""The benchmark's scale data (seed_scale) dated as the demo is: sessions at library
hours whatever the hour it runs, nothing validated or cancelled after it ran, the
young people's credit from the one rule (accounts/services/beneficiaries.py)."""

import io
from datetime import datetime, time
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Q

from accounts.models import Beneficiary
from accounts.services.beneficiaries import credit_between
from offers.models import Booking, Offer, Session
from offers.services.next_sessions import stale_offers

pytestmark = pytest.mark.django_db

AFTERNOON = datetime(2026, 12, 5, 15, 0, tzinfo=ZoneInfo("Europe/Paris"))


def test_scale_data_is_dated_like_a_library():
    with mock.patch("django.utils.timezone.now", return_value=AFTERNOON):
        call_command("seed_scale", offers=60, bookings=300, seed=7, stdout=io.StringIO())
    sessions = list(Session.objects.select_related("offer__venue"))
    assert sessions
    for session in sessions:
        local = session.starts_at.astimezone(ZoneInfo(session.offer.venue.time_zone))
        assert time(9) <= local.time() <= time(20), local
    assert Booking.objects.filter(validated_at__isnull=False).exists()
    assert not Booking.objects.filter(Q(validated_at__gt=AFTERNOON) | Q(cancelled_at__gt=AFTERNOON))
    credits = set(Beneficiary.objects.values_list("credit_cents", flat=True))
    assert credits == {credit_between(16, 17)}
    # Bulk inserts send no signal: the seed stores each offer's next bookable session.
    with mock.patch("django.utils.timezone.now", return_value=AFTERNOON):
        assert not stale_offers().exists()
    assert Offer.objects.filter(next_session__isnull=False).exists()
