"""Who may keep a copy (passlib/middleware.py):
- every page reached by a token without login is `private, no-store` (the walk finds
  them in the URL list: « Je ne viendrai pas », an invitation, an e-mail confirmation,
  a venue's private calendar);
- what is public (pictures, programme feeds) is public for everybody, logged in or
  not: never `private, no-store` beside `immutable`, never `Vary: Cookie`."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import resolve, reverse

from offers.models import VenueCalendar
from tests.security.test_permission_matrix import MATRIX, client_for
from tests.security.world import build_world

pytestmark = pytest.mark.django_db


def _directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


def _varies_by_cookie(response) -> bool:
    return "cookie" in response.get("Vary", "").lower()


def test_every_page_reached_by_a_token_without_login_is_private():
    world = build_world()
    found = []
    for name, (method, kwargs, data, expected) in sorted(MATRIX.items()):
        if kwargs is None or expected["anonymous"] != 200:
            continue
        url = reverse(name, kwargs=kwargs(world))
        if "<token:" not in resolve(url).route:
            continue
        response = getattr(Client(), method)(url, data(world) if data else {})
        assert response.status_code == 200, name
        assert {"private", "no-store"} <= _directives(response), (name, response["Cache-Control"])
        found.append(name)
    assert {
        "offers:booking_release",
        "accounts:invitation_accept",
        "accounts:confirm_email",
    } <= set(found)


def test_the_private_calendar_feed_is_private(space):
    feed = VenueCalendar.objects.create(venue=space["venue"])
    response = Client().get(reverse("offers:venue_feed", args=[feed.token]))
    assert response.status_code == 200
    assert {"private", "no-store"} <= _directives(response)


@pytest.fixture
def picture(settings):
    folder = settings.MEDIA_ROOT / "offres" / "0a1b2c3d-0000-4000-8000-000000000000"
    folder.mkdir(parents=True)
    (folder / "AbC_dEf-123-large.jpg").write_bytes(b"\xff\xd8\xff\xd9")
    return "/media/offres/0a1b2c3d-0000-4000-8000-000000000000/AbC_dEf-123-large.jpg"


@pytest.mark.parametrize("role", ["anonymous", "beneficiary", "member", "staff"])
def test_public_files_are_public_for_everybody(role, picture):
    world = build_world()
    client = client_for(world.users[role])
    programme = reverse(
        "offers:programme", args=["collectivite", world.objects["x"].public_id, "json"]
    )
    answers = {
        "picture": client.get(picture),
        "programme": client.get(programme),
        "programme.ics": client.get(programme.replace(".json", ".ics")),
    }
    expected = {
        "picture": {"public", "max-age=31536000", "immutable"},
        "programme": {"public", "max-age=900"},
        "programme.ics": {"public", "max-age=900"},
    }
    for what, response in answers.items():
        assert response.status_code == 200, what
        assert _directives(response) == expected[what], (what, response["Cache-Control"])
        assert not _varies_by_cookie(response), (what, response["Vary"])


def test_a_private_page_stays_private(login, owner):
    response = login(owner).get(reverse("accounts:dashboard"))
    assert {"private", "no-store"} <= _directives(response)
