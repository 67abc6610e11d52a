"""Personal data: who sees a beneficiary, account deletion, export audit."""

import pytest

from accounts.models import Beneficiary, Membership, User
from offers.models import Booking, ExportLog
from offers.services import bookings as booking_services
from tests.factories import PASSWORD, make_beneficiary, make_offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(space):
    offer = make_offer(space["venue"], "ESCAPE_GAME")
    young = make_beneficiary(17, first_name="Inès", last_name="Confidentielle")
    return booking_services.booking_create(user=young, offer=offer)


def test_beneficiary_name_only_reaches_the_venue_of_the_booking(
    login, space, owner, outsider, booking
):
    from tests.factories import MembershipFactory

    other_venue_member = MembershipFactory(
        collectivite=space["collectivite"], role="member", venues=[space["other_venue"]]
    ).user
    assert "Confidentielle" in login(owner).get("/reservations/").content.decode()
    for user in (outsider, other_venue_member):
        client = login(user)
        for url in ("/reservations/", "/reservations/export.csv", f"/guichet/?code={booking.code}"):
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert "Confidentielle" not in body.decode("utf-8-sig"), (user, url)


def test_account_deletion_anonymises_and_keeps_bookings(login, booking):
    young = booking.beneficiary
    client = login(young)
    assert "Supprimer définitivement" in client.get("/compte/supprimer/").content.decode()
    response = client.post("/compte/supprimer/")
    assert response.status_code == 302
    young.refresh_from_db()
    assert young.first_name == "Compte" and "Confidentielle" not in young.last_name
    assert young.email.endswith("@passlib.invalid") and not young.is_active
    assert not young.has_usable_password()
    assert Beneficiary.objects.get(user=young).birth_date.timetuple()[1:3] == (1, 1)
    assert Booking.objects.filter(pk=booking.pk).exists()  # kept for accounting
    assert "_auth_user_id" not in client.session
    response = client.post("/connexion/", {"username": young.email, "password": PASSWORD})
    assert response.status_code == 200  # refused: the account can no longer log in


def test_last_administrator_cannot_delete_their_account(login, owner):
    response = login(owner).post("/compte/supprimer/", follow=True)
    assert "Personne d&#x27;autre n&#x27;administre" in response.content.decode()
    owner.refresh_from_db()
    assert owner.is_active and Membership.objects.filter(user=owner).exists()


def test_account_deletion_refuses_get_changes(login, owner):
    login(owner).get("/compte/supprimer/")
    assert User.objects.get(pk=owner.pk).is_active


def test_exports_are_audited(login, owner, booking):
    client = login(owner)
    b"".join(client.get("/reservations/export.csv?status=confirmed").streaming_content)
    client.get("/reservations/collectives/export.xlsx")
    logs = list(
        ExportLog.objects.order_by("created_at").values_list("actor", "kind", "fmt", "filters")
    )
    assert logs == [
        (owner.pk, "reservations", "csv", "status=confirmed"),
        (owner.pk, "reservations-collectives", "xlsx", ""),
    ]


# --- never kept by a browser or a proxy -----------------------------------------------------


def _private(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


# A programme's feed is the same for everybody: public, even to a logged-in person
# (pictures too: tests/security/test_cache_headers.py).
PUBLIC_FILES = {"offers:programme"}


def test_every_page_and_export_a_logged_in_person_gets_is_private_and_not_stored():
    """Over the permission matrix's URL list: every GET answered to a logged-in role —
    bookings lists, exports (CSV and XLSX), the guichet, a young person's and a
    teacher's bookings included — says `Cache-Control: private, no-store`; public
    files say `public`, whoever asks."""
    from django.urls import reverse

    from tests.security.test_permission_matrix import MATRIX, client_for
    from tests.security.world import ROLES, build_world

    world = build_world()
    checked = set()
    for role in ROLES[1:]:
        client = client_for(world.users[role])
        for name, (method, kwargs, data, expected) in sorted(MATRIX.items()):
            if method != "get" or expected[role] != 200:
                continue
            payloads = [data(world) if data else {}]
            kw = kwargs(world) if kwargs else None
            urls = [reverse(name, kwargs=kw)]
            if name.endswith("_export"):
                urls.append(reverse(name, kwargs={**(kw or {}), "fmt": "xlsx"}))
            for url in urls:
                response = client.get(url, payloads[0])
                assert response.status_code == 200, (role, url)
                if name in PUBLIC_FILES:  # the same for everybody: cacheable by all
                    assert not _private(response), (role, url, response.get("Cache-Control"))
                    assert "public" in response["Cache-Control"], (role, url)
                else:
                    assert _private(response), (role, url, response.get("Cache-Control"))
                checked.add(name)
    for name in (
        "offers:bookings",
        "offers:bookings_export",
        "offers:guichet",
        "offers:my_bookings",
        "offers:teacher_bookings",
        "offers:collective_bookings_export",
        "offers:participants_export",
    ):
        assert name in checked


def test_public_pages_stay_cacheable_and_the_mailbox_page_is_private(client):
    assert not _private(client.get("/"))
    assert not _private(client.get("/jeunes/offres/"))
    client.post(
        "/inscription/",
        {
            "first_name": "Chloé",
            "last_name": "d'Arc",
            "email": "chloe@exemple.fr",
            "password": "lecture-publique-2026",
            "password_confirm": "lecture-publique-2026",
            "accept_terms": "on",
        },
    )
    response = client.get("/inscription/envoyee/")
    assert "chloe@exemple.fr" in response.content.decode() and _private(response)
