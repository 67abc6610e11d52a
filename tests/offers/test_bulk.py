"""Grouped actions on the offers list (issue 19, point 4): publish, deactivate or
reactivate many offers in one confirmed action, one transaction, a fixed number of
queries; each refusal listed with its reason while the others are done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from offers.models import Action, Offer, OfferStatus, Session, Transition
from offers.services.bulk import offers_bulk
from passlib.refusal import Refusal
from tests.conftest import is_postgres
from tests.factories import make_offer
from tests.threads import at_once

pytestmark = pytest.mark.django_db


def programme(venue, n, *, status="draft", with_session=True, prefix="Séance"):
    offers = [make_offer(venue, title=f"{prefix} {i:03d}", status=status) for i in range(n)]
    if with_session:
        start = timezone.now() + timedelta(days=10)
        Session.objects.bulk_create(
            Session(offer=o, starts_at=start, booking_limit_at=start) for o in offers
        )
    return offers


def run(owner, action, offers):
    return offers_bulk(
        actor=owner, action=action, selection=Offer.objects.filter(pk__in=[o.pk for o in offers])
    )


def test_two_hundred_offers_in_a_fixed_number_of_queries(space, owner):
    small = programme(space["venue"], 20, prefix="Petit")
    with CaptureQueriesContext(connection) as few:
        run(owner, "publier", small)
    big = programme(space["venue"], 200, prefix="Grand")
    with CaptureQueriesContext(connection) as many:
        result = run(owner, "publier", big)
    assert len(result.done) == 200 and result.refused == []
    # One INSERT for the history on PostgreSQL; SQLite splits it to fit its 999
    # parameters per statement (a few more, still not one per offer).
    assert len(few) <= 12
    extra = [q["sql"][:120] for q in many.captured_queries[len(few) :]]
    assert len(many) - len(few) <= (0 if is_postgres() else 3), extra
    assert Offer.objects.filter(pk__in=[o.pk for o in big], status="published").count() == 200
    logged = Transition.objects.filter(
        action=Action.OFFER_PUBLISHED, comment="Action groupée", offer__in=big
    )
    assert logged.count() == 200 and {t.actor_id for t in logged} == {owner.pk}


def test_a_refused_offer_is_listed_with_its_reason_and_the_others_are_done(space, owner):
    ready = programme(space["venue"], 198)
    no_session = make_offer(space["venue"], title="Sans séance", status="draft")
    live = programme(space["venue"], 1, status="published", prefix="Déjà en ligne")[0]
    result = run(owner, "publier", [*ready, no_session, live])
    assert len(result.done) == 198
    assert sorted(result.refused) == [
        ("Déjà en ligne 000", "Ce n'est pas un brouillon."),
        ("Sans séance", "Aucune séance à venir : ajoutez-en une avant de la publier."),
    ]
    no_session.refresh_from_db()
    assert no_session.status == "draft"


def test_deactivate_and_reactivate(space, owner):
    offers = programme(space["venue"], 3, status="published")
    draft = make_offer(space["venue"], title="Brouillon", status="draft")
    result = run(owner, "desactiver", [*offers, draft])
    assert len(result.done) == 3 and result.refused == [("Brouillon", "Elle n'est pas publiée.")]
    result = run(owner, "reactiver", offers)
    assert len(result.done) == 3
    assert set(
        Offer.objects.filter(pk__in=[o.pk for o in offers]).values_list("status", flat=True)
    ) == {"published"}
    assert Transition.objects.filter(action=Action.OFFER_REACTIVATED).count() == 3


def test_it_is_one_transaction(space, owner, monkeypatch):
    offers = programme(space["venue"], 5)

    def crash(*args, **kwargs):
        raise RuntimeError("panne au milieu")

    monkeypatch.setattr(Transition.objects, "bulk_create", crash)
    with pytest.raises(RuntimeError):
        run(owner, "publier", offers)
    assert set(Offer.objects.values_list("status", flat=True)) == {"draft"}


def test_another_collectivites_offers_are_out_of_reach(space, other_space, owner):
    theirs = programme(other_space["venue"], 2)
    with pytest.raises(Refusal, match="Sélectionnez au moins une offre"):
        run(owner, "publier", theirs)
    assert set(Offer.objects.values_list("status", flat=True)) == {"draft"}


def test_the_list_asks_for_confirmation_then_shows_the_result(login, space, owner):
    offers = programme(space["venue"], 3)
    make_offer(space["venue"], title="Sans séance", status="draft")
    client = login(owner)
    page = client.get(reverse("offers:list")).content.decode()
    assert "Sélectionner « Séance 000 »" in page and "Appliquer à la sélection" in page
    chosen = {"action": "publier", "offres": [str(o.public_id) for o in offers[:2]]}
    confirm = client.post(reverse("offers:bulk"), chosen)
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert "Publier 2 offres ?" in body and "Confirmer : publier 2 offres" in body
    assert Offer.objects.filter(status="published").count() == 0  # nothing yet
    done = client.post(reverse("offers:bulk"), {**chosen, "confirme": "on"}).content.decode()
    assert "2 offres publiées." in done
    # every offer matching the filters (drafts), confirmed
    everything = {"action": "publier", "tout": "on", "filtres": "status=draft"}
    body = client.post(reverse("offers:bulk"), everything).content.decode()
    assert "Publier 2 offres ?" in body  # the third draft and « Sans séance »
    result = client.post(reverse("offers:bulk"), {**everything, "confirme": "on"})
    body = result.content.decode().replace("&#x27;", "'")
    assert "1 offre publiée, 1 laissée telle quelle." in body
    assert "Aucune séance à venir" in body


@pytest.mark.parametrize(
    "data",
    [
        {"action": "publier"},
        {"action": "supprimer", "offres": ["x"]},
        {"action": "publier", "offres": ["pas-un-uuid", "\x00", "٣"]},
        {"action": "publier", "tout": "on", "filtres": "venue=99999999999999999999&status=\x00"},
        {"action": "publier", "offres": ["00000000-0000-0000-0000-000000000000"], "confirme": "on"},
    ],
)
def test_hostile_selections_change_nothing(login, space, owner, data):
    programme(space["venue"], 2)
    response = login(owner).post(reverse("offers:bulk"), data)
    assert response.status_code in (200, 302, 400)
    assert set(Offer.objects.values_list("status", flat=True)) == {"draft"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_grouped_actions_change_each_offer_once(space, owner):
    assert is_postgres()
    offers = programme(space["venue"], 40, status="published")
    results, errors = at_once([lambda: run(owner, "desactiver", offers)] * 3)
    assert errors == []
    assert sorted(len(r.done) for r in results) == [0, 0, 40]
    assert Transition.objects.filter(action=Action.OFFER_DEACTIVATED).count() == 40
    assert set(Offer.objects.values_list("status", flat=True)) == {OfferStatus.DEACTIVATED}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"offres": ["x"]}, "Choisissez une action."),
        ({"action": "publier"}, "Sélectionnez au moins une offre"),
        ({"action": "publier", "tout": "on", "filtres": "q=" + "x" * 2000}, "illisibles"),
    ],
)
def test_a_selection_that_cannot_be_read_says_why_on_the_list(login, space, owner, data, message):
    programme(space["venue"], 1)
    response = login(owner).post(reverse("offers:bulk"), data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert set(Offer.objects.values_list("status", flat=True)) == {"draft"}
