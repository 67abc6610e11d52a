"""Offer pages through the test client: owner, member, outsider, officer."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Status
from offers.models import DisplayStatus, Offer, OfferStatus, Session
from tests.factories import (
    CollectiviteFactory,
    VenueFactory,
    make_booking,
    make_offer,
    make_session,
)

pytestmark = pytest.mark.django_db


def form_data(venue, **changes):
    data = {
        "venue": venue.pk,
        "subcategory": "RENCONTRE",
        "title": "Club de lecture du jeudi",
        "description": "On lit,\non parle.",
        "speaker": "Anne Libraire",
        "price": "0",
        "quantity": "",
        "booking_limit_date": "",
        "withdrawal_details": "",
        "booking_email": "",
    }
    return {**data, **changes}


def test_create_event_offer_redirects_to_its_page(login, space, owner):
    response = login(owner).post("/offres/nouvelle/", form_data(space["venue"]))
    offer = Offer.objects.get()
    assert response.status_code == 302
    assert response.url == f"/offres/{offer.public_id}/"
    assert offer.status == OfferStatus.DRAFT
    assert offer.speaker == "Anne Libraire"
    assert offer.description == "On lit,\non parle."


def test_create_physical_offer_with_stock(login, space, owner):
    login(owner).post(
        "/offres/nouvelle/",
        form_data(
            space["venue"],
            subcategory="ESCAPE_GAME",
            title="Escape game",
            price="12.50",
            quantity="20",
            booking_limit_date=f"{timezone.now().year + 1}-01-31",
        ),
    )
    offer = Offer.objects.get()
    assert offer.price_cents == 1250
    assert offer.stock.quantity == 20
    assert str(offer.stock.booking_limit_date) == f"{timezone.now().year + 1}-01-31"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"price": "300.01"}, "ne peut pas dépasser 300 €"),
        ({"price": "-1"}, "ne peut pas être négatif"),
        ({"title": "x" * 91}, "au plus 90 caractères"),
        ({"subcategory": "LIVRE_PAPIER"}, "ne peut pas être proposée en offre individuelle"),
        ({"subcategory": "ESCAPE_GAME", "quantity": "-3"}, "supérieure ou égale à 0"),
    ],
)
def test_refused_offer_keeps_the_input_and_writes_nothing(login, space, owner, changes, message):
    response = login(owner).post("/offres/nouvelle/", form_data(space["venue"], **changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Anne Libraire" in html or changes.get("subcategory") not in (None, "RENCONTRE")
    assert "On lit," in html
    assert not Offer.objects.exists()


def test_form_defaults_to_free_and_shows_the_free_offers_list(login, space, owner):
    html = login(owner).get("/offres/nouvelle/").content.decode()
    assert 'name="price" value="0,00"' in html
    assert "Clubs de lecture" in html
    assert "Un club de lecture se publie dans" in html


def test_free_offer_entry_prefills_a_reading_club(login, space, owner):
    client = login(owner)
    assert "Clubs de lecture" in client.get("/offres/gratuite/").content.decode()
    response = client.get("/offres/nouvelle/?modele=club-lecture")
    form = response.context["form"]
    assert form["subcategory"].value() == "RENCONTRE"
    assert form["title"].value() == "Club de lecture"
    assert form["price"].value() == "0,00"


def test_subcategory_change_returns_the_dependent_fragment_with_htmx(login, space, owner):
    client = login(owner)
    response = client.get(
        "/offres/nouvelle/?refresh=1&subcategory=ABO_BIBLIOTHEQUE", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dependent"')
    assert "Quantité disponible" in html
    assert "emprunt de CD" in html  # the subscription hint
    response = client.get(
        "/offres/nouvelle/?refresh=1&subcategory=SEANCE_CINE", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "Réalisateur" in html and "Visa d&#x27;exploitation" in html
    assert "Quantité disponible" not in html


def test_without_javascript_the_refresh_button_rerenders_and_keeps_input(login, space, owner):
    response = login(owner).post(
        "/offres/nouvelle/", form_data(space["venue"], subcategory="ABO_MEDIATHEQUE", refresh="1")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Quantité disponible" in html
    assert "Club de lecture du jeudi" in html
    assert not Offer.objects.exists()


def test_session_times_are_typed_and_shown_in_the_venue_time_zone(login, owner, space):
    reunion = CollectiviteFactory(name="Saint-Denis", postal_code="97400", departement="974")
    venue = VenueFactory(
        collectivite=reunion, postal_code="97400", departement="974", time_zone="Indian/Reunion"
    )
    from tests.factories import MembershipFactory

    user = MembershipFactory(collectivite=reunion).user
    offer = make_offer(venue)
    client = login(user)
    year = timezone.now().year + 1
    response = client.post(
        f"/offres/{offer.public_id}/seances/",
        {"starts_at": f"{year}-03-01T18:00", "total_places": "20"},
    )
    assert response.status_code == 302
    session = Session.objects.get()
    # 18:00 in La Réunion (UTC+4) is 14:00 UTC
    assert session.starts_at == datetime(year, 3, 1, 14, 0, tzinfo=ZoneInfo("UTC"))
    html = client.get(f"/offres/{offer.public_id}/").content.decode()
    assert "1er mars" in html and "18:00" in html


def test_session_errors_are_shown_next_to_the_field(login, space, owner):
    offer = make_offer(space["venue"])
    response = login(owner).post(
        f"/offres/{offer.public_id}/seances/",
        {
            "starts_at": f"{timezone.now().year + 1}-05-01T10:00",
            "total_places": "10",
            "quota": "12",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "ne peut pas dépasser le nombre de places" in html
    assert 'value="12"' in html
    assert not Session.objects.exists()


def test_session_in_the_past_is_refused(login, space, owner):
    offer = make_offer(space["venue"])
    yesterday = timezone.localtime() - timedelta(days=1)
    response = login(owner).post(
        f"/offres/{offer.public_id}/seances/", {"starts_at": f"{yesterday:%Y-%m-%dT%H:%M}"}
    )
    assert "doit commencer dans le futur" in response.content.decode()


@pytest.mark.parametrize(
    "starts_at",
    ["0001-01-01T00:00", "9999-12-31T23:59", "2020-05-01T10:00", "2126-01-01T10:00"],
)
def test_session_dates_far_from_today_are_refused_in_french(login, space, owner, starts_at):
    offer = make_offer(space["venue"])
    response = login(owner).post(f"/offres/{offer.public_id}/seances/", {"starts_at": starts_at})
    assert response.status_code == 400
    assert "Saisissez une date entre le" in response.content.decode()
    assert not Session.objects.exists()


def test_editing_places_below_bookings_is_refused_with_a_message(login, space, owner):
    offer = make_offer(space["venue"])
    session = make_session(offer, total_places=5)
    for _ in range(3):
        make_booking(offer, session=session)
    local = timezone.localtime(session.starts_at).strftime("%Y-%m-%dT%H:%M")
    response = login(owner).post(
        f"/offres/{offer.public_id}/seances/{session.public_id}/",
        {"starts_at": local, "total_places": "2"},
    )
    assert response.status_code == 400
    assert "a déjà 3 places réservées" in response.content.decode()
    session.refresh_from_db()
    assert session.total_places == 5


def test_publish_deactivate_duplicate_delete(login, space, owner):
    client = login(owner)
    offer = make_offer(space["venue"], status=OfferStatus.DRAFT)
    make_session(offer)
    client.post(f"/offres/{offer.public_id}/publier/")
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.PUBLISHED
    client.post(f"/offres/{offer.public_id}/desactiver/")
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.DEACTIVATED
    response = client.post(f"/offres/{offer.public_id}/dupliquer/")
    copy = Offer.objects.exclude(pk=offer.pk).get()
    assert response.url == f"/offres/{copy.public_id}/"
    client.post(f"/offres/{copy.public_id}/supprimer/")
    assert not Offer.objects.filter(pk=copy.pk).exists()


def test_delete_with_bookings_is_refused_through_the_view(login, space, owner):
    offer = make_offer(space["venue"])
    make_booking(offer, session=make_session(offer))
    response = login(owner).post(f"/offres/{offer.public_id}/supprimer/", follow=True)
    assert "ne peut pas être supprimée" in response.content.decode()
    assert Offer.objects.filter(pk=offer.pk).exists()


def test_actions_refuse_get(login, space, owner):
    offer = make_offer(space["venue"])
    client = login(owner)
    for action in ("publier", "desactiver", "dupliquer", "supprimer", "seances"):
        assert client.get(f"/offres/{offer.public_id}/{action}/").status_code == 405


# --- list, status, queries -------------------------------------------------------------


def test_display_status_is_derived_in_the_database(login, space, owner):
    venue = space["venue"]
    draft = make_offer(venue, status=OfferStatus.DRAFT, title="Brouillon")
    published = make_offer(venue, title="Publiée")
    make_session(published, total_places=10)
    full = make_offer(venue, title="Complète")
    session = make_session(full, total_places=1)
    make_booking(full, session=session)
    expired = make_offer(venue, title="Expirée")
    make_session(expired, days=-1, limit_days=-2)
    unlimited_stock = make_offer(venue, "ABO_BIBLIOTHEQUE", title="Abonnement")
    pending_venue = VenueFactory(collectivite=space["collectivite"], status=Status.NEW)
    awaiting = make_offer(pending_venue, title="En attente")
    make_session(awaiting)
    deactivated = make_offer(venue, status=OfferStatus.DEACTIVATED, title="Désactivée")

    rows = {o.title: o.display_status for o in login(owner).get("/offres/").context["page"]}
    assert rows == {
        draft.title: DisplayStatus.DRAFT,
        published.title: DisplayStatus.PUBLISHED,
        full.title: DisplayStatus.SOLD_OUT,
        expired.title: DisplayStatus.EXPIRED,
        unlimited_stock.title: DisplayStatus.PUBLISHED,
        awaiting.title: DisplayStatus.AWAITING,
        deactivated.title: DisplayStatus.DEACTIVATED,
    }
    response = login(owner).get("/offres/?status=sold_out")
    assert [o.title for o in response.context["page"]] == ["Complète"]
    counts = {key: n for _, key, n in response.context["counts"]}
    assert counts["sold_out"] == 1 and counts["published"] == 2


def test_list_filters(login, space, owner):
    make_offer(space["venue"], title="Atelier manga", price_cents=500)
    make_offer(space["other_venue"], "ABO_BIBLIOTHEQUE", title="Carte lecteur")
    client = login(owner)

    def titles(query):
        return [o.title for o in client.get(f"/offres/?{query}").context["page"]]

    assert titles("pricing=free") == ["Carte lecteur"]
    assert titles("pricing=paid") == ["Atelier manga"]
    assert titles("category=LIVRE") == ["Carte lecteur"]
    assert titles("q=manga") == ["Atelier manga"]
    assert titles(f"venue={space['other_venue'].pk}") == ["Carte lecteur"]


def test_list_htmx_returns_the_table_fragment(login, space, owner):
    make_offer(space["venue"], title="Atelier manga")
    html = login(owner).get("/offres/?q=manga", HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div id="table">')
    assert "Atelier manga" in html


def _bulk_offers(venue, n):
    from catalog.categories import get_subcategory

    sub = get_subcategory("RENCONTRE")
    offers = Offer.objects.bulk_create(
        Offer(
            venue=venue,
            category_id=sub.category.id,
            subcategory_id=sub.id,
            title=f"Offre {i}",
            status=OfferStatus.PUBLISHED,
        )
        for i in range(n)
    )
    start = timezone.now() + timedelta(days=3)
    Session.objects.bulk_create(
        Session(offer=o, starts_at=start, booking_limit_at=start, total_places=5) for o in offers
    )


def test_offer_list_queries_do_not_grow_from_10_to_500_offers(login, space, owner):
    client = login(owner)
    _bulk_offers(space["venue"], 10)
    cache.clear()  # measure with the counts computed, not cached
    with CaptureQueriesContext(connection) as small:
        assert client.get("/offres/").status_code == 200
    _bulk_offers(space["venue"], 490)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        response = client.get("/offres/")
    assert response.context["page"].paginator.count == 500
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


# --- isolation ---------------------------------------------------------------------------


def offer_urls(offer, session):
    base = f"/offres/{offer.public_id}/"
    return [
        ("get", base),
        ("get", base + "apercu/"),
        ("get", base + "modifier/"),
        ("post", base + "modifier/"),
        ("post", base + "publier/"),
        ("post", base + "desactiver/"),
        ("post", base + "dupliquer/"),
        ("post", base + "supprimer/"),
        ("post", base + "seances/"),
        ("get", base + f"seances/{session.public_id}/"),
        ("post", base + f"seances/{session.public_id}/"),
        ("post", base + f"seances/{session.public_id}/supprimer/"),
    ]


def test_outsider_gets_404_on_every_offer_page_and_action(login, space, outsider):
    offer = make_offer(space["venue"])
    session = make_session(offer)
    client = login(outsider)
    for method, url in offer_urls(offer, session):
        assert getattr(client, method)(url).status_code == 404, (method, url)
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.PUBLISHED
    assert Offer.objects.count() == 1 and Session.objects.count() == 1


def test_venue_member_cannot_touch_another_venue_of_the_same_collectivite(login, space, member):
    mine = make_offer(space["venue"], title="Mienne")
    other = make_offer(space["other_venue"], title="Autre lieu")
    session = make_session(other)
    client = login(member)
    assert [o.title for o in client.get("/offres/").context["page"]] == ["Mienne"]
    assert client.get(f"/offres/{mine.public_id}/modifier/").status_code == 200
    for method, url in offer_urls(other, session):
        assert getattr(client, method)(url).status_code == 404, (method, url)
    # and cannot create an offer in it
    response = client.post("/offres/nouvelle/", form_data(space["other_venue"]))
    assert response.status_code == 400
    assert Offer.objects.count() == 2


def test_officer_sees_offers_of_their_departement_read_only(login, space, officer):
    offer = make_offer(space["venue"])
    client = login(officer)
    assert client.get(f"/offres/{offer.public_id}/").status_code == 200
    assert client.get(f"/offres/{offer.public_id}/apercu/").status_code == 200
    assert client.get(f"/offres/{offer.public_id}/modifier/").status_code == 403
    assert client.post(f"/offres/{offer.public_id}/desactiver/").status_code == 403
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.PUBLISHED


def test_preview_shows_the_offer_as_a_beneficiary_would(login, space, owner):
    offer = make_offer(space["venue"], description="<script>alert(1)</script>\nligne 2")
    make_session(offer, total_places=12)
    html = login(owner).get(f"/offres/{offer.public_id}/apercu/").content.decode()
    assert "12 places restantes" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_pagination_keeps_the_filters(login, space, owner):
    _bulk_offers(space["venue"], 25)
    client = login(owner)
    html = client.get("/offres/?pricing=free").content.decode()
    assert "Page 1 sur 2" in html
    assert 'href="?pricing=free&amp;page=2"' in html
    page2 = client.get("/offres/?pricing=free&page=2").context["page"]
    assert page2.number == 2 and len(page2.object_list) == 5


def test_the_list_says_what_is_bookable_in_a_bounded_number_of_queries(login, space, owner):
    club = make_offer(space["venue"], "RENCONTRE", title="Club")
    for days, booked in ((2, 3), (9, 1), (16, 0)):
        make_session(club, days=days, total_places=12, quota=8, booked=booked)
    past = make_session(club, days=3, total_places=5)
    three_days_ago = timezone.now() - timedelta(days=3)
    Session.objects.filter(pk=past.pk).update(
        starts_at=three_days_ago, booking_limit_at=three_days_ago
    )
    card = make_offer(space["venue"], "ABO_BIBLIOTHEQUE", title="Carte", quantity=10)
    make_booking(card)
    make_offer(space["venue"], "RENCONTRE", title="Sans séance")
    client = login(owner)
    client.get("/offres/")
    with CaptureQueriesContext(connection) as few:
        html = client.get("/offres/").content.decode()
    assert "3 séances à venir, prochaine le" in html
    assert "4 places prises, 32 places restantes" in html  # of the total, for anyone
    assert "1 réservé, 9 restants" in html and "Aucune séance" in html
    for i in range(12):
        make_session(make_offer(space["venue"], "RENCONTRE", title=f"Atelier {i}"), days=5)
    cache.clear()
    client.get("/offres/")
    with CaptureQueriesContext(connection) as many:
        client.get("/offres/")
    assert len(many) == len(few)


def test_the_offer_page_says_how_many_sessions_are_to_come_and_the_next(login, space, owner):
    offer = make_offer(space["venue"], "RENCONTRE", title="Club")
    client = login(owner)
    assert "Aucune séance à venir." in client.get(f"/offres/{offer.public_id}/").content.decode()
    first = make_session(offer, days=4)
    make_session(offer, days=11)
    html = client.get(f"/offres/{offer.public_id}/").content.decode()
    local = timezone.localtime(first.starts_at)
    assert "2 séances à venir, prochaine le" in html
    assert f"{local.day} " in html.split("prochaine le", 1)[1][:40]
