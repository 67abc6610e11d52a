"""Each audience in its own world: a young person and a teacher are not sent through the
professionals' pages and links, professionals do not see the young people's entry, the
page chrome reads right (title, favicon), and personal data stays out of URLs."""

from __future__ import annotations

import re

import pytest

from tests.factories import (
    MembershipFactory,
    make_beneficiary,
    make_offer,
    make_school,
    make_teacher,
)

pytestmark = pytest.mark.django_db

PRO_ONLY = ("Trouver mon chargé de territoire", "Quelle catégorie pour mon offre ?")


def test_a_young_person_and_a_teacher_land_on_their_own_pages(login):
    assert login(make_beneficiary(16)).get("/espace/").url == "/jeunes/reservations/"
    teacher = make_teacher(make_school())
    assert login(teacher).get("/espace/").url == "/enseignants/offres/"


@pytest.mark.parametrize("who", ["beneficiary", "teacher"])
def test_pro_only_links_are_not_shown_to_young_people_and_teachers(login, who):
    user = make_beneficiary(16) if who == "beneficiary" else make_teacher(make_school())
    pages = (
        ["/jeunes/reservations/", "/jeunes/offres/"]
        if who == "beneficiary"
        else ["/enseignants/offres/", "/enseignants/reservations/"]
    )
    client = login(user)
    for page in pages:
        html = client.get(page).content.decode()
        for text in (*PRO_ONLY, "Rattacher ma bibliothèque", "Catégories d&#x27;offres"):
            assert text not in html, (page, text)
    bookings = client.get(pages[0] if who == "beneficiary" else pages[1]).content.decode()
    assert "Supprimer mon compte" in bookings


def test_a_librarian_sees_the_pro_links_and_not_the_young_peoples_entry(login, space):
    member = MembershipFactory(collectivite=space["collectivite"]).user
    html = login(member).get("/offres/").content.decode()
    nav = re.search(r"<nav aria-label=\"Navigation principale\">(.*?)</nav>", html, re.S).group(1)
    assert "Offres pour les jeunes" not in nav and "Trouver mon chargé" not in nav
    assert "Guichet" in nav and "Quelle catégorie pour mon offre ?" in html


def test_the_home_page_leads_teachers_and_young_people_to_their_sign_up(client):
    html = client.get("/").content.decode()
    assert 'href="/enseignants/inscription/"' in html and "Créer mon compte enseignant" in html
    assert 'href="/jeunes/offres/"' in html


def test_page_chrome_title_without_markup_and_a_favicon(login, client):
    html = login(make_beneficiary(17)).get("/compte/supprimer/").content.decode()
    from tests.factories import UserFactory

    dashboard = login(UserFactory()).get("/espace/").content.decode()
    title = re.search(r"<title>(.*?)</title>", dashboard, re.S).group(1)
    assert title == "Mon espace — passlib"
    icon = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    assert client.get(icon).status_code == 200


def test_the_offer_form_refreshes_by_post_so_no_token_or_email_goes_in_a_url(login, space):
    member = MembershipFactory(collectivite=space["collectivite"]).user
    make_offer(space["venue"])
    html = login(member).get("/offres/nouvelle/").content.decode()
    assert "hx-post=" in html and 'hx-vals=\'{"refresh": "1"}\'' in html
    assert not re.search(r"hx-get=\"[^\"]*\"[^>]*hx-include=\"#offer-form\"", html)


def test_the_confirmation_email_speaks_to_every_audience(
    client, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/jeunes/inscription/",
            {
                "first_name": "Inès",
                "last_name": "Durand",
                "email": "ines@exemple.fr",
                "birth_date": "2010-01-10",
                "password": "lecture-publique-2026",
                "password_confirm": "lecture-publique-2026",
                "accept_terms": "on",
            },
        )
    assert "professionnel" not in mail.outbox[-1].body


def test_every_cancellation_and_removal_asks_first(login, space):
    """An irreversible button opens its confirmation first (a <details>, no script):
    bookings (young person, venue), collective bookings (teacher, venue), members."""
    from offers.services import bookings as booking_services
    from offers.services import collective_bookings as collective_services
    from tests.factories import make_collective_offer, make_session

    owner = MembershipFactory(collectivite=space["collectivite"]).user
    MembershipFactory(collectivite=space["collectivite"], role="member")
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART")
    young = make_beneficiary(17)
    booking_services.booking_create(user=young, offer=offer, session=make_session(offer))
    teacher = make_teacher(make_school())
    collective = collective_services.prebook(
        user=teacher, offer=make_collective_offer(space["venue"], title="Atelier")
    )
    pages = [
        (young, "/jeunes/reservations/", "Oui, annuler"),
        (owner, "/reservations/", "Confirmer l&#x27;annulation"),
        (teacher, "/enseignants/reservations/", "Confirmer l&#x27;annulation"),
        (
            owner,
            f"/collectif/offres/{collective.offer.public_id}/",
            "Confirmer l&#x27;annulation",
        ),
        (owner, f"/collectivites/{space['collectivite'].public_id}/", "Confirmer le retrait"),
    ]
    for user, url, confirm in pages:
        html = login(user).get(url).content.decode()
        assert '<details class="confirm">' in html, url
        assert confirm in html or confirm.replace("&#x27;", "'") in html, url
