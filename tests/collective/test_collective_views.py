"""Collective pages through the test client: pro side, teacher side, isolation."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Status
from offers.models import (
    CollectiveBooking,
    CollectiveOffer,
    CollectiveRequest,
    CollectiveShowcase,
    CollectiveStatus,
)
from offers.services import collective_bookings as booking_services
from tests.factories import (
    VenueFactory,
    make_collective_offer,
    make_school,
    make_showcase,
    make_teacher,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return make_school()


@pytest.fixture
def teacher(school):
    return make_teacher(school)


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def showcase_form(venue, **changes):
    data = {
        "venue": venue.pk,
        "subcategory": "RENCONTRE",
        "title": "Club lecture en classe",
        "description": "Une rencontre par mois.",
        "school_levels": ["college_6e"],
        "domains": ["livre_lecture"],
        "intervention_area": ["69", "01"],
        "location_type": "venue",
        "location_address": "",
        "location_comment": "",
        "contact_email": "contact@bib.fr",
        "contact_phone": "",
    }
    return {**data, **changes}


def bookable_form(venue, **changes):
    start = timezone.now() + timedelta(days=45)
    data = showcase_form(venue)
    data.update(
        starts_at=local(start),
        ends_at=local(start + timedelta(hours=2)),
        booking_limit_at="",
        price="150",
        price_details="Intervenant compris",
        students="28",
        school_uai="",
    )
    return {**data, **changes}


def test_owner_creates_a_showcase_then_publishes_it(login, space, owner):
    client = login(owner)
    response = client.post("/collectif/vitrines/nouvelle/", showcase_form(space["venue"]))
    showcase = CollectiveShowcase.objects.get()
    assert response.url == f"/collectif/vitrines/{showcase.public_id}/"
    assert showcase.intervention_area == ",69,01,"
    client.post(f"/collectif/vitrines/{showcase.public_id}/publier/")
    assert CollectiveShowcase.objects.get().status == CollectiveStatus.PUBLISHED


def test_refused_collective_form_keeps_input(login, space, owner):
    response = login(owner).post(
        "/collectif/offres/nouvelle/",
        bookable_form(space["venue"], students="0", subcategory="ABO_BIBLIOTHEQUE"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "ne peut pas être proposée aux groupes scolaires" in html
    assert "Intervenant compris" in html and 'value="Club lecture en classe"' in html
    assert not CollectiveOffer.objects.exists()


def test_unknown_target_school_is_refused(login, space, owner):
    response = login(owner).post(
        "/collectif/offres/nouvelle/", bookable_form(space["venue"], school_uai="0690009K")
    )
    assert "Aucun enseignant de cet établissement" in response.content.decode()
    response = login(owner).post(
        "/collectif/offres/nouvelle/", bookable_form(space["venue"], school_uai="0690009A")
    )
    assert "lettre de contrôle incorrecte" in response.content.decode()


def test_bookable_offer_for_a_teachers_request(login, space, owner, teacher, school):
    showcase = make_showcase(space["venue"])
    req = booking_services.request_create(
        user=teacher, showcase=showcase, message="6e B", students=24, preferred_dates="avril"
    )
    client = login(owner)
    page = client.get(f"/collectif/vitrines/{showcase.public_id}/").content.decode()
    assert "6e B" in page and school.name in page
    form = client.get(f"/collectif/offres/nouvelle/?demande={req.public_id}").context["form"]
    assert form["school_uai"].value() == school.uai
    assert form["students"].value() == 24
    response = client.post(
        f"/collectif/offres/nouvelle/?demande={req.public_id}",
        bookable_form(space["venue"], school_uai=school.uai, students="24"),
    )
    assert response.status_code == 302
    offer = CollectiveOffer.objects.get()
    assert offer.request == req and offer.showcase == showcase and offer.school == school


def test_teacher_sees_only_published_offers_of_their_zone(login, space, other_space, teacher):
    make_showcase(space["venue"], title="Vitrine Lyon")
    make_showcase(space["venue"], title="Brouillon", status="draft")
    make_showcase(other_space["venue"], title="Vitrine Paris", intervention_area=",75,")
    make_collective_offer(space["venue"], title="Réservable Lyon")
    make_collective_offer(
        space["venue"], title="Pour une autre école", school=make_school("0690002")
    )
    make_collective_offer(
        space["venue"],
        title="Expirée",
        days=2,
        booking_limit_at=timezone.now() - timedelta(hours=1),
    )
    pending = VenueFactory(collectivite=space["collectivite"], status=Status.NEW)
    make_showcase(pending, title="Lieu en attente")
    response = login(teacher).get("/enseignants/offres/")
    assert [s.title for s in response.context["showcases"]] == ["Vitrine Lyon"]
    assert [o.title for o in response.context["offers"]] == ["Réservable Lyon"]


def test_teacher_filters(login, space, teacher):
    make_showcase(
        space["venue"],
        title="Cinéma",
        domains=",cinema,",
        subcategory_id="SEANCE_CINE",
        school_levels=",lycee_2de,",
    )
    make_showcase(space["venue"], title="Lecture")
    client = login(teacher)

    def titles(q):
        return [s.title for s in client.get(f"/enseignants/offres/?{q}").context["showcases"]]

    assert titles("domain=cinema") == ["Cinéma"]
    assert titles("level=college_6e") == ["Lecture"]
    assert titles("subcategory=SEANCE_CINE") == ["Cinéma"]


def test_teacher_request_prebook_confirm_through_views(login, space, teacher):
    showcase = make_showcase(space["venue"])
    client = login(teacher)
    response = client.post(
        f"/enseignants/vitrines/{showcase.public_id}/",
        {"message": "Projet lecture", "students": "25", "preferred_dates": ""},
    )
    assert response.status_code == 302
    assert CollectiveRequest.objects.get().students == 25
    offer = make_collective_offer(space["venue"])
    client.post(f"/enseignants/offres/{offer.public_id}/prereserver/")
    booking = CollectiveBooking.objects.get()
    client.post(f"/enseignants/reservations/{booking.public_id}/confirmer/")
    booking.refresh_from_db()
    assert booking.status == "booked"
    # the pro sees it as réservée
    assert "Réservée" in client.get("/enseignants/reservations/").content.decode()


def test_teacher_sees_only_their_schools_bookings(login, space, teacher):
    other = make_teacher(make_school("0690002", name="Autre collège"))
    mine = booking_services.prebook(
        user=teacher, offer=make_collective_offer(space["venue"], title="A")
    )
    theirs = booking_services.prebook(
        user=other, offer=make_collective_offer(space["venue"], title="B")
    )
    client = login(teacher)
    assert [b.pk for b in client.get("/enseignants/reservations/").context["bookings"]] == [mine.pk]
    for action in ("confirmer", "annuler"):
        assert (
            client.post(f"/enseignants/reservations/{theirs.public_id}/{action}/").status_code
            == 404
        )
    assert CollectiveBooking.objects.get(pk=theirs.pk).status == "prebooked"


def test_teacher_gets_404_on_offers_outside_their_zone(login, space, teacher):
    paris = make_teacher(make_school("0750001", name="Lycée parisien", city="Paris"))
    offer = make_collective_offer(space["venue"])
    showcase = make_showcase(space["venue"])
    client = login(paris)
    assert client.get(f"/enseignants/offres/{offer.public_id}/").status_code == 404
    assert client.get(f"/enseignants/vitrines/{showcase.public_id}/").status_code == 404
    assert client.post(f"/enseignants/offres/{offer.public_id}/prereserver/").status_code == 404
    assert not CollectiveBooking.objects.exists()


def test_non_teachers_get_403(login, owner):
    assert login(owner).get("/enseignants/offres/").status_code == 403


def test_outsider_gets_404_on_every_collective_page_and_action(login, space, outsider, teacher):
    showcase = make_showcase(space["venue"])
    offer = make_collective_offer(space["venue"])
    booking = booking_services.prebook(user=teacher, offer=offer)
    client = login(outsider)
    for kind, obj in (("vitrines", showcase), ("offres", offer)):
        base = f"/collectif/{kind}/{obj.public_id}/"
        for method, url in [
            ("get", base),
            ("get", base + "modifier/"),
            ("post", base + "modifier/"),
            ("post", base + "publier/"),
            ("post", base + "archiver/"),
            ("post", base + "dupliquer/"),
        ]:
            assert getattr(client, method)(url).status_code == 404, url
    assert (
        client.get(f"/collectif/offres/nouvelle/?vitrine={showcase.public_id}").status_code == 404
    )
    assert (
        client.post(
            f"/reservations/collectives/{booking.public_id}/annuler/", {"comment": "x"}
        ).status_code
        == 404
    )
    assert list(client.get("/reservations/collectives/").context["page"]) == []
    assert CollectiveBooking.objects.get().status == "prebooked"
    assert CollectiveShowcase.objects.count() == 1


def test_collective_actions_refuse_get(login, space, owner):
    showcase = make_showcase(space["venue"])
    client = login(owner)
    for action in ("publier", "archiver", "dupliquer"):
        assert client.get(f"/collectif/vitrines/{showcase.public_id}/{action}/").status_code == 405


def test_pro_list_shows_the_display_status(login, space, owner, teacher):
    make_collective_offer(space["venue"], title="Ouverte")
    booked = make_collective_offer(space["venue"], title="Préréservée")
    booking_services.prebook(user=teacher, offer=booked)
    make_collective_offer(space["venue"], title="Brouillon", status="draft")
    rows = {o.title: o.display_status for o in login(owner).get("/collectif/").context["offers"]}
    assert rows == {"Ouverte": "published", "Préréservée": "prebooked", "Brouillon": "draft"}
    html = login(owner).get("/collectif/?status=prebooked").content.decode()
    assert "Préréservée" in html and "Ouverte" not in html


def test_collective_bookings_export_has_school_uai_and_name(login, space, owner, teacher, school):
    booking = booking_services.prebook(
        user=teacher, offer=make_collective_offer(space["venue"], title="Atelier")
    )
    response = login(owner).get("/reservations/collectives/export.csv")
    raw = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw), delimiter=";"))
    assert rows[0][3:5] == ["UAI de l'établissement", "Nom de l'établissement"]
    assert rows[1][3] == school.uai and rows[1][4] == school.name
    assert rows[1][11] == "Préréservée"
    assert booking.offer.title == rows[1][1]
    xlsx = login(owner).get("/reservations/collectives/export.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    from datetime import datetime

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True).active
    row = list(sheet.iter_rows(values_only=True))[1]
    assert isinstance(row[2], datetime) and isinstance(row[7], datetime)  # typed dates
    assert isinstance(row[9], int) and isinstance(row[10], int | float)  # pupils, euros


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_list_queries_do_not_grow(login, space, owner, teacher):
    client = login(owner)
    tclient_user = teacher

    def add(n, start):
        for i in range(n):
            offer = make_collective_offer(space["venue"], title=f"O{start + i}")
            make_showcase(space["venue"], title=f"V{start + i}")
            booking_services.prebook(
                user=make_teacher(make_school(f"069{start + i + 10:04d}")), offer=offer
            )

    add(2, 0)
    small = [_queries(client, u) for u in ("/collectif/", "/reservations/collectives/")]
    teacher_small = _queries(login(tclient_user), "/enseignants/offres/")
    add(15, 2)
    client = login(owner)
    large = [_queries(client, u) for u in ("/collectif/", "/reservations/collectives/")]
    assert large == small
    assert _queries(login(tclient_user), "/enseignants/offres/") == teacher_small
