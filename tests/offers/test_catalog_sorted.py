"""The catalogue sorted by date and nearest first, read from their indexes
(docs/performance.md « Issue 29 »): the same pages as the plain order, and on
PostgreSQL plans that use the indexes and read as much at two sizes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.geo import Point
from accounts.models import Venue
from accounts.positions import DistanceFrom, VenuePosition, mercator
from catalog.categories import get_subcategory
from offers import selectors
from offers.models import Offer, Session
from offers.selectors import CatalogFilters, CatalogList
from offers.services import next_sessions
from offers.services.bookings import booking_create
from passlib.refusal import Refusal
from tests.factories import (
    CollectiviteFactory,
    VenueFactory,
    make_beneficiary,
    make_offer,
    make_session,
)

pytestmark = pytest.mark.django_db

LYON = Point(45.764, 4.8357)


def page_titles(filters: CatalogFilters, page: slice = slice(0, 20)) -> list[str]:
    count = selectors.catalog_counts(filters)["bookable"]
    parts = CatalogList(filters, bookable_count=count)[page]
    return [row["title"] for row in selectors.catalog_page_rows(parts, near=filters.near)]


def add_offers(venue, n: int, *, first_day: int = 1) -> None:
    """`n` bookable events of `venue`, one session each, the twin stored (as after a bulk
    load: offers/services/next_sessions.py `reconcile`)."""
    sub = get_subcategory("RENCONTRE")
    offers = Offer.objects.bulk_create(
        Offer(
            venue=venue,
            category_id=sub.category.id,
            subcategory_id=sub.id,
            title=f"{venue.name} {i}",
            status="published",
            price_cents=0,
        )
        for i in range(n)
    )
    now = timezone.now()
    Session.objects.bulk_create(
        Session(
            offer=offer,
            starts_at=now + timedelta(days=first_day + i, hours=1),
            booking_limit_at=now + timedelta(days=first_day + i),
            total_places=10,
        )
        for i, offer in enumerate(offers)
    )
    next_sessions.reconcile()


def test_cards_read_the_stored_next_session(space):
    offer = make_offer(space["venue"], title="Atelier")
    make_session(offer, days=3, total_places=5, booked=2)
    make_session(offer, days=1, total_places=4, booked=4)  # full: not the next bookable one
    (card,) = selectors.catalog_rows(selectors.catalog(CatalogFilters(sort="date")))
    assert card["places"] == "3 places restantes"
    start = timezone.localtime(timezone.now() + timedelta(days=3)).strftime("%-d")
    assert card["when"].startswith("Prochaine date : ") and start in card["when"]


def test_a_stored_session_closed_since_the_refresh_is_shown_and_refused(space):
    """docs/decisions.md: shown until the periodic refresh, booking it refused; an offer
    left with no open session drops out at once (the per-row check)."""
    offer = make_offer(space["venue"], title="Atelier")
    session = make_session(offer, days=2, total_places=5)
    make_session(offer, days=20, total_places=5)
    Session.objects.filter(pk=session.pk).update(booking_limit_at=timezone.now())
    (card,) = selectors.catalog_rows(selectors.catalog(CatalogFilters(sort="date")))
    day = timezone.localtime(session.starts_at).day
    assert card["when"].startswith("Prochaine date : ") and f" {day} " in card["when"]
    session.refresh_from_db()
    with pytest.raises(Refusal) as refused:
        booking_create(user=make_beneficiary(), offer=offer, session=session)
    assert refused.value.code == "booking.closed"


def test_sorted_by_date_from_the_stored_next_session(space):
    later = make_offer(space["venue"], title="Plus tard")
    make_session(later, days=9)
    soon = make_offer(space["venue"], title="Bientôt")
    make_session(soon, days=2)
    # The stored twin orders: an offer whose stored date is later comes later.
    Offer.objects.filter(pk=soon.pk).update(next_session_at=timezone.now() + timedelta(days=30))
    assert page_titles(CatalogFilters(sort="date")) == ["Plus tard", "Bientôt"]


def nearest_space():
    """Venues in Lyon (one offer), Villeurbanne (25), Grenoble (25)."""
    venues = {}
    for city, dep, postal in [
        ("Lyon", "69", "69001"),
        ("Villeurbanne", "69", "69100"),
        ("Grenoble", "38", "38000"),
    ]:
        collectivite = CollectiviteFactory(city=city, departement=dep, postal_code=postal)
        venues[city] = VenueFactory(collectivite=collectivite, name=city)
    add_offers(venues["Lyon"], 1)
    add_offers(venues["Villeurbanne"], 25)
    add_offers(venues["Grenoble"], 25)
    return venues


def test_nearest_first_pages_are_the_plain_order(db):
    nearest_space()
    filters = CatalogFilters(sort="distance", near=LYON)
    plain = list(selectors.catalog(filters).values_list("title", flat=True))
    assert plain[0] == "Lyon 0" and plain[1].startswith("Villeurbanne")
    # The nearest venue holds one offer: the page is read among more venues.
    assert page_titles(filters) == plain[:20]
    assert page_titles(filters, slice(20, 40)) == plain[20:40]


@pytest.mark.postgres
def test_the_stored_point_is_mercator_as_in_python(db):
    venue = VenueFactory(collectivite=CollectiviteFactory())
    for lat, lon in [(45.76, 4.84), (-21.11, 55.53), (-17.53, -149.57), (89.99, 0.0)]:
        Venue.objects.filter(pk=venue.pk).update(latitude=lat, longitude=lon)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT mercator_point[0], mercator_point[1] FROM accounts_venue WHERE id = %s",
                [venue.pk],
            )
            assert cursor.fetchone() == pytest.approx(mercator(Point(lat, lon)))
    Venue.objects.filter(pk=venue.pk).update(latitude=None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT mercator_point FROM accounts_venue WHERE id = %s", [venue.pk])
        assert cursor.fetchone() == (None,)


def analyze() -> None:
    with connection.cursor() as cursor:
        for table in ("offers_offer", "offers_session", "offers_stock", "accounts_venue"):
            cursor.execute(f"ANALYZE {table}")


def scanned_rows(plan: dict) -> int:
    """Rows the scans of an EXPLAIN (ANALYZE, FORMAT JSON) plan read, all loops."""
    rows = plan["Actual Rows"] * plan["Actual Loops"] if "Scan" in plan["Node Type"] else 0
    return rows + sum(scanned_rows(p) for p in plan.get("Plans", []))


def page_cost(url: str, filters: CatalogFilters, client) -> tuple[int, int, str]:
    """The page's number of queries, the rows its offers' query reads, its plan. On a
    few hundred rows the planner would rather sort them all: told not to, as on the
    bench's 10,000 (docs/performance.md)."""
    cache.clear()
    client.get(url)  # the counts, cached (passlib/counts.py)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    nearest = selectors.nearest_venue_ids(filters.near) if filters.near else None
    qs = selectors.catalog(filters, venue_ids=nearest)[:20]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_bitmapscan = off")
        cursor.execute("SET enable_sort = off")
        plan = json.loads(qs.explain(format="json", analyze=True))[0]["Plan"]
        text = qs.explain()
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_bitmapscan")
        cursor.execute("RESET enable_sort")
    return len(ctx), scanned_rows(plan), text


