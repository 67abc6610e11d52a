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

PRO_ONLY = ("Trouver la personne chargée de mon territoire", "Quelle catégorie pour mon offre ?")


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
        for text in (
            *PRO_ONLY,
            "Rattacher ma bibliothèque",
            "Catégories d&#x27;offres",
            ">Mon espace<",
        ):
            assert text not in html, (page, text)
    bookings = client.get(pages[0] if who == "beneficiary" else pages[1]).content.decode()
    assert "Supprimer mon compte" in bookings
    deletion = client.get("/compte/supprimer/").content.decode()
    assert ("tu ne pourras plus te connecter" in deletion) == (who == "beneficiary")


def test_a_librarian_sees_the_pro_links_and_not_the_young_peoples_entry(login, space):
    member = MembershipFactory(collectivite=space["collectivite"]).user
    html = login(member).get("/offres/").content.decode()
    nav = re.search(r"<nav aria-label=\"Navigation principale\">(.*?)</nav>", html, re.S).group(1)
    assert "Offres pour les jeunes" not in nav and "Trouver la personne chargée" not in nav
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
    young = mail.outbox[-1]
    assert "professionnel" not in young.body
    # a young person is spoken to with "tu", in the e-mail and on the pages around it
    assert young.subject == "Confirme ton adresse électronique"
    assert "confirme ton adresse" in young.body and "vous" not in young.body
    sent = client.get("/inscription/envoyee/").content.decode()
    assert "Confirme ton adresse électronique" in sent and "Ouvrez" not in sent
    path = re.search(r"https?://[^/\s]+(/inscription/confirmer/\S+/)", young.body).group(1)
    assert "pour activer ton compte" in client.get(path).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/enseignants/inscription/",
            {
                "first_name": "Marc",
                "last_name": "Lefort",
                "email": "marc@ac-lyon.fr",
                "uai": make_school().uai,
                "password": "lecture-publique-2026",
                "password_confirm": "lecture-publique-2026",
                "accept_terms": "on",
            },
        )
    teacher = mail.outbox[-1]
    assert teacher.to == ["marc@ac-lyon.fr"]
    assert "professionnel" not in teacher.body and "confirmez votre adresse" in teacher.body


@pytest.mark.parametrize(
    "path", ["/jeunes/offres/", "/jeunes/inscription/", "/enseignants/inscription/"]
)
def test_a_visitor_of_the_young_and_teacher_pages_sees_no_professional_link(client, path):
    html = client.get(path).content.decode()
    for text in (*PRO_ONLY, "Catégories d&#x27;offres"):
        assert text not in html, (path, text)
    assert "Se connecter" in html


def test_every_cancellation_and_removal_asks_first(login, space):
    """An irreversible button opens its confirmation first (a <details>, no script):
    bookings (young person, venue), collective bookings (teacher, venue), members, an
    offer and a session without bookings."""
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
    unbooked = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Sans réservation")
    make_session(unbooked)
    pages = [
        (young, "/jeunes/reservations/", "Oui, annuler"),
        (
            owner,
            f"/offres/{unbooked.public_id}/",
            'suppression<span class="visually-hidden"> de l\'offre',
        ),
        (
            owner,
            f"/offres/{unbooked.public_id}/",
            'suppression<span class="visually-hidden"> de la séance',
        ),
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
        # no destructive button outside a confirmation
        outside = re.sub(r"<details class=\"confirm\">.*?</details>", "", html, flags=re.S)
        assert "button-danger" not in re.sub(
            r"<form[^>]*(rejeter|reject)[^>]*>.*?</form>", "", outside, flags=re.S
        ), url


def test_a_period_reads_as_french_people_say_it():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from offers.templatetags.period import period

    paris = ZoneInfo("Europe/Paris")
    start = datetime(2027, 1, 26, 9, 30, tzinfo=paris)
    assert period(start, start.replace(hour=11)) == "le 26 janvier 2027 de 09:30 à 11:30"
    assert period(start, start.replace(day=27)) == (
        "du 26 janvier 2027 à 09:30 au 27 janvier 2027 à 09:30"
    )
    assert period(None, start) == ""


def test_the_last_administrator_is_not_offered_a_removal_that_would_be_refused(login, space):
    owner = MembershipFactory(collectivite=space["collectivite"]).user
    colleague = MembershipFactory(collectivite=space["collectivite"], role="member")
    html = login(owner).get(f"/collectivites/{space['collectivite'].public_id}/").content.decode()
    assert html.count("Confirmer le retrait") == 1  # the colleague only
    assert f"/membres/{colleague.public_id}/retirer/" in html
    assert "Seule personne à administrer l'espace" in html


def test_review_decisions_agree_in_gender_and_flags_are_explained(login, space):
    from accounts.models import Status
    from accounts.views.review import decision_message
    from tests.factories import CollectiviteFactory, make_officer

    collectivite = CollectiviteFactory(name="Commune d'Eybens", status=Status.VALIDATED)
    venue = space["venue"]
    assert (
        decision_message("collectivite", collectivite)
        == "Collectivité « Commune d'Eybens » validée."
    )
    venue.status = Status.PENDING
    assert decision_message("lieu", venue) == f"Lieu « {venue} » mis en suspens."
    venue.status = Status.REJECTED
    assert decision_message("lieu", venue) == f"Lieu « {venue} » rejeté."

    pending = CollectiviteFactory(
        name="Commune de Seyssins", departement="38", postal_code="38180", sirene_verified=False
    )
    pending.status = Status.NEW
    pending.save()
    html = (
        login(make_officer("38")).get(f"/revue/collectivite/{pending.public_id}/").content.decode()
    )
    assert "38 — Isère" in html
    assert "le répertoire Sirene n&#x27;a pas pu confirmer" in html or (
        "le répertoire Sirene n'a pas pu confirmer" in html
    )
