"""The shared space: owner (admin), member (venue member), outsider (another collectivité)."""

import re

import pytest
from django.core import mail

from accounts.models import (
    ActionLog,
    Invitation,
    Membership,
    Role,
    Status,
    User,
    Venue,
    Verb,
)
from accounts.services.space import invitation_from_token
from tests.factories import MembershipFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def join_request(space):
    venue = VenueFactory(collectivite=space["collectivite"], name="Annexe", status=Status.NEW)
    return MembershipFactory(
        collectivite=space["collectivite"],
        role=Role.MEMBER,
        status=Status.NEW,
        requested_venue=venue,
        venues=[venue],
        user__first_name="Léa",
    )


def url(space, suffix=""):
    return f"/collectivites/{space['collectivite'].public_id}/{suffix}"


# --- the space page -------------------------------------------------------------------


def test_owner_sees_venues_members_and_requests(login, space, owner, member, join_request):
    html = login(owner).get(url(space)).content.decode()
    assert space["venue"].name in html and space["other_venue"].name in html
    assert member.email in html
    assert join_request.user.display_name in html
    assert "Approuver" in html
    assert "Inviter" in html


def test_an_administrators_card_says_she_manages_every_venue(login, space, owner, member):
    """An administrator manages all venues (accounts/policy.py venues_managed_by): her
    card says so instead of showing unticked boxes as if she managed none (issue 27)."""
    html = login(owner).get(url(space)).content.decode()
    admin_card = html[html.index(f"<h3>{owner.display_name}") :]
    admin_card = admin_card[: admin_card.index("</article>")]
    assert "Administration : gère tous les lieux de la collectivité." in admin_card
    assert "comme bibliothécaire</legend>" in admin_card
    member_card = html[html.index(f"<h3>{member.display_name}") :]
    member_card = member_card[: member_card.index("</article>")]
    assert "gère tous les lieux" not in member_card


def test_member_sees_only_their_venues_and_no_management(login, space, member, join_request):
    response = login(member).get(url(space))
    html = response.content.decode()
    assert response.status_code == 200
    assert space["venue"].name in html
    assert space["other_venue"].name not in html
    assert "Approuver" not in html and "Inviter" not in html


def test_outsider_gets_404(login, space, outsider):
    assert login(outsider).get(url(space)).status_code == 404


def test_pending_requester_gets_404(login, space, join_request):
    assert login(join_request.user).get(url(space)).status_code == 404


def test_anonymous_is_sent_to_login(client, space):
    response = client.get(url(space))
    assert response.status_code == 302
    assert response.url.startswith("/connexion/")


def test_space_page_queries_are_bounded(login, space, owner, django_assert_max_num_queries):
    for _ in range(5):
        MembershipFactory(
            collectivite=space["collectivite"], role=Role.MEMBER, venues=[space["venue"]]
        )
    client = login(owner)
    with django_assert_max_num_queries(20):
        client.get(url(space))


# --- join requests -----------------------------------------------------------------------


def test_owner_approves_a_request(
    login, space, owner, join_request, django_capture_on_commit_callbacks
):
    client = login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(space, f"demandes/{join_request.public_id}/approuver/"))
    assert response.status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == Status.VALIDATED
    assert join_request.requested_venue.status == Status.VALIDATED
    log = ActionLog.objects.get(membership=join_request, verb=Verb.VALIDATED)
    assert log.actor == owner
    assert [m.to for m in mail.outbox] == [[join_request.user.email]]
    assert "Validation" in mail.outbox[0].subject


