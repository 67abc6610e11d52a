from pathlib import Path

import pytest
from django.core import mail
from django.utils.html import escape

from accounts.models import (
    NO_SIRET_COMMENT,
    ActionLog,
    Collectivite,
    Membership,
    Role,
    Status,
    Venue,
    Verb,
)
from accounts.sirene import FALLBACK_NOTICE
from tests.factories import UserFactory, make_officer, valid_siret

pytestmark = pytest.mark.django_db

LYON_SIRET = "21690123100011"
RESPONSES = Path(__file__).parent / "sirene_responses"

COLLECTIVITE = {
    "col-name": "Commune de Sainte-Foy",
    "col-address": "10 rue Commandant Charcot",
    "col-postal_code": "69110",
    "col-city": "Sainte-Foy-lès-Lyon",
    "col-legal_category_code": "7210",
}
VENUE = {
    "venue-name": "Médiathèque de Sainte-Foy",
    "venue-public_name": "",
    "venue-venue_type": "library",
    "venue-address": "1 place Xavier Ricard",
    "venue-postal_code": "69110",
    "venue-city": "Sainte-Foy-lès-Lyon",
    "venue-siret": "",
    "venue-siret_comment": "",
    "venue-booking_email": "mediatheque@saintefoy.fr",
    "venue-accessibility_motor": "on",
    "venue-withdrawal_details": "",
}


@pytest.fixture
def librarian(login):
    user = UserFactory(first_name="Camille")
    return user, login(user)


def test_siret_step_sends_an_unknown_siren_to_case_a(librarian):
    _, client = librarian
    response = client.post("/structure/siret/", {"siret": "216 901 231 00011"})
    assert response.status_code == 302
    assert response.url == f"/structure/nouvelle/?siret={LYON_SIRET}"


def test_siret_step_sends_a_known_siren_to_case_b(librarian, space):
    _, client = librarian
    siret = space["collectivite"].siret
    response = client.post("/structure/siret/", {"siret": siret[:9] + "00099"[:0] + siret[9:]})
    assert response.status_code == 302
    assert response.url == f"/structure/{siret[:9]}/rejoindre/?siret={siret}"


