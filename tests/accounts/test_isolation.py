"""A member of collectivité X gets 404 on every page and action of collectivité Y.

Every URL of the shared space is listed here with the objects of `other_space`;
the same requests from Y's administrator succeed, so the 404 is about scope.
"""

import pytest

from accounts.models import Invitation, Membership, Role, Status
from accounts.services.space import invitation_send
from tests.factories import MembershipFactory, VenueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def y_objects(other_space, outsider):
    collectivite = other_space["collectivite"]
    y_member = MembershipFactory(
        collectivite=collectivite, role=Role.MEMBER, venues=[other_space["venue"]]
    )
    y_venue = VenueFactory(collectivite=collectivite, status=Status.NEW)
    y_request = MembershipFactory(
        collectivite=collectivite, role=Role.MEMBER, status=Status.NEW, requested_venue=y_venue
    )
    invitation = invitation_send(
        actor=outsider,
        collectivite=collectivite,
        email="invite@paris.fr",
        role=Role.MEMBER,
        venues=[],
    )
    return {
        "space": collectivite,
        "venue": other_space["venue"],
        "member": y_member,
        "request": y_request,
        "invitation": invitation,
    }


def y_urls(y):
    base = f"/collectivites/{y['space'].public_id}/"
    return [
        ("get", base),
        ("get", base + "lieux/nouveau/"),
        ("post", base + "lieux/nouveau/"),
        ("get", base + f"lieux/{y['venue'].public_id}/"),
        ("post", base + f"lieux/{y['venue'].public_id}/"),
        ("post", base + f"membres/{y['member'].public_id}/"),
        ("post", base + f"membres/{y['member'].public_id}/retirer/"),
        ("post", base + f"demandes/{y['request'].public_id}/approuver/"),
        ("post", base + f"demandes/{y['request'].public_id}/rejeter/"),
        ("post", base + "invitations/"),
        ("post", base + f"invitations/{y['invitation'].public_id}/renvoyer/"),
        ("post", base + f"invitations/{y['invitation'].public_id}/revoquer/"),
    ]


@pytest.mark.parametrize("who", ["owner", "member"])
def test_members_of_x_get_404_everywhere_in_y(request, login, y_objects, who):
    client = login(request.getfixturevalue(who))
    for method, url in y_urls(y_objects):
        response = getattr(client, method)(
            url, {"role": "admin", "reason": "other", "comment": "x", "inv-email": "a@b.fr"}
        )
        assert response.status_code == 404, (method, url, response.status_code)
    # and nothing changed in Y
    y_objects["member"].refresh_from_db()
    assert y_objects["member"].role == Role.MEMBER
    assert Membership.objects.get(pk=y_objects["request"].pk).status == Status.NEW
    invitation = Invitation.objects.get(pk=y_objects["invitation"].pk)
    assert invitation.revoked_at is None
    assert Invitation.objects.filter(collectivite=y_objects["space"]).count() == 1


def test_the_same_urls_answer_for_ys_administrator(login, outsider, y_objects):
    client = login(outsider)
    for method, url in y_urls(y_objects):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_y_space_is_not_listed_for_x(login, owner, y_objects):
    html = login(owner).get("/espace/").content.decode()
    assert y_objects["space"].name not in html
