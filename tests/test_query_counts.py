"""Every list page runs the same number of SQL queries whatever the number of rows.

Each case seeds a few rows, counts the queries of the page, seeds many more rows and
counts again: a query per row (N+1) makes the second count larger and the test fail.
Cached counts are cleared before each measurement so both do the same work.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from offers.services import bookings as booking_services
from offers.services import collective_bookings as collective_services
from tests.factories import (
    make_beneficiary,
    make_collective_offer,
    make_offer,
    make_school,
    make_session,
    make_showcase,
    make_teacher,
)

pytestmark = pytest.mark.django_db


def count_queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


def _events(space, n, start):
    for i in range(n):
        offer = make_offer(space["venue"], title=f"Atelier {start + i}")
        make_session(offer, total_places=50)


def _bookings(space, n, start, young=None):
    offer = make_offer(space["venue"], "ESCAPE_GAME", title=f"Escape {start}")
    for _ in range(n):
        booking_services.booking_create(user=young or make_beneficiary(), offer=offer)
        if young is not None:
            offer = make_offer(space["venue"], "ESCAPE_GAME", title=f"Escape {start}-{_}")


@pytest.mark.parametrize(
    ("url", "who", "seed"),
    [
        ("/offres/", "owner", _events),
        ("/jeunes/offres/", "owner", _events),
        ("/jeunes/offres/?q=atelier+lecture&near=Villeurbanne", "owner", _events),
        ("/jeunes/offres/?q=atelier&sort=date", "owner", _events),
        ("/reservations/", "owner", _bookings),
        ("/collectif/", "owner", None),
        ("/reservations/collectives/", "owner", None),
    ],
)
def test_pro_and_public_lists(login, space, owner, url, who, seed):
    client = login(owner)

    def grow(n, start):
        if seed is not None:
            seed(space, n, start)
            return
        for i in range(n):
            offer = make_collective_offer(space["venue"], title=f"Collectif {start + i}")
            make_showcase(space["venue"], title=f"Vitrine {start + i}")
            collective_services.prebook(
                user=make_teacher(make_school(f"069{start + i + 100:04d}")), offer=offer
            )

    grow(2, 0)
    small = count_queries(client, url)
    grow(12, 2)
    assert count_queries(client, url) == small


def test_the_catalogue_for_my_age(login, space):
    """« Pour mon âge » adds a condition, not a query per offer."""
    client = login(make_beneficiary(16))

    def grow(n, start):
        for i in range(n):
            offer = make_offer(
                space["venue"], title=f"Atelier {start + i}", age_min=15 + i % 3, age_max=17
            )
            make_session(offer, total_places=50)

    grow(2, 0)
    small = count_queries(client, "/jeunes/offres/?for_my_age=on")
    grow(12, 2)
    assert count_queries(client, "/jeunes/offres/?for_my_age=on") == small


def test_my_bookings_list(login, space):
    young = make_beneficiary(18)
    client = login(young)
    _bookings(space, 2, 0, young=young)
    small = count_queries(client, "/jeunes/reservations/")
    _bookings(space, 8, 10, young=young)
    assert count_queries(client, "/jeunes/reservations/") == small


def test_teacher_lists(login, space):
    teacher = make_teacher(make_school())
    client = login(teacher)
    for url in ("/enseignants/offres/", "/enseignants/reservations/"):
        make_showcase(space["venue"])
        make_collective_offer(space["venue"])  # one still bookable: the list is not empty
        collective_services.prebook(user=teacher, offer=make_collective_offer(space["venue"]))
        small = count_queries(client, url)
        for _ in range(6):
            make_showcase(space["venue"])
            make_collective_offer(space["venue"])
            collective_services.prebook(
                user=teacher,
                offer=make_collective_offer(
                    space["venue"], starts_at=timezone.now() + timedelta(days=50)
                ),
            )
        assert count_queries(client, url) == small, url


def test_shared_space_and_review_queue(login, space, owner, officer):
    from tests.factories import CollectiviteFactory, MembershipFactory, VenueFactory

    def grow(n):
        for _ in range(n):
            MembershipFactory(
                collectivite=space["collectivite"], role="member", venues=[space["venue"]]
            )
            VenueFactory(collectivite=space["collectivite"])
            VenueFactory(collectivite=CollectiviteFactory(status="new"), status="new")

    grow(2)
    url = f"/collectivites/{space['collectivite'].public_id}/"
    small = (count_queries(login(owner), url), count_queries(login(officer), "/revue/"))
    grow(10)
    assert (count_queries(login(owner), url), count_queries(login(officer), "/revue/")) == small


def test_pages_writing_each_sessions_end(login, space, owner):
    """A session's end reads its offer (`Session.ends_at`): selected with the sessions
    and bookings, never a query per row (issue 28)."""
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier")
    young = make_beneficiary(17)
    pages = {
        "/offres/": owner,
        f"/offres/{offer.public_id}/": owner,
        f"/jeunes/offres/{offer.public_id}/": young,
        "/jeunes/offres/": young,
        "/jeunes/reservations/": young,
    }

    def grow(n, start):
        for i in range(n):
            make_session(offer, days=start + i + 3, total_places=50)
            other = make_offer(space["venue"], "RENCONTRE", title=f"Rencontre {start + i}")
            session = make_session(other, days=start + i + 3, total_places=50)
            booking_services.booking_create(user=young, offer=other, session=session)

    grow(2, 0)
    small = {url: count_queries(login(who), url) for url, who in pages.items()}
    grow(8, 2)
    assert {url: count_queries(login(who), url) for url, who in pages.items()} == small