def test_siret_step_shows_the_checksum_error_next_to_the_field(librarian):
    _, client = librarian
    response = client.post("/structure/siret/", {"siret": "21690123100012"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "clé de contrôle incorrecte" in html
    assert 'value="21690123100012"' in html


def test_case_a_shows_advice_and_the_officers_of_the_departement(librarian, settings):
    officer = make_officer("69", first_name="Nadia", last_name="Rousseau")
    make_officer("75", first_name="Paul", last_name="Parisien")
    _, client = librarian
    settings.SIRENE_BACKEND = "recherche-entreprises"
    with _recorded("active_commune"):
        client.post("/structure/siret/", {"siret": LYON_SIRET})
    response = client.get(f"/structure/nouvelle/?siret={LYON_SIRET}")
    html = response.content.decode()
    assert "service culturel de votre collectivité" in html
    assert "Nadia Rousseau" in html
    assert officer.officer.public_email in html
    assert "Paul Parisien" not in html
    assert "vérifié dans le répertoire Sirene" in html
    assert 'value="COMMUNE DE LYON"' in html


def test_case_a_creates_collectivite_venue_and_first_admin_all_pending(librarian):
    user, client = librarian
    siret = valid_siret(4242)
    response = client.post(f"/structure/nouvelle/?siret={siret}", {**COLLECTIVITE, **VENUE})
    collectivite = Collectivite.objects.get(siren=siret[:9])
    assert response.status_code == 302
    assert response.url == f"/collectivites/{collectivite.public_id}/"
    assert collectivite.status == Status.NEW
    assert collectivite.departement == "69"
    assert collectivite.is_collectivite
    assert not collectivite.sirene_verified  # offline backend
    venue = collectivite.venues.get()
    assert venue.status == Status.NEW
    assert venue.siret_comment == NO_SIRET_COMMENT
    assert venue.accessibility_motor and not venue.accessibility_audio
    membership = Membership.objects.get(user=user, collectivite=collectivite)
    assert membership.role == Role.ADMIN and membership.status == Status.VALIDATED
    assert ActionLog.objects.filter(collectivite=collectivite, verb=Verb.SUBMITTED).count() == 1


def test_case_a_flags_a_siret_outside_the_collectivite_table(librarian):
    _, client = librarian
    siret = valid_siret(4243)
    client.post(
        f"/structure/nouvelle/?siret={siret}",
        {**COLLECTIVITE, "col-legal_category_code": "9220", **VENUE},
    )
    collectivite = Collectivite.objects.get(siren=siret[:9])
    assert not collectivite.is_collectivite
    assert collectivite.legal_category_label == "Association déclarée"


def test_case_a_overseas_venue_gets_its_time_zone(librarian):
    _, client = librarian
    siret = valid_siret(4244)
    data = {
        **COLLECTIVITE,
        "col-postal_code": "97400",
        "col-city": "Saint-Denis",
        **VENUE,
        "venue-postal_code": "97400",
    }
    client.post(f"/structure/nouvelle/?siret={siret}", data)
    venue = Venue.objects.get(collectivite__siren=siret[:9])
    assert venue.departement == "974"
    assert venue.time_zone == "Indian/Reunion"


def test_case_a_errors_keep_what_was_typed_and_create_nothing(librarian):
    _, client = librarian
    siret = valid_siret(4245)
    data = {**COLLECTIVITE, "col-postal_code": "98000", **VENUE, "venue-booking_email": "x"}
    response = client.post(f"/structure/nouvelle/?siret={siret}", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "ne correspond à aucun département" in html
    assert "adresse électronique valide" in html
    assert 'value="Commune de Sainte-Foy"' in html
    assert 'value="Médiathèque de Sainte-Foy"' in html
    assert not Collectivite.objects.exists()
    assert not Venue.objects.exists()


def test_case_a_with_sirene_timeout_still_registers_unverified(librarian, settings):
    _, client = librarian
    settings.SIRENE_BACKEND = "recherche-entreprises"
    with _failing():
        client.post("/structure/siret/", {"siret": LYON_SIRET})
        response = client.get(f"/structure/nouvelle/?siret={LYON_SIRET}")
    assert escape(FALLBACK_NOTICE) in response.content.decode()
    response = client.post(f"/structure/nouvelle/?siret={LYON_SIRET}", {**COLLECTIVITE, **VENUE})
    assert response.status_code == 302
    assert not Collectivite.objects.get(siren="216901231").sirene_verified


def test_case_a_uses_sirene_legal_category_when_verified(librarian, settings):
    _, client = librarian
    settings.SIRENE_BACKEND = "recherche-entreprises"
    with _recorded("active_commune"):
        client.post("/structure/siret/", {"siret": LYON_SIRET})
    # a tampered legal category is ignored: Sirene's is authoritative
    data = {**COLLECTIVITE, "col-legal_category_code": "9220", **VENUE}
    client.post(f"/structure/nouvelle/?siret={LYON_SIRET}", data)
    collectivite = Collectivite.objects.get(siren="216901231")
    assert collectivite.sirene_verified
    assert collectivite.legal_category_code == "7210"
    assert collectivite.ape_code == "84.11Z"


def test_case_a_with_a_known_siren_redirects_to_case_b(librarian, space):
    _, client = librarian
    siret = space["collectivite"].siret
    response = client.get(f"/structure/nouvelle/?siret={siret}")
    assert response.status_code == 302
    assert "/rejoindre/" in response.url


def test_case_b_names_the_collectivite_and_its_admins_without_emails(librarian, space, owner):
    _, client = librarian
    collectivite = space["collectivite"]
    response = client.get(f"/structure/{collectivite.siren}/rejoindre/")
    html = response.content.decode()
    assert "Cette collectivité est déjà inscrite" in html
    assert collectivite.name in html
    assert owner.display_name in html
    assert owner.email not in html
    assert "Rejoindre cet espace" in html
    # a way to reach them (issue 27): the request's message, sent to them by e-mail,
    # whose field the page links to; their addresses stay private
    assert '<a href="#id_join-message">écrivez-leur avec votre demande ci-dessous</a>' in html
    assert 'id="id_join-message"' in html
    assert "mailto:" not in html


def test_case_b_creates_a_pending_request_with_own_venue_and_emails_admins(
    librarian, space, owner, django_capture_on_commit_callbacks
):
    user, client = librarian
    collectivite = space["collectivite"]
    data = {**VENUE, "join-message": "Bonjour, je gère la médiathèque du quartier."}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/structure/{collectivite.siren}/rejoindre/", data)
    assert response.status_code == 302
    membership = Membership.objects.get(user=user)
    assert membership.status == Status.NEW
    assert membership.role == Role.MEMBER
    venue = membership.requested_venue
    assert venue.collectivite == collectivite
    assert venue.status == Status.NEW
    assert venue.siret_comment == "Lieu sans SIRET : dépend du SIRET de la collectivité"
    assert list(membership.venues.all()) == [venue]
    assert ActionLog.objects.filter(membership=membership, verb=Verb.JOIN_REQUESTED).exists()
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "Nouvelle demande" in mail.outbox[0].subject
    assert "Bonjour, je gère" in mail.outbox[0].body
    # the administrators can answer the requester
    assert f"Pour lui répondre : {user.email}" in mail.outbox[0].body
    html_body = mail.outbox[0].alternatives[0][0]
    assert f'href="mailto:{user.email}"' in html_body


def test_case_b_second_request_is_refused(librarian, space):
    user, client = librarian
    collectivite = space["collectivite"]
    client.post(f"/structure/{collectivite.siren}/rejoindre/", VENUE)
    response = client.post(f"/structure/{collectivite.siren}/rejoindre/", VENUE)
    assert "demande de rattachement est « En attente »" in response.content.decode()
    assert Membership.objects.filter(user=user).count() == 1
    assert Venue.objects.filter(name=VENUE["venue-name"]).count() == 1


def test_case_b_errors_keep_the_typed_data(librarian, space):
    _, client = librarian
    collectivite = space["collectivite"]
    data = {**VENUE, "venue-name": "", "join-message": "Mon message"}
    response = client.post(f"/structure/{collectivite.siren}/rejoindre/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mon message" in html
    assert 'value="1 place Xavier Ricard"' in html
    assert not Membership.objects.filter(status=Status.NEW).exists()


def test_public_officer_page_lists_the_departement_officers(client, officer, other_officer):
    response = client.get("/charges-de-territoire/?departement=69")
    html = response.content.decode()
    assert officer.display_name in html
    assert officer.officer.public_email in html
    assert other_officer.display_name not in html


def test_public_officer_page_htmx_returns_only_the_results(client, officer):
    response = client.get("/charges-de-territoire/?departement=69", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert officer.display_name in html


# --- helpers ---------------------------------------------------------------------------


class _recorded:
    """Make the online backend read a recorded JSON file instead of the network."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self):
        from unittest import mock

        body = (RESPONSES / f"{self.name}.json").read_bytes()
        self.patch = mock.patch("accounts.sirene._http_get", return_value=body)
        return self.patch.__enter__()

    def __exit__(self, *exc):
        return self.patch.__exit__(*exc)


class _failing(_recorded):
    def __init__(self) -> None:
        super().__init__("")

    def __enter__(self):
        from unittest import mock

        self.patch = mock.patch("accounts.sirene._http_get", side_effect=TimeoutError("timed out"))
        return self.patch.__enter__()


def test_a_siret_that_is_not_a_collectivite_is_said_before_registering(librarian, settings):
    """An association (or La Poste): Sirene knows it, it is not a collectivité; the page
    says it will be flagged "hors collectivité" before anything is created, and
    explains "non vérifié" when Sirene did not answer."""
    _, client = librarian
    settings.SIRENE_BACKEND = "recherche-entreprises"
    with _recorded("association"):
        client.post("/structure/siret/", {"siret": "77567227200017"})
    html = client.get("/structure/nouvelle/?siret=77567227200017").content.decode()
    assert "n'est pas celui d'une collectivité" in html
    assert "« hors collectivité »" in html
    settings.SIRENE_BACKEND = "offline"
    html = client.get(f"/structure/nouvelle/?siret={LYON_SIRET}").content.decode()
    assert "« Non vérifié » : le répertoire Sirene n'a pas pu confirmer" in html
    assert "hors collectivité" not in html


def test_the_login_page_links_every_sign_up(client):
    """Young people and teachers have their own sign-up, not only the library's (issue 27)."""
    html = client.get("/connexion/").content.decode()
    for url in ("/jeunes/inscription/", "/enseignants/inscription/", "/inscription/"):
        assert f'href="{url}"' in html, url
