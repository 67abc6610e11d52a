"""The pro home and the statistics pages (issue 18): what each person is told, who may
open what, hostile parameters, and queries that do not grow with the data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, Status
from offers.models import CollectiveRequest
from tests.factories import (
    CollectiviteFactory,
    MembershipFactory,
    UserFactory,
    make_beneficiary,
    make_booking,
    make_offer,
    make_school,
    make_session,
    make_showcase,
    make_teacher,
)

pytestmark = pytest.mark.django_db


def _today_session(venue, title="Club de lecture ados", hours=2):
    offer = make_offer(venue, "RENCONTRE", title=title)
    session = make_session(offer, days=1, total_places=12)
    start = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    if start <= timezone.now():
        start = timezone.now() + timedelta(minutes=30)
    type(session).objects.filter(pk=session.pk).update(starts_at=start, booking_limit_at=start)
    session.refresh_from_db()
    return offer, session


def test_the_home_says_what_to_do_today(space, owner, login):
    venue = space["venue"]
    MembershipFactory(collectivite=space["collectivite"], role=Role.MEMBER, status=Status.NEW)
    make_offer(venue, "RENCONTRE", status="draft", title="Brouillon")
    showcase = make_showcase(venue)
    school = make_school()
    CollectiveRequest.objects.create(
        showcase=showcase,
        teacher=make_teacher(school),
        school=school,
        message="Bonjour",
        students=25,
    )
    offer, session = _today_session(venue)
    for _ in range(3):
        make_booking(offer, session=session, beneficiary=make_beneficiary(16))
    html = login(owner).get(reverse("accounts:dashboard")).content.decode()
    assert "1 demande de rattachement à Ville de Lyon" in html
    assert "1 offre en brouillon" in html
    assert "1 demande d&#x27;enseignant sans réponse" in html
    assert "3 réservations à valider aujourd&#x27;hui" in html
    assert "2 lieux sans coordonnées bancaires" in html
    assert "Club de lecture ados" in html and "<td>Aujourd'hui à" in html
    assert reverse("offers:session_participants", args=[offer.public_id, session.public_id]) in html
    assert "Statistiques de Ville de Lyon" in html


def test_a_librarian_sees_her_venues_only_and_no_bank_todo(space, member, login):
    _today_session(space["venue"], title="Séance Part-Dieu")
    _today_session(space["other_venue"], title="Séance Jean Macé")
    html = login(member).get(reverse("accounts:dashboard")).content.decode()
    assert "Séance Part-Dieu" in html and "Séance Jean Macé" not in html
    assert "coordonnées bancaires" not in html
    assert "Statistiques de Médiathèque Part-Dieu" in html


def test_the_officer_home_shows_the_queue(officer, login):
    CollectiviteFactory(name="Commune en attente", status=Status.NEW, departement="69")
    CollectiviteFactory(name="Commune de Paris", status=Status.NEW, departement="75")
    html = login(officer).get(reverse("accounts:dashboard")).content.decode()
    assert "Votre file de revue" in html and "Commune en attente" in html
    assert '<th scope="row">69 — Rhône</th><td>1</td><td>0</td>' in html
    assert "Statistiques de votre territoire" in html
    assert "Commune de Paris" not in html and "75 —" not in html  # not their département


def test_who_opens_the_statistics(space, other_space, owner, member, outsider, officer, login):
    coll = reverse("reporting:collectivite", args=[space["collectivite"].public_id])
    venue = reverse("reporting:venue", args=[space["venue"].public_id])
    other_venue = reverse("reporting:venue", args=[space["other_venue"].public_id])
    pdf = reverse("reporting:report_pdf", args=[space["collectivite"].public_id])
    assert login(owner).get(coll).status_code == 200
    assert login(member).get(coll).status_code == 403
    assert login(outsider).get(coll).status_code == 404
    assert login(member).get(venue).status_code == 200
    assert login(member).get(other_venue).status_code == 404
    assert login(member).get(pdf).status_code == 403
    assert login(officer).get(coll).status_code == 403
    assert login(officer).get(reverse("reporting:territory")).status_code == 200
    assert login(owner).get(reverse("reporting:territory")).status_code == 403
    response = login(owner).get(pdf)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


@pytest.mark.parametrize("year", ["abc", "٢٠٢٦", "99999999999", "\x00", "1999", "-1", ""])
def test_a_hostile_year_shows_the_current_one(space, owner, login, year):
    url = reverse("reporting:collectivite", args=[space["collectivite"].public_id])
    response = login(owner).get(url, {"annee": year})
    assert response.status_code == 200
    assert f"Statistiques {timezone.localdate().year}" in response.content.decode()


def test_a_hostile_departement_is_ignored(officer, login):
    response = login(officer).get(reverse("reporting:territory"), {"departement": "75\x00"})
    assert response.status_code == 200
    assert "Territoire" in response.content.decode()


def test_the_charts_carry_their_numbers_in_text(space, owner, login):
    offer = make_offer(space["venue"], "ESCAPE_GAME", title="Escape")
    make_booking(offer, beneficiary=make_beneficiary(17))
    url = reverse("reporting:collectivite", args=[space["collectivite"].public_id])
    html = login(owner).get(url).content.decode()
    assert 'role="img"' in html and "<desc id=" in html
    assert "Réservations faites par mois" in html
    assert "Toutes les données par mois" in html


def _grow(space, n):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title=f"Atelier {n}")
    session = make_session(offer, days=2, total_places=500)
    for _ in range(n):
        make_booking(offer, session=session, beneficiary=UserFactory())
        make_offer(space["venue"], "RENCONTRE", status="draft", title="Brouillon")


def test_home_and_statistics_read_the_same_number_of_queries_at_two_sizes(
    space, owner, login, django_assert_max_num_queries
):
    urls = [
        reverse("accounts:dashboard"),
        reverse("reporting:collectivite", args=[space["collectivite"].public_id]),
    ]
    from django.core.cache import cache

    counts = []
    for n in (2, 40):
        _grow(space, n)
        cache.clear()  # the statistics are kept a few minutes: each size computes them
        client = login(owner)
        for url in urls:
            with django_assert_max_num_queries(60) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
    assert counts[:2] == counts[2:], counts


def test_the_statistics_say_when_they_were_computed_and_are_kept_a_while(space, owner, login):
    from django.core.cache import cache

    url = reverse("reporting:collectivite", args=[space["collectivite"].public_id])
    offer = make_offer(space["venue"], "ESCAPE_GAME", title="Escape")
    make_booking(offer, beneficiary=make_beneficiary(17))
    client = login(owner)
    first = client.get(url).content.decode()
    assert "Chiffres calculés le" in first
    assert "<dt>Réservations faites</dt><dd>1</dd>" in first
    make_booking(make_offer(space["venue"], "ESCAPE_GAME", title="Escape 2"))
    kept = client.get(url).content.decode()
    assert "<dt>Réservations faites</dt><dd>1</dd>" in kept  # within the 10 minutes
    cache.clear()
    fresh = client.get(url).content.decode()
    assert "<dt>Réservations faites</dt><dd>2</dd>" in fresh
    # another year is another entry
    other = client.get(url, {"annee": str(timezone.localdate().year - 1)}).content.decode()
    assert "<dt>Réservations faites</dt><dd>0</dd>" in other


def test_the_home_is_kept_until_a_write_changes_it(space, owner, login):
    client = login(owner)
    make_offer(space["venue"], "RENCONTRE", status="draft", title="Brouillon 1")
    assert "1 offre en brouillon" in client.get(reverse("accounts:dashboard")).content.decode()
    make_offer(space["venue"], "RENCONTRE", status="draft", title="Brouillon 2")
    MembershipFactory(collectivite=space["collectivite"], role=Role.MEMBER, status=Status.NEW)
    html = client.get(reverse("accounts:dashboard")).content.decode()
    assert "2 offres en brouillon" in html
    assert "1 demande de rattachement à Ville de Lyon" in html


def test_the_home_tells_of_invitations_offers_ending_and_reviews_awaited(
    space, other_space, owner, login
):
    from accounts.models import Invitation

    Invitation.objects.create(
        collectivite=other_space["collectivite"],
        email=owner.email,
        expires_at=timezone.now() + timedelta(days=3),
    )
    Invitation.objects.create(
        collectivite=CollectiviteFactory(name="Ville d'Annecy", departement="74"),
        email=owner.email,
        expires_at=timezone.now() - timedelta(days=1),  # expired: not counted
    )
    ending = make_offer(space["venue"], "RENCONTRE", title="Dernière séance")
    make_session(ending, days=3)
    lasting = make_offer(space["venue"], "RENCONTRE", title="Saison entière")
    make_session(lasting, days=3)
    make_session(lasting, days=30)
    space["other_venue"].status = Status.NEW
    space["other_venue"].save()
    html = login(owner).get(reverse("accounts:dashboard")).content.decode()
    assert "1 invitation vous attend" in html
    assert "Dernière séance" in html.split("Offres qui se terminent bientôt")[1]
    assert "Saison entière" not in html.split("Offres qui se terminent bientôt")[1]
    awaited = html.split("En attente de validation")[1]
    assert "Bibliothèque Jean Macé" in awaited and "personne chargée du territoire" in awaited


def test_the_territory_view_counts_the_officers_departements_only(
    space, other_space, officer, login
):
    make_booking(make_offer(space["venue"], "ESCAPE_GAME", title="Lyon"))
    make_booking(make_offer(other_space["venue"], "ESCAPE_GAME", title="Paris"))
    html = login(officer).get(reverse("reporting:territory")).content.decode()
    assert "<dt>Réservations faites</dt><dd>1</dd>" in html
    assert "2 lieux, 1 offre publiée" in html  # Lyon's two venues, its one offer


def test_mon_espace_lists_this_weeks_sessions_of_bookable_offers_not_drafts(login, space):
    """A draft (a duplicate « (copie) ») is not bookable: its sessions are not among the
    week's sessions of « Mon espace » (reporting/home.py `sessions_ahead`)."""
    from reporting.home import sessions_ahead

    admin = MembershipFactory(collectivite=space["collectivite"]).user
    published = make_offer(space["venue"], title="Club de lecture")
    draft = make_offer(space["venue"], title="Club de lecture (copie)", status="draft")
    make_session(published, days=2, total_places=10)
    make_session(draft, days=2, total_places=10)
    assert [s["title"] for s in sessions_ahead(admin)] == ["Club de lecture"]
    html = login(admin).get("/espace/").content.decode()
    assert "Club de lecture" in html and "(copie)" not in html


