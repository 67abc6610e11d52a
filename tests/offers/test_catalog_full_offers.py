"""A full offer stays in the catalog (issue 27): listed after the bookable ones, found by
a search, its day and its venue's page, marked « Complet — liste d'attente », so that its
waiting list is reached without a shared link. Drafts, expired and closed ones stay out."""

import pytest
from django.utils import timezone

from offers.models import OfferStatus
from offers.selectors import CatalogFilters, catalog_counts
from offers.services import next_sessions
from offers.services.bookings import booking_cancel_by_beneficiary
from tests.factories import make_beneficiary, make_booking, make_offer, make_session

pytestmark = pytest.mark.django_db

FULL = "Complet — liste d'attente"


@pytest.fixture
def offers(space):
    venue = space["venue"]
    full = make_offer(venue, title="Atelier bande dessinée complet")
    session = make_session(full, days=4, total_places=1)
    make_booking(full, session=session)
    bookable = make_offer(venue, title="Atelier manga")
    make_session(bookable, days=9, total_places=10)
    # full, but not bookable for other reasons: never listed
    draft = make_offer(venue, title="Brouillon plein", status=OfferStatus.DRAFT)
    make_booking(draft, session=make_session(draft, total_places=1))
    closed = make_offer(venue, title="Réservations closes")
    make_session(closed, days=2, total_places=5, limit_days=-1)
    past = make_offer(venue, title="Atelier passé")
    make_session(past, days=-3, total_places=5, limit_days=-4)
    deactivated = make_offer(venue, title="Désactivée pleine", status=OfferStatus.DEACTIVATED)
    make_booking(deactivated, session=make_session(deactivated, total_places=1))
    stock_full = make_offer(venue, "ESCAPE_GAME", title="Livre épuisé", quantity=1)
    make_booking(stock_full)
    return {"full": full, "session": session, "bookable": bookable, "stock_full": stock_full}


def titles(response):
    return [str(r["title"]) for r in response.context["rows"]]


def test_a_full_offer_is_listed_after_the_bookable_ones_and_marked(client, login, offers):
    response = client.get("/jeunes/offres/")
    # newest first within each part
    assert titles(response) == ["Atelier manga", "Livre épuisé", "Atelier bande dessinée complet"]
    html = response.content.decode()
    assert html.count(FULL.replace("'", "&#x27;")) == 2
    assert "3 offres" in html
    # its card links to its page, where the waiting list is joined
    assert f"/jeunes/offres/{offers['full'].public_id}/" in html
    young = login(make_beneficiary(16))
    page = young.get(f"/jeunes/offres/{offers['full'].public_id}/").content.decode()
    assert "Rejoindre la liste d'attente" in page


def test_the_full_ones_come_after_even_when_newer_or_sooner(client, offers, space):
    newest_full = make_offer(space["venue"], title="Conte plein")
    make_booking(newest_full, session=make_session(newest_full, days=1, total_places=1))
    for query in ("", "?sort=date", "?q=atelier"):
        rows = titles(client.get("/jeunes/offres/" + query))
        assert rows.index("Atelier manga") == 0, query
    assert titles(client.get("/jeunes/offres/?sort=date"))[1:] == [
        "Conte plein",
        "Atelier bande dessinée complet",
        "Livre épuisé",
    ]


def test_a_search_and_a_day_find_the_full_offer(client, offers):
    assert titles(client.get("/jeunes/offres/?q=bande+dessinée")) == [
        "Atelier bande dessinée complet"
    ]
    day = timezone.localtime(offers["session"].starts_at).date().isoformat()
    assert titles(client.get(f"/jeunes/offres/?day={day}")) == ["Atelier bande dessinée complet"]


def test_its_next_date_is_shown_on_its_card(client, offers):
    row = next(
        r
        for r in client.get("/jeunes/offres/").context["rows"]
        if r["title"] == "Atelier bande dessinée complet"
    )
    assert row["places"] == FULL
    assert row["when"].startswith("Prochaine date : ")


def test_pages_split_between_bookable_and_full_offers(client, space, settings):
    """Page 1 holds the bookable offers, the page after them goes on with the full ones,
    none twice, none missed."""
    from offers.views import beneficiary

    for i in range(beneficiary.PAGE_SIZE + 3):
        make_session(make_offer(space["venue"], title=f"Libre {i:02d}"), total_places=5)
    for i in range(4):
        offer = make_offer(space["venue"], title=f"Plein {i:02d}")
        make_booking(offer, session=make_session(offer, total_places=1))
    first = titles(client.get("/jeunes/offres/"))
    second = titles(client.get("/jeunes/offres/?page=2"))
    assert len(first) == beneficiary.PAGE_SIZE
    assert all(t.startswith("Libre") for t in first)
    assert [t[:5] for t in second] == ["Libre"] * 3 + ["Plein"] * 4
    assert len(set(first + second)) == beneficiary.PAGE_SIZE + 7


def test_the_counts_say_bookable_and_full(offers):
    assert catalog_counts(CatalogFilters()) == {"bookable": 1, "full": 2}


def test_the_venue_page_lists_its_full_offer_too(client, offers, space):
    html = client.get(f"/lieux/{space['venue'].public_id}/").content.decode()
    assert "Atelier bande dessinée complet" in html
    assert FULL.replace("'", "&#x27;") in html
    assert "Brouillon plein" not in html and "Réservations closes" not in html


def test_a_session_that_frees_a_place_makes_the_offer_bookable_again(client, offers):
    booking = offers["full"].bookings.get()
    booking_cancel_by_beneficiary(user=booking.beneficiary, booking=booking)
    # The cards read the stored next session, refreshed once a write commits (a test's
    # transaction never does): refreshed here as offers/services/next_sessions.py would.
    next_sessions.refresh([offers["full"].pk])
    rows = client.get("/jeunes/offres/").context["rows"]
    card = next(r for r in rows if r["title"] == "Atelier bande dessinée complet")
    assert "full" not in card and card["places"] == "1 place restante"
