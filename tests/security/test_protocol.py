"""Protocol hygiene over the URL list: GET refused on state-changing views, CSRF
required, security headers on every page, French error pages that leak nothing."""

import pytest
from django.test import Client, override_settings
from django.urls import path, reverse

from tests.security.test_permission_matrix import MATRIX, client_for
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

POST_VIEWS = sorted(name for name, (method, *_rest) in MATRIX.items() if method == "post")
GET_VIEWS = sorted(name for name, (method, *_rest) in MATRIX.items() if method == "get")


def allowed_role(expected: dict) -> str:
    """A role the view lets through (so that the answer is about the method or CSRF)."""
    for role in ("admin", "member", "officer", "teacher", "beneficiary", "anonymous"):
        if expected[role] in (200, 302, 400) and role != "anonymous":
            return role
    return "admin"


@pytest.mark.parametrize("name", POST_VIEWS)
def test_state_changing_views_refuse_get_and_require_csrf(name):
    _, kwargs, data, expected = MATRIX[name]
    world = build_world()
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    user = world.users[allowed_role(expected)]
    if name != "accounts:logout":
        assert client_for(user).get(url).status_code == 405, name
    strict = Client(enforce_csrf_checks=True)
    if user is not None:
        strict.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = strict.post(url, data(world) if data else {})
    assert response.status_code == 403, name
    html = response.content.decode()
    assert '<html lang="fr">' in html and "formulaire expiré" in html, name


@pytest.mark.parametrize("name", GET_VIEWS)
def test_security_headers_on_every_page(name):
    _, kwargs, data, expected = MATRIX[name]
    world = build_world()
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    response = client_for(world.users[allowed_role(expected)]).get(url, data(world) if data else {})
    headers = response.headers
    assert "default-src 'self'" in headers["Content-Security-Policy"], name
    assert headers["X-Content-Type-Options"] == "nosniff", name
    assert headers["Referrer-Policy"] == "same-origin", name
    if headers.get("Content-Type", "").startswith("text/html"):
        assert headers["X-Frame-Options"] == "DENY", name


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_hsts_is_sent_over_https_in_production(client):
    response = client.get("/", secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def boom(request):
    raise RuntimeError("secret internal detail: password=hunter2")


urlpatterns = [path("boom/", boom)]


@override_settings(ROOT_URLCONF="tests.security.test_protocol", DEBUG=False)
def test_500_page_is_french_and_leaks_nothing(client):
    from passlib.urls import handler500  # noqa: F401 - the project's handler is used

    client.raise_request_exception = False
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Une erreur est survenue" in html
    assert "hunter2" not in html and "Traceback" not in html and "RuntimeError" not in html


def test_403_404_400_pages_are_french(login, client, owner, outsider, space):
    assert "Page introuvable" in client.get("/nulle-part/").content.decode()
    response = login(outsider).get(
        f"/collectivites/{space['collectivite'].public_id}/lieux/nouveau/"
    )
    assert response.status_code == 404 and "Page introuvable" in response.content.decode()
    response = login(owner).get("/revue/")
    assert response.status_code == 403 and "Accès refusé" in response.content.decode()
    response = Client().get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400 and "Requête invalide" in response.content.decode()