def test_owner_rejects_a_request_with_a_reason(
    login, space, owner, join_request, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(owner).post(
            url(space, f"demandes/{join_request.public_id}/rejeter/"),
            {"reason": "duplicate", "comment": "Déjà inscrit via la direction."},
        )
    join_request.refresh_from_db()
    assert join_request.status == Status.REJECTED
    assert join_request.requested_venue.status == Status.REJECTED
    log = ActionLog.objects.get(membership=join_request, verb=Verb.REJECTED)
    assert log.reason == "duplicate" and "direction" in log.comment
    assert "Doublon" in mail.outbox[0].body


def test_rejecting_twice_is_refused_and_changes_nothing(login, space, owner, join_request):
    client = login(owner)
    client.post(
        url(space, f"demandes/{join_request.public_id}/rejeter/"),
        {"reason": "other", "comment": "x"},
    )
    logs = ActionLog.objects.count()
    response = client.post(url(space, f"demandes/{join_request.public_id}/approuver/"), follow=True)
    assert "le statut est déjà « Rejeté »" in response.content.decode()
    join_request.refresh_from_db()
    assert join_request.status == Status.REJECTED
    assert ActionLog.objects.count() == logs


def test_reject_without_reason_is_refused(login, space, owner, join_request):
    response = login(owner).post(
        url(space, f"demandes/{join_request.public_id}/rejeter/"), follow=True
    )
    assert "Choisissez le motif du rejet" in response.content.decode()
    join_request.refresh_from_db()
    assert join_request.status == Status.NEW


def test_member_cannot_decide_requests(login, space, member, join_request):
    response = login(member).post(url(space, f"demandes/{join_request.public_id}/approuver/"))
    assert response.status_code == 403
    join_request.refresh_from_db()
    assert join_request.status == Status.NEW


def test_decide_refuses_get(login, space, owner, join_request):
    response = login(owner).get(url(space, f"demandes/{join_request.public_id}/approuver/"))
    assert response.status_code == 405


# --- members -----------------------------------------------------------------------------


def test_owner_sets_role_and_venues(login, space, owner, member):
    membership = Membership.objects.get(user=member)
    response = login(owner).post(
        url(space, f"membres/{membership.public_id}/"),
        {"role": "member", "venues": [space["venue"].pk, space["other_venue"].pk]},
    )
    assert response.status_code == 302
    assert set(membership.venues.all()) == {space["venue"], space["other_venue"]}
    assert ActionLog.objects.filter(membership=membership, verb=Verb.VENUES_CHANGED).exists()


def test_venues_of_another_collectivite_are_refused(login, space, other_space, owner, member):
    membership = Membership.objects.get(user=member)
    login(owner).post(
        url(space, f"membres/{membership.public_id}/"),
        {"role": "member", "venues": [other_space["venue"].pk]},
    )
    assert list(membership.venues.all()) == [space["venue"]]


def test_demoting_the_last_admin_is_refused(login, space, owner):
    membership = Membership.objects.get(user=owner)
    response = login(owner).post(
        url(space, f"membres/{membership.public_id}/"), {"role": "member"}, follow=True
    )
    assert "dernière personne qui administre" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_removing_the_last_admin_is_refused(login, space, owner):
    membership = Membership.objects.get(user=owner)
    response = login(owner).post(
        url(space, f"membres/{membership.public_id}/retirer/"), follow=True
    )
    assert "dernière personne qui administre" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_owner_removes_a_member(login, space, owner, member):
    membership = Membership.objects.get(user=member)
    login(owner).post(url(space, f"membres/{membership.public_id}/retirer/"))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert ActionLog.objects.filter(
        verb=Verb.MEMBER_REMOVED, target_label=member.display_name
    ).exists()


def test_second_admin_can_then_be_removed(login, space, owner):
    second = MembershipFactory(collectivite=space["collectivite"])
    login(owner).post(url(space, f"membres/{second.public_id}/retirer/"))
    assert not Membership.objects.filter(pk=second.pk).exists()


def test_member_cannot_manage_members(login, space, owner, member):
    membership = Membership.objects.get(user=owner)
    client = login(member)
    assert client.post(url(space, f"membres/{membership.public_id}/retirer/")).status_code == 403
    assert (
        client.post(url(space, f"membres/{membership.public_id}/"), {"role": "member"}).status_code
        == 403
    )


# --- venues ------------------------------------------------------------------------------

VENUE = {
    "name": "Musée des Beaux-Arts",
    "public_name": "",
    "venue_type": "museum",
    "address": "20 place des Terreaux",
    "postal_code": "69001",
    "city": "Lyon",
    "siret": "",
    "siret_comment": "",
    "booking_email": "musee@lyon.fr",
    "withdrawal_details": "",
}


def test_owner_adds_a_venue_waiting_for_review(login, space, owner):
    response = login(owner).post(url(space, "lieux/nouveau/"), VENUE)
    assert response.status_code == 302
    venue = Venue.objects.get(name="Musée des Beaux-Arts")
    assert venue.collectivite == space["collectivite"]
    assert venue.status == Status.NEW
    assert venue.venue_type == "museum"
    assert ActionLog.objects.filter(venue=venue, verb=Verb.VENUE_ADDED).exists()


def test_owner_edits_a_venue(login, space, owner):
    venue = space["venue"]
    response = login(owner).post(
        url(space, f"lieux/{venue.public_id}/"),
        {**VENUE, "name": "Médiathèque renommée", "postal_code": "20200", "city": "Bastia"},
    )
    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.name == "Médiathèque renommée"
    assert venue.departement == "2B"
    assert venue.status == Status.VALIDATED


def test_venue_errors_keep_typed_data(login, space, owner):
    response = login(owner).post(url(space, "lieux/nouveau/"), {**VENUE, "siret": "123"})
    html = response.content.decode()
    assert "14 chiffres" in html
    assert 'value="Musée des Beaux-Arts"' in html
    assert not Venue.objects.filter(name="Musée des Beaux-Arts").exists()


def test_member_cannot_add_venues(login, space, member):
    assert login(member).get(url(space, "lieux/nouveau/")).status_code == 403


# --- invitations -------------------------------------------------------------------------


def invite(client, space, email="nouveau@lyon.fr", role="member", venues=()):
    return client.post(
        url(space, "invitations/"),
        {"inv-email": email, "inv-role": role, "inv-venues": [v.pk for v in venues]},
    )


def accept_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/invitation/[^/\s]+/)", message.body).group(1)