def test_the_statistics_markup_is_kept_with_its_figures(space, owner, login, monkeypatch):
    """The figures' markup is cached with them: a second view builds no chart, and
    figures computed again (here: the cache emptied) are shown at once."""
    from django.core.cache import cache

    from reporting import views

    built = []
    monkeypatch.setattr(views, "charts", lambda figures: built.append(figures) or [])
    url = reverse("reporting:collectivite", args=[space["collectivite"].public_id])
    offer = make_offer(space["venue"], "ESCAPE_GAME", title="Escape")
    make_booking(offer, beneficiary=make_beneficiary(17))
    client = login(owner)
    assert "<dt>Réservations faites</dt><dd>1</dd>" in client.get(url).content.decode()
    assert "<dt>Réservations faites</dt><dd>1</dd>" in client.get(url).content.decode()
    assert len(built) == 1
    make_booking(offer, beneficiary=make_beneficiary(16))
    cache.clear()
    assert "<dt>Réservations faites</dt><dd>2</dd>" in client.get(url).content.decode()
    assert len(built) == 2


def test_the_home_panel_reads_its_data_only_when_its_markup_is_not_kept(
    space, owner, login, monkeypatch
):
    from reporting import home

    read = []
    context = home._home_context
    monkeypatch.setattr(home, "_home_context", lambda *a: read.append(1) or context(*a))
    client = login(owner)
    make_offer(space["venue"], "RENCONTRE", status="draft", title="Brouillon 1")
    assert "1 offre en brouillon" in client.get(reverse("accounts:dashboard")).content.decode()
    assert "1 offre en brouillon" in client.get(reverse("accounts:dashboard")).content.decode()
    assert len(read) == 1
    make_offer(space["venue"], "RENCONTRE", status="draft", title="Brouillon 2")
    assert "2 offres en brouillon" in client.get(reverse("accounts:dashboard")).content.decode()
    assert len(read) == 2
