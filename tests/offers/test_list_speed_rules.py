"""The rules behind the list pages' speed (docs/performance.md).

Each faster path must give what the plain one gives: the display status read per row or
hashed, rows escaped and linked, one query for the roles and the venues, local days
compared as instants. The PostgreSQL tests check the
query shapes the benchmark relies on, on enough rows for the planner to choose.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.policy import (
    managed_venue_ids,
    managed_venue_labels,
    roles_of,
    venue_choices,
    venues_managed_by,
)
from offers import selectors
from offers.models import Booking, Offer, OfferStatus
from offers.services import bookings as booking_services
from tests.factories import (
    make_beneficiary,
    make_booking,
    make_offer,
    make_session,
    offers_in_every_status,
)

pytestmark = pytest.mark.django_db


def test_display_status_is_the_same_read_per_row_or_hashed(space):
    expected = offers_in_every_status(space)

    def statuses(per_row: bool) -> dict[str, str]:
        qs = selectors.with_display_status(Offer.objects.all(), per_row=per_row)
        return dict(qs.values_list("title", "display_status"))

    assert statuses(per_row=True) == statuses(per_row=False) == expected


def test_bookable_offers_are_the_same_read_per_row_or_hashed(space):
    offers_in_every_status(space)

    def titles(per_row: bool) -> set[str]:
        qs = selectors.catalog(selectors.CatalogFilters(), per_row=per_row)
        return set(qs.values_list("title", flat=True))

    assert titles(per_row=True) == titles(per_row=False) == {"Publiée", "Abonnement"}


def test_list_rows_escape_what_people_typed(login, space, owner):
    venue = space["venue"]
    venue.public_name = 'Médiathèque "<b>Nord</b>"'
    venue.save()
    offer = make_offer(venue, title="<script>alert(1)</script>")
    session = make_session(offer, total_places=5)
    young = make_beneficiary(first_name="<img src=x onerror=alert(1)>", last_name="O'Brien & fils")
    booking_services.booking_create(user=young, offer=offer, session=session)
    client = login(owner)
    for url in ("/offres/", "/reservations/", "/jeunes/offres/"):
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert "<b>Nord</b>" not in html and "&quot;&lt;b&gt;Nord&lt;/b&gt;&quot;" in html, url
    html = client.get("/reservations/").content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "O&#x27;Brien &amp; fils" in html


def test_cancel_form_of_a_row_passes_the_csrf_check(space, owner):
    offer = make_offer(space["venue"], title="Atelier")
    booking = booking_services.booking_create(
        user=make_beneficiary(), offer=offer, session=make_session(offer, total_places=5)
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    html = client.get("/reservations/").content.decode()
    action = reverse("offers:booking_cancel_by_venue", args=[booking.public_id])
    form = re.search(rf'<form method="post" action="{re.escape(action)}">(.*?)</form>', html)
    assert form, "the row carries its cancel form"
    # Post what the form holds, as a browser would: its hidden field (the token) too.
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]+)"', form.group(1)))
    assert len(hidden) == 1, "the form carries the CSRF token"
    response = client.post(action, {**hidden, "comment": "Fermeture"})
    assert response.status_code == 302
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"


def test_rows_link_to_the_pages_reverse_gives(login, space, owner):
    """Rows are rendered by templates ({% url %}); each links to its own page."""
    offer = make_offer(space["venue"], title="Atelier")
    make_session(offer, total_places=5)
    offer.status = OfferStatus.PUBLISHED
    offer.save()
    client = login(owner)
    assert (
        reverse("offers:detail", args=[offer.public_id]) in client.get("/offres/").content.decode()
    )
    catalog = client.get("/jeunes/offres/").content.decode()
    assert reverse("offers:catalog_offer", args=[offer.public_id]) in catalog


def test_roles_and_managed_venues_are_read_in_one_query(space, owner, officer):
    venue = space["venue"]
    venue.public_name = "Médiathèque du Nord"
    venue.save()
    user = User.objects.get(pk=owner.pk)  # nothing cached yet
    with CaptureQueriesContext(connection) as ctx:
        roles = roles_of(user)
        ids = managed_venue_ids(user)
        choices = venue_choices(user)
        labels = managed_venue_labels(user)
    assert len(ctx) == 1
    assert roles == {"member": True, "officer": False, "teacher": False, "beneficiary": False}
    managed = list(venues_managed_by(user).order_by("name", "id"))
    assert ids == sorted(v.pk for v in managed)
    assert choices == [(v.pk, v.name) for v in managed]
    assert labels[venue.pk] == ("Médiathèque du Nord", venue.time_zone)

    officer = User.objects.get(pk=officer.pk)
    with CaptureQueriesContext(connection) as ctx:
        assert roles_of(officer)["officer"] and managed_venue_ids(officer) == []
    assert len(ctx) == 1


def test_booking_dates_are_local_days_compared_as_instants(space, owner):
    offer = make_offer(space["venue"], "ESCAPE_GAME", title="Escape")
    paris = ZoneInfo("Europe/Paris")
    late = make_booking(offer, beneficiary=make_beneficiary())
    early = make_booking(offer, beneficiary=make_beneficiary())
    Booking.objects.filter(pk=late.pk).update(booked_at=datetime(2026, 3, 9, 23, 30, tzinfo=paris))
    Booking.objects.filter(pk=early.pk).update(booked_at=datetime(2026, 3, 10, 0, 10, tzinfo=paris))

    def codes(**filters) -> set[str]:
        qs = selectors.booking_list(owner, selectors.BookingFilters(**filters))
        return set(qs.values_list("code", flat=True))

    with timezone.override(paris):
        assert codes(booked_from=date(2026, 3, 10)) == {early.code}
        assert codes(booked_to=date(2026, 3, 9)) == {late.code}
        assert codes(booked_from=date(2026, 3, 9), booked_to=date(2026, 3, 10)) == {
            late.code,
            early.code,
        }
        sql = str(
            selectors.booking_list(
                owner,
                selectors.BookingFilters(
                    booked_from=date(2026, 3, 9),
                    booked_to=date(2026, 3, 10),
                    event_from=date(2026, 3, 9),
                    event_to=date(2026, 3, 10),
                ),
            ).query
        )
    # The column itself is compared (an index can serve it), not a date cast of it.
    assert "AT TIME ZONE" not in sql and "cast_date" not in sql


# --- query shapes on PostgreSQL --------------------------------------------------------------


def _scale(offers: int, bookings: int) -> User:
    call_command("seed_scale", offers=offers, bookings=bookings, seed=7, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return User.objects.get(email="admin-0@passlib.bench")


@pytest.mark.postgres
def test_pages_of_offers_probe_sessions_per_row_where_counts_hash_them():
    admin = _scale(offers=2000, bookings=2000)
    page = selectors.offer_list(admin, selectors.OfferFilters())[:20].explain()
    catalog = selectors.catalog(selectors.CatalogFilters())[:20].explain()
    assert "hashed SubPlan" not in page
    assert "hashed SubPlan" not in catalog
    # Without the per-row form, the planner reads every open session and stock to build
    # a hash for a page of 20: what the rule avoids.
    hashed = selectors.catalog(selectors.CatalogFilters(), per_row=False)[:20]
    assert "hashed SubPlan" in hashed.explain()


@pytest.mark.postgres
def test_a_venue_status_and_date_page_of_bookings_is_one_index_range():
    admin = _scale(offers=200, bookings=20000)
    venue = managed_venue_ids(admin)[1]
    since = timezone.localdate() - timedelta(days=30)
    qs = selectors.booking_list(
        admin, selectors.BookingFilters(venue=venue, status="validated", booked_from=since)
    )
    lines = qs[:25].explain().splitlines()
    at = next(i for i, line in enumerate(lines) if "booking_venue_status_booked" in line)
    assert "Index Cond" in lines[at + 1] and "booked_at >=" in lines[at + 1], lines