def test_invitation_is_emailed_and_accepting_validates_directly(
    login, client, space, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(login(owner), space, venues=[space["other_venue"]])
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.expires_at - invitation.created_at).days == 14
    assert mail.outbox[0].to == ["nouveau@lyon.fr"]
    path = accept_path(mail.outbox[0])

    invited = UserFactory(email="nouveau@lyon.fr", email_confirmed_at=None)
    client.logout()
    client.force_login(invited, backend="django.contrib.auth.backends.ModelBackend")
    assert "Accepter l'invitation" in client.get(path).content.decode()
    response = client.post(path)
    assert response.status_code == 302
    membership = Membership.objects.get(user=invited)
    assert membership.status == Status.VALIDATED and membership.role == Role.MEMBER
    assert list(membership.venues.all()) == [space["other_venue"]]
    invited.refresh_from_db()
    assert invited.email_confirmed
    assert ActionLog.objects.filter(verb=Verb.INVITATION_ACCEPTED).exists()
    # a second use of the link is refused
    assert client.get(path).status_code == 404


def test_invitation_for_another_email_is_refused(
    login, space, owner, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(login(owner), space, email="quelquun@lyon.fr")
    path = accept_path(mail.outbox[0])
    stranger = UserFactory()
    client = login(stranger)
    response = client.post(path, follow=True)
    assert "a été envoyée à quelquun@lyon.fr" in response.content.decode()
    assert not Membership.objects.filter(user=stranger).exists()


def test_revoked_and_expired_invitations_are_refused(
    login, space, owner, django_capture_on_commit_callbacks
):
    client = login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, space)
    invitation = Invitation.objects.get()
    path = accept_path(mail.outbox[0])
    client.post(url(space, f"invitations/{invitation.public_id}/revoquer/"))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert invitation_from_token(path.split("/")[2]) is not None
    assert client.get(path).status_code == 404  # revoked


def test_resend_extends_and_sends_again(login, space, owner, django_capture_on_commit_callbacks):
    client = login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, space)
        invitation = Invitation.objects.get()
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at)
        client.post(url(space, f"invitations/{invitation.public_id}/renvoyer/"))
    invitation.refresh_from_db()
    assert invitation.is_open
    assert len(mail.outbox) == 2


def test_inviting_an_existing_member_is_refused(login, space, owner, member):
    response = invite(login(owner), space, email=member.email.upper())
    assert response.status_code == 400
    assert "déjà membre" in response.content.decode()
    assert not Invitation.objects.exists()


def test_second_open_invitation_is_refused(login, space, owner):
    client = login(owner)
    invite(client, space)
    response = invite(client, space)
    assert "déjà en cours" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_anonymous_invitation_page_offers_signup_and_login(
    client, login, space, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(login(owner), space)
    path = accept_path(mail.outbox[0])
    client.logout()
    html = client.get(path).content.decode()
    assert "Créer mon compte" in html and "Me connecter" in html
    response = client.post(path)
    assert response.status_code == 302 and response.url.startswith("/connexion/")
    assert not User.objects.filter(email="nouveau@lyon.fr").exists()


def test_expired_invitation_link_is_refused(
    login, space, owner, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=True):
        invite(login(owner), space)
    path = accept_path(mail.outbox[0])
    invited = UserFactory(email="nouveau@lyon.fr")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client = login(invited)
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404
    assert not Membership.objects.filter(user=invited).exists()


def test_role_and_venues_change_together_or_not_at_all(login, space, owner):
    membership = Membership.objects.get(user=owner)
    login(owner).post(
        url(space, f"membres/{membership.public_id}/"),
        {"role": "member", "venues": [space["venue"].pk]},
    )
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN  # last administrator: refused
    assert list(membership.venues.all()) == []  # and the venues were not saved either


def test_managed_venue_ids_follow_the_same_rule_as_venues_managed_by(
    space, owner, member, outsider
):
    from accounts.policy import managed_venue_ids, venues_managed_by
    from tests.factories import MembershipFactory

    pending = MembershipFactory(
        collectivite=space["collectivite"],
        role=Role.MEMBER,
        status=Status.NEW,
        venues=[space["other_venue"]],
    ).user
    for user in (owner, member, outsider, pending):
        expected = sorted(venues_managed_by(user).values_list("pk", flat=True))
        assert managed_venue_ids(user) == expected, user