@pytest.mark.postgres
def test_sorted_by_date_reads_the_same_at_two_sizes(client, space):
    url, filters = "/jeunes/offres/?sort=date", CatalogFilters(sort="date")
    add_offers(space["venue"], 60)
    analyze()
    queries, rows, plan = page_cost(url, filters, client)
    add_offers(space["other_venue"], 540, first_day=100)
    analyze()
    queries_10x, rows_10x, plan_10x = page_cost(url, filters, client)
    assert "offer_next_session" in plan_10x
    assert queries_10x == queries
    assert rows_10x <= rows + 5, (rows, rows_10x, plan, plan_10x)  # not ten times


@pytest.mark.postgres
def test_nearest_first_reads_the_same_at_two_sizes(client, db):
    """The page is read from the nearest venue's offers in their order by date of
    creation (the distance is the same for all of them); more venues farther away cost
    nothing."""
    nearest_space()
    url = "/jeunes/offres/?near=Lyon"
    filters = CatalogFilters(sort="distance", near=LYON)
    analyze()
    queries, rows, _ = page_cost(url, filters, client)
    for i in range(20):
        collectivite = CollectiviteFactory(city="Marseille", departement="13", postal_code="13001")
        add_offers(VenueFactory(collectivite=collectivite, name=f"Marseille {i}"), 27)
    analyze()
    queries_10x, rows_10x, plan_10x = page_cost(url, filters, client)
    assert Offer.objects.count() >= 10 * 51
    # The nearest venue is found by the GiST index; its offers by its own index, in
    # order, stopped after the page.
    venues = Venue.objects.annotate(distance=DistanceFrom(VenuePosition(""), LYON)).order_by(
        "distance"
    )[:8]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        assert "venue_mercator_point" in venues.explain()
        cursor.execute("RESET enable_seqscan")
    assert "offer_venue_next_session" in plan_10x, plan_10x
    assert queries_10x == queries
    assert rows_10x <= rows + 5, (rows, rows_10x, plan_10x)  # a few more venues


def test_at_the_same_distance_the_soonest_comes_first(db):
    """Two libraries of one commune sit at the same point (the commune's): nearest first
    then lists their offers soonest first, not by date of creation (found trying it)."""
    collectivite = CollectiviteFactory(city="Lyon", departement="69", postal_code="69003")
    part_dieu = VenueFactory(collectivite=collectivite, name="Part-Dieu")
    jean_mace = VenueFactory(collectivite=collectivite, name="Jean Macé")
    later = make_offer(part_dieu, title="Plus tard")
    make_session(later, days=12)
    undated = make_offer(jean_mace, "ESCAPE_GAME", title="Sans date")
    soon = make_offer(jean_mace, title="Bientôt")
    make_session(soon, days=2)
    filters = CatalogFilters(sort="distance", near=LYON)
    assert page_titles(filters) == ["Bientôt", "Plus tard", "Sans date"]
    assert undated.next_session_id is None


def test_the_catalogue_says_how_it_is_sorted(client, space):
    """« 2 offres, triées par date… » whatever place is typed; « 1 offre, triée par
    distance depuis … » agrees with one; a postal code is named as such; nothing is
    said to be sorted when nothing is found."""
    make_session(make_offer(space["venue"], title="Club manga"), days=3)
    make_session(make_offer(space["venue"], title="Atelier slam"), days=5)

    def status(query: str) -> str:
        html = client.get(f"/jeunes/offres/?{query}").content.decode()
        return html.split('<p role="status">', 1)[1].split("</p>", 1)[0]

    assert status("near=Villeurbanne&sort=date") == (
        "2 offres, triées par date, la plus proche d'abord"
    )
    assert status("near=Villeurbanne&sort=distance") == (
        "2 offres, triées par distance depuis Villeurbanne"
    )
    assert status("near=69100&sort=distance&q=manga") == (
        "1 offre, triée par distance depuis le code postal 69100"
    )
    assert status("near=Villeurbanne&q=introuvable") == "0 offre"
    assert status("") == "2 offres"
