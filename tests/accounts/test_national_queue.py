"""Signups nobody would see: the officers of the département are e-mailed on each new
signup; a département without an officer goes to the national queue (site staff), who
validate it there; the page after registering names who reviews it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Collectivite, Status
from tests.accounts.test_onboarding import COLLECTIVITE, VENUE
from tests.factories import UserFactory, make_officer, valid_siret

pytestmark = pytest.mark.django_db

ISERE = {
    **COLLECTIVITE,
    "col-name": "Commune de L'Haÿ & <Fils>",
    "col-postal_code": "38000",
    "col-city": "Grenoble",
    **VENUE,
    "venue-postal_code": "38000",
    "venue-city": "Grenoble",
}


def _register(login, data, n=7001) -> tuple[Collectivite, Client]:
    client = login(UserFactory(first_name="Camille"))
    siret = valid_siret(n)
    response = client.post(f"/structure/nouvelle/?siret={siret}", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    collectivite = Collectivite.objects.get(siret=siret)
    return collectivite, client


def test_officers_of_the_departement_are_emailed_and_named(
    login, django_capture_on_commit_callbacks
):
    officer = make_officer("69", first_name="Nadia", last_name="Rousseau")
    make_officer("75")  # another département: not told
    with django_capture_on_commit_callbacks(execute=True):
        collectivite, client = _register(login, {**COLLECTIVITE, **VENUE})
    told = [m for m in mail.outbox if m.subject.startswith("Nouvelle inscription")]
    assert [m.to for m in told] == [[officer.email]]
    assert told[0].subject == "Nouvelle inscription à examiner : Commune de Sainte-Foy (Rhône)"
    assert f"/revue/collectivite/{collectivite.public_id}/" in told[0].body
    page = client.get(f"/collectivites/{collectivite.public_id}/").content.decode()
    assert "Nadia Rousseau" in page and officer.email in page


def test_a_departement_without_officer_goes_to_the_national_queue(
    login, django_capture_on_commit_callbacks, settings
):
    settings.NATIONAL_REVIEW_EMAIL = "nationale@passlib.example.org"
    make_officer("69")
    staff = UserFactory(is_staff=True, first_name="Équipe")
    with django_capture_on_commit_callbacks(execute=True):
        collectivite, client = _register(login, ISERE)
    assert collectivite.departement == "38"
    told = [m for m in mail.outbox if m.subject.startswith("Nouvelle inscription")]
    assert [m.to for m in told] == [[staff.email]]
    assert "file nationale" in told[0].body
    assert "L'Haÿ & <Fils>" in told[0].subject  # plain text, not escaped
    page = client.get(f"/collectivites/{collectivite.public_id}/").content.decode()
    assert "Aucune personne chargée du territoire ne couvre encore ce département" in page
    assert "nationale@passlib.example.org" in page

    national = login(staff)
    queue = national.get("/revue/").content.decode()
    assert "L&#x27;Haÿ &amp; &lt;Fils&gt;" in queue
    response = national.post(
        f"/revue/collectivite/{collectivite.public_id}/valider/", {"comment": ""}
    )
    assert response.status_code == 302
    collectivite.refresh_from_db()
    assert collectivite.status == Status.VALIDATED
    # An officer of another département still cannot see it.
    other = login(make_officer("69"))
    assert other.get(f"/revue/collectivite/{collectivite.public_id}/").status_code == 404


def test_staff_do_not_review_what_an_officer_covers(login):
    make_officer("69")
    collectivite, _ = _register(login, {**COLLECTIVITE, **VENUE}, n=7002)
    staff = login(UserFactory(is_staff=True))
    assert staff.get(f"/revue/collectivite/{collectivite.public_id}/").status_code == 404
