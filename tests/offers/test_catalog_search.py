"""The young people's catalogue search and sorts (issue 19, point 5): French-aware on
PostgreSQL (full-text, French stemming after unaccent), folded and stemmed on SQLite;
sort by next date or by distance from a commune or postal code; cards with the next
date and the places left."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import geo
from offers import selectors
from offers.forms import CatalogFilterForm
from offers.models import Offer
from offers.selectors import CatalogFilters
from offers.selectors.catalog import OFFER_SEARCHED, searched
from passlib import search
from tests.factories import CollectiviteFactory, VenueFactory, make_offer, make_session

pytestmark = pytest.mark.django_db


def titles(**filters) -> list[str]:
    return [o.title for o in selectors.catalog(CatalogFilters(**filters))]


def found(q: str) -> set[str]:
    return set(titles(q=q))


@pytest.fixture
def programme(space):
    venue = space["venue"]
    for title, description in [
        ("Club de lecture ados", "On partage nos coups de cœur."),
        ("Lectures à voix haute", "Des histoires pour les grands."),
        ("Atelier théâtre", "Improvisation et jeu."),
        ("Concert jazz", "Un trio au coin du feu."),
        ("Rencontre manga", "Avec une autrice de shōnen, pour les clubs du collège."),
    ]:
        make_session(make_offer(venue, title=title, description=description))
    return venue


def test_club_lecture_finds_the_reading_club_first_and_lectures(programme):
    result = titles(q="club lecture")
    assert result[0] == "Club de lecture ados"  # holds both words: first
    assert "Lectures à voix haute" in result  # « lectures »: the same stem
    assert "Concert jazz" not in result and "Atelier théâtre" not in result


@pytest.mark.parametrize("q", ["theatre", "THÉÂTRE", "Théatre", "  théâtre  "])
def test_accents_and_case_are_ignored(programme, q):
    assert found(q) == {"Atelier théâtre"}


def test_the_venue_and_its_commune_are_searched(programme, other_space):
    paris = other_space["venue"]
    make_session(make_offer(paris, title="Heure du conte"))
    assert found("paris") == {"Heure du conte"}
    assert "Heure du conte" not in found("lyon") and "Concert jazz" in found("lyon")
    assert found("part-dieu") >= {"Concert jazz", "Atelier théâtre"}


def test_stop_words_alone_search_nothing_special_and_hostile_input_is_harmless(programme):
    assert search.terms("de la le les") == []
    assert len(titles(q="de la")) == 5  # no words left: every offer
    for hostile in ["'; DROP TABLE offers_offer; --", "a & b | !c", "(:*", "\\", "％", "٣"]:
        titles(q=hostile)  # no error
    assert found("jazz:*") == {"Concert jazz"}


def test_the_description_is_searched(programme):
    assert found("improvisation") == {"Atelier théâtre"}


def test_only_bookable_offers_are_found(space, programme):
    draft = make_offer(space["venue"], title="Club théâtre (brouillon)", status="draft")
    make_session(draft)
    assert "Club théâtre (brouillon)" not in found("theatre")


def test_search_terms_are_bounded():
    words = search.terms(" ".join(f"mot{i}" for i in range(50)) + " " + "x" * 500)
    assert len(words) == search.MAX_TERMS
    assert all(len(w) <= search.MAX_TERM_LENGTH for w in search.terms("y" * 500))


@pytest.mark.postgres
def test_postgres_uses_the_french_configuration_and_its_index(programme):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('passlib_fr', 'Théâtres lectures')::text")
        assert cursor.fetchone()[0] == "'lectur':2 'theatr':1"
        cursor.execute("SET enable_seqscan = off")
        # The offers found, by their words or their venue's: one BitmapOr of two indexes
        # (the venues found are an index condition, not a filter tested on every row).
        # On a few rows the planner may start the whole catalogue's query elsewhere; on
        # the bench's data it starts there (docs/performance.md, issue 29).
        found = searched(Offer.objects.all(), ["theatre"], OFFER_SEARCHED).explain()
        cursor.execute("RESET enable_seqscan")
    assert "BitmapOr" in found
    assert "offer_search" in found


def test_sort_by_date_puts_the_soonest_first(space):
    later = make_offer(space["venue"], title="Dans un mois")
    make_session(later, days=30)
    soon = make_offer(space["venue"], title="Demain")
    make_session(soon, days=1)
    book = make_offer(space["venue"], "ABO_MEDIATHEQUE", title="Un livre", quantity=3)
    assert titles(sort="date") == ["Demain", "Dans un mois", "Un livre"]
    assert book.title == "Un livre"


def test_sort_by_distance_from_a_commune_or_postal_code(db):
    places = {}
    for city, dep, postal in [
        ("Villeurbanne", "69", "69100"),
        ("Grenoble", "38", "38000"),
        ("Marseille", "13", "13001"),
    ]:
        venue = VenueFactory(
            collectivite=CollectiviteFactory(city=city, departement=dep, postal_code=postal)
        )
        places[city] = venue
        make_session(make_offer(venue, title=f"Atelier à {city}"))
    form = CatalogFilterForm({"near": "Lyon"})
    assert form.is_valid(), form.errors
    filters = form.to_filters()
    assert filters.sort == "distance"  # a place chosen: nearest first
    assert [o.title for o in selectors.catalog(filters)] == [
        "Atelier à Villeurbanne",
        "Atelier à Grenoble",
        "Atelier à Marseille",
    ]
    rows = selectors.catalog_rows(selectors.catalog(filters), near=filters.near)
    assert rows[0]["distance"] == "à 3,1 km"
    assert rows[2]["distance"] == "à 276 km"
    # a postal code: our venues with that code, else the département's prefecture
    by_code = CatalogFilterForm({"near": "13008", "sort": "distance"}).to_filters()
    assert selectors.catalog(by_code).first().title == "Atelier à Marseille"
    by_venue_code = CatalogFilterForm({"near": "69100"}).to_filters()
    assert by_venue_code.near == geo.Point(
        places["Villeurbanne"].latitude, places["Villeurbanne"].longitude
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"near": "Xyzzyville"}, "Commune ou code postal introuvable"),
        ({"near": "98000"}, "Commune ou code postal introuvable"),  # Monaco
        ({"sort": "distance"}, "Indique une commune ou un code postal"),
        ({"near": "Lyon\x00"}, "Le caractère nul n'est pas autorisé"),
        ({"sort": "prix"}, "Sélectionne un choix valide"),
    ],
)
def test_a_place_or_sort_that_cannot_be_used_says_why(client, data, message):
    response = client.get(reverse("offers:catalog"), data)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")


def test_cards_show_the_next_date_in_the_venues_time_zone_and_places_left(client, db):
    noumea = VenueFactory(
        collectivite=CollectiviteFactory(city="Nouméa", departement="988", postal_code="98800"),
        time_zone="Pacific/Noumea",
    )
    offer = make_offer(noumea, title="Atelier BD")
    start = (timezone.now() + timedelta(days=3)).replace(hour=22, minute=0, second=0, microsecond=0)
    session = make_session(offer, total_places=12, booked=5)
    session.starts_at = session.booking_limit_at = start
    session.save()
    page = client.get(reverse("offers:catalog"), {"q": "bd"}).content.decode()
    local = timezone.localtime(start, geo_tz("Pacific/Noumea"))
    end = local + timedelta(minutes=90)  # a « Rencontre » lasts 1 h 30 unless told
    assert f"de {local:%H}:00 à {end:%H}:30" in page and "7 places restantes" in page


def geo_tz(name):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def test_the_catalogue_page_searches_through_its_form(client, programme):
    page = client.get(reverse("offers:catalog"), {"q": "club lecture"}).content.decode()
    assert "Club de lecture ados" in page and "Lectures à voix haute" in page
    assert "Concert jazz" not in page
    assert page.index("Club de lecture ados") < page.index("Lectures à voix haute")


def test_distance_labels():
    from offers.selectors.catalog import distance_label

    assert distance_label(0.02) == "à moins d'1 km"
    assert distance_label(3.14) == "à 3,1 km"
    assert distance_label(276.6) == "à 277 km"
    assert distance_label(8993.4) == "à 8\u202f993 km"  # Réunion from Lyon, grouped


@pytest.mark.postgres
def test_our_connections_run_without_jit():
    """JIT compiled the catalogue's search for longer than it ran (docs/performance.md)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
