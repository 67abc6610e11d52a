"""The officers' review queue: scope by département, filters, counts, transitions."""

import pytest
from django.core import mail

from accounts.models import ActionLog, Collectivite, Membership, Role, Status, Venue, Verb
from accounts.services.review import collectivite_review
from passlib.refusal import Refusal
from tests.factories import CollectiviteFactory, MembershipFactory, VenueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signup_69(db):
    """A case-A signup in the Rhône: pending collectivité, its first venue and admin."""
    collectivite = CollectiviteFactory(
        name="Commune de Bron", status=Status.NEW, sirene_verified=False
    )
    venue = VenueFactory(collectivite=collectivite, name="Médiathèque de Bron", status=Status.NEW)
    admin = MembershipFactory(collectivite=collectivite).user
    return {"collectivite": collectivite, "venue": venue, "admin": admin}


@pytest.fixture
def signup_75(db):
    collectivite = CollectiviteFactory(
        name="Association parisienne",
        status=Status.NEW,
        departement="75",
        postal_code="75011",
        is_collectivite=False,
        legal_category_code="9220",
    )
    MembershipFactory(collectivite=collectivite)
    return collectivite


def detail_url(kind, obj):
    return f"/revue/{kind}/{obj.public_id}/"


def test_queue_lists_only_the_officers_departements(login, officer, signup_69, signup_75):
    response = login(officer).get("/revue/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Commune de Bron" in html
    assert "Association parisienne" not in html


def test_officer_of_69_gets_404_on_a_signup_of_75(login, officer, signup_75):
    client = login(officer)
    assert client.get(detail_url("collectivite", signup_75)).status_code == 404
    response = client.post(detail_url("collectivite", signup_75) + "valider/")
    assert response.status_code == 404
    signup_75.refresh_from_db()
    assert signup_75.status == Status.NEW


def test_non_officers_get_403(login, owner, signup_69):
    client = login(owner)
    assert client.get("/revue/").status_code == 403
    assert client.get(detail_url("collectivite", signup_69["collectivite"])).status_code == 403


def test_counts_and_filters(login, officer, signup_69, space, join_request_69):
    client = login(officer)
    response = client.get("/revue/")
    counts = dict(response.context["counts"])
    # new: Bron collectivité + Bron venue + the join request + its venue
    assert counts["En attente"] == 4
    assert counts["Validé"] >= 3  # the validated space and its venues
    rows = client.get("/revue/?kind=demande").context["rows"]
    assert [r.kind for r in rows] == ["demande"]
    rows = client.get("/revue/?non_verifie=on").context["rows"]
    assert {r.collectivite.name for r in rows} == {"Commune de Bron"}
    rows = client.get("/revue/?status=validated&kind=collectivite").context["rows"]
    assert [r.obj for r in rows] == [space["collectivite"]]
    assert client.get("/revue/?hors_collectivite=on").context["rows"] == []


def test_queue_htmx_returns_the_results_fragment(login, officer, signup_69):
    response = login(officer).get("/revue/?kind=collectivite", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "Commune de Bron" in html


@pytest.fixture
def join_request_69(space):
    venue = VenueFactory(collectivite=space["collectivite"], name="Annexe", status=Status.NEW)
    return MembershipFactory(
        collectivite=space["collectivite"],
        role=Role.MEMBER,
        status=Status.NEW,
        requested_venue=venue,
        venues=[venue],
    )


def test_validating_a_collectivite_validates_its_first_venue_logs_and_emails(
    login, officer, signup_69, django_capture_on_commit_callbacks
):
    collectivite = signup_69["collectivite"]
    with django_capture_on_commit_callbacks(execute=True):
        response = login(officer).post(
            detail_url("collectivite", collectivite) + "valider/", {"comment": "Dossier complet"}
        )
    assert response.status_code == 302
    collectivite.refresh_from_db()
    signup_69["venue"].refresh_from_db()
    assert collectivite.status == Status.VALIDATED
    assert signup_69["venue"].status == Status.VALIDATED
    log = ActionLog.objects.get(collectivite=collectivite, verb=Verb.VALIDATED)
    assert log.actor == officer and log.comment == "Dossier complet"
    assert mail.outbox[0].to == [signup_69["admin"].email]
    assert "Validation" in mail.outbox[0].subject
    # the history shows on the object's page
    html = login(officer).get(detail_url("collectivite", collectivite)).content.decode()
    assert "Dossier complet" in html and officer.display_name in html


def test_reject_needs_a_reason_and_keeps_the_comment(login, officer, signup_69):
    collectivite = signup_69["collectivite"]
    response = login(officer).post(
        detail_url("collectivite", collectivite) + "rejeter/", {"comment": "Mon commentaire"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choisissez le motif du rejet" in html
    assert "Mon commentaire" in html
    collectivite.refresh_from_db()
    assert collectivite.status == Status.NEW
    assert not ActionLog.objects.filter(verb=Verb.REJECTED).exists()


def test_reject_with_reason_rejects_and_emails(
    login, officer, signup_69, django_capture_on_commit_callbacks
):
    collectivite = signup_69["collectivite"]
    with django_capture_on_commit_callbacks(execute=True):
        login(officer).post(
            detail_url("collectivite", collectivite) + "rejeter/",
            {"reason": "closed", "comment": "Établissement fermé en 2019"},
        )
    collectivite.refresh_from_db()
    assert collectivite.status == Status.REJECTED
    assert Venue.objects.get(pk=signup_69["venue"].pk).status == Status.REJECTED
    assert "Structure fermée" in mail.outbox[0].body


def test_hold_needs_a_comment_then_validating_from_hold_works(login, officer, signup_69):
    client = login(officer)
    collectivite = signup_69["collectivite"]
    response = client.post(detail_url("collectivite", collectivite) + "suspendre/")
    assert response.status_code == 400
    client.post(
        detail_url("collectivite", collectivite) + "suspendre/",
        {"comment": "Merci d'envoyer la délibération"},
    )
    collectivite.refresh_from_db()
    assert collectivite.status == Status.PENDING
    client.post(detail_url("collectivite", collectivite) + "valider/")
    collectivite.refresh_from_db()
    assert collectivite.status == Status.VALIDATED
    verbs = list(
        ActionLog.objects.filter(collectivite=collectivite)
        .order_by("created_at", "id")
        .values_list("verb", flat=True)
    )
    assert verbs == [Verb.PUT_ON_HOLD, Verb.VALIDATED]


def test_validating_twice_is_refused(login, officer, signup_69):
    client = login(officer)
    collectivite = signup_69["collectivite"]
    client.post(detail_url("collectivite", collectivite) + "valider/")
    response = client.post(
        detail_url("collectivite", collectivite) + "rejeter/", {"reason": "other", "comment": "x"}
    )
    assert response.status_code == 400
    assert "le statut est déjà « Validé »" in response.content.decode()
    assert ActionLog.objects.filter(collectivite=collectivite).count() == 1


def test_a_collectivite_without_admin_cannot_be_validated(officer):
    collectivite = CollectiviteFactory(status=Status.NEW)
    with pytest.raises(Refusal, match=r"Personne n.administre encore"):
        collectivite_review(actor=officer, collectivite=collectivite, action="validate")
    collectivite.refresh_from_db()
    assert collectivite.status == Status.NEW


def test_officer_approves_a_join_request(login, officer, join_request_69):
    login(officer).post(detail_url("demande", join_request_69) + "valider/")
    join_request_69.refresh_from_db()
    assert join_request_69.status == Status.VALIDATED
    assert join_request_69.requested_venue.status == Status.VALIDATED


def test_batch_validate(login, officer, signup_69, join_request_69, signup_75):
    client = login(officer)
    items = [
        f"collectivite:{signup_69['collectivite'].public_id}",
        f"demande:{join_request_69.public_id}",
        f"collectivite:{signup_75.public_id}",  # outside the officer's départements
    ]
    response = client.post("/revue/valider/", {"items": items}, follow=True)
    html = response.content.decode()
    assert "2 éléments validés" in html
    assert "introuvable" in html
    assert Collectivite.objects.get(pk=signup_69["collectivite"].pk).status == Status.VALIDATED
    assert Membership.objects.get(pk=join_request_69.pk).status == Status.VALIDATED
    assert Collectivite.objects.get(pk=signup_75.pk).status == Status.NEW


def test_review_actions_refuse_get(login, officer, signup_69):
    client = login(officer)
    assert client.get("/revue/valider/").status_code == 405
    url = detail_url("collectivite", signup_69["collectivite"]) + "valider/"
    assert client.get(url).status_code == 405


def test_queue_queries_do_not_grow_with_rows(login, officer, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(officer)
    for _ in range(3):
        VenueFactory(collectivite=CollectiviteFactory(status=Status.NEW), status=Status.NEW)
    with CaptureQueriesContext(connection) as small:
        client.get("/revue/?status=all")
    for _ in range(20):
        VenueFactory(collectivite=CollectiviteFactory(status=Status.NEW), status=Status.NEW)
    with CaptureQueriesContext(connection) as large:
        client.get("/revue/?status=all")
    assert len(large) == len(small)


def test_venue_review_logs_and_emails_the_administrators(
    login, officer, space, owner, django_capture_on_commit_callbacks
):
    venue = VenueFactory(collectivite=space["collectivite"], name="Ludothèque", status=Status.NEW)
    with django_capture_on_commit_callbacks(execute=True):
        login(officer).post(
            f"/revue/lieu/{venue.public_id}/rejeter/",
            {"reason": "input_error", "comment": "Adresse incomplète"},
        )
    venue.refresh_from_db()
    assert venue.status == Status.REJECTED
    log = ActionLog.objects.get(venue=venue, verb=Verb.REJECTED)
    assert log.actor == officer and log.reason == "input_error"
    assert mail.outbox[-1].to == [owner.email]
    assert "Erreur de saisie" in mail.outbox[-1].body and "Ludothèque" in mail.outbox[-1].body


def test_putting_on_hold_emails_with_the_awaited_information(
    login, officer, signup_69, django_capture_on_commit_callbacks
):
    collectivite = signup_69["collectivite"]
    with django_capture_on_commit_callbacks(execute=True):
        login(officer).post(
            f"/revue/collectivite/{collectivite.public_id}/suspendre/",
            {"comment": "Merci d'envoyer la délibération"},
        )
    assert ActionLog.objects.get(collectivite=collectivite, verb=Verb.PUT_ON_HOLD)
    message = mail.outbox[-1]
    assert message.to == [signup_69["admin"].email]
    assert "Information attendue" in message.subject
    assert "délibération" in message.body
