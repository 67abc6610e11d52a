"""What librarians read about places (issue 30): the offer page's sessions table, the
session form, the offer list and the pro home count every channel — pass Culture
bookings, registrations from other channels and places kept on the library's own list —
while young people keep reading the pass Culture places left."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from offers.services import bookings as booking_services
from offers.services import registrations as services
from offers.services.registrations import RegistrationData
from tests.factories import make_beneficiary, make_offer, make_session

pytestmark = pytest.mark.django_db


def _cells(html: str, caption: str) -> list[list[str]]:
    table = html[html.index(caption) :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in rows
    ]


@pytest.fixture
def club(space, member):
    """12 places, quota 8: 2 pass bookings, a desk family of 3, 4 places kept outside."""
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Club de lecture")
    session = make_session(offer, days=2, total_places=12, quota=8)
    for _ in range(2):
        booking_services.booking_create(user=make_beneficiary(16), offer=offer, session=session)
    services.registration_add(
        actor=member, target=session, data=RegistrationData(channel="desk", name="X", places=3)
    )
    services.outside_places_set(actor=member, session=session, places=4)
    session.refresh_from_db()
    assert (session.remaining, session.places_left) == (3, 3)
    return {"offer": offer, "session": session}


def test_the_offer_page_counts_every_channel(login, owner, club):
    html = login(owner).get(reverse("offers:detail", args=[club["offer"].public_id])).content
    head, row = _cells(html.decode(), "<caption>Séances")[:2]
    assert head[1:7] == [
        "Places",
        "Quota pass Culture",
        "Réservées pass Culture",
        "Hors pass Culture",
        "Places restantes",
        "Places pass Culture restantes",
    ]
    assert row[1:7] == ["12", "8", "2", "7", "3", "3"]


def test_the_quota_reached_still_leaves_places_to_other_channels(login, owner, club, member):
    session = club["session"]
    services.outside_places_set(actor=member, session=session, places=0)
    for _ in range(6):
        booking_services.booking_create(
            user=make_beneficiary(16), offer=club["offer"], session=session
        )
    html = login(owner).get(reverse("offers:detail", args=[club["offer"].public_id])).content
    row = _cells(html.decode(), "<caption>Séances")[1]
    assert row[3:7] == ["8", "3", "1", "0"]


def test_the_session_form_says_both(login, owner, club):
    url = reverse("offers:session_edit", args=[club["offer"].public_id, club["session"].public_id])
    html = login(owner).get(url).content.decode()
    assert "2 places déjà réservées pass Culture, 7 places déjà prises hors pass Culture." in html


def test_the_offer_list_and_the_home_count_everyone(login, owner, club, member):
    client = login(owner)
    assert "1 séance à venir" in (html := client.get("/offres/").content.decode())
    assert "9 places prises, 3 places restantes" in html
    services.registration_add(
        actor=member,
        target=club["session"],
        data=RegistrationData(channel="phone", name="Mme Roux", places=5),
        waitlist=True,
    )
    home = client.get("/espace/").content.decode()
    head, row = _cells(home, "<caption>Les séances de vos lieux")[:2]
    assert head[3:6] == ["Places prises", "Places restantes", "Liste d'attente"]
    assert row[3:6] == ["9", "3", "1"]


def test_a_stocks_places_in_the_list_count_registrations_once(login, owner, space, member):
    offer = make_offer(space["venue"], "ESCAPE_GAME", title="Escape game", quantity=10)
    booking_services.booking_create(user=make_beneficiary(16), offer=offer)
    services.registration_add(
        actor=member, target=offer.stock, data=RegistrationData(channel="desk", name="X", places=2)
    )
    html = login(owner).get("/offres/").content.decode()
    assert "3 réservés, 7 restants" in html


def test_young_people_read_the_pass_culture_places_left(client, club, member):
    services.outside_places_set(actor=member, session=club["session"], places=0)
    client.force_login(make_beneficiary(16))
    url = reverse("offers:catalog_offer", args=[club["offer"].public_id])
    html = client.get(url).content.decode()
    # 12 − 2 − 3 = 7 for anyone, but the quota leaves 6 to pass Culture.
    assert "6 places restantes" in html and "7 places restantes" not in html
