"""The login lockout, the sign-up / reset / re-send limits and what they say.

- One identity whatever its case, spaces or control characters: the lockout counts
  them together (accounts/identity.py, AXES_USERNAME_CALLABLE).
- A known and an unknown address get the same answer from every sign-up and from the
  password reset; the owner of a known one is told by e-mail.
- Limits per IP and per address hold across two server processes sharing Redis.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.core import mail

from accounts.models import User
from passlib import ratelimit
from tests.factories import PASSWORD, UserFactory, make_school
from tests.test_counts import _other_process, _redis_caches

pytestmark = pytest.mark.django_db

PRO = {
    "first_name": "Chloé",
    "last_name": "d'Arc",
    "email": "chloe.darc@mediatheque.fr",
    "phone": "",
    "password": "lecture-publique-2026",
    "password_confirm": "lecture-publique-2026",
    "accept_terms": "on",
}


# --- the lockout ---------------------------------------------------------------------------


def test_the_lockout_counts_every_case_and_space_variant_as_one_identity(client):
    UserFactory(email="lea@exemple.fr")
    variants = [
        "lea@exemple.fr",
        "LEA@exemple.fr",
        " Lea@Exemple.fr ",
        "lea@EXEMPLE.FR",
        "\tlEa@exemple.FR\x0b",
    ]
    for variant in variants:
        response = client.post("/connexion/", {"username": variant, "password": "faux"})
    assert response.status_code == 429
    assert "temporairement bloquée" in response.content.decode()
    # A sixth variant, with the right password: still locked.
    response = client.post("/connexion/", {"username": "LEA@EXEMPLE.FR", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_with_spaces_and_capitals_works(client):
    UserFactory(email="lea@exemple.fr")
    response = client.post("/connexion/", {"username": "  LEA@Exemple.fr ", "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_an_identity_over_254_characters_gets_a_french_message(client):
    response = client.post("/connexion/", {"username": "a" * 300 + "@x.fr", "password": "x"})
    assert response.status_code == 200
    assert "au plus 254 caractères" in response.content.decode()


# --- the same answer whether the address has an account ----------------------------------------


def _signup_answer(client, url: str, data: dict):
    response = client.post(url, data)
    page = client.get(response.url)
    text = re.sub(r"[\w.'-]+@[\w.-]+", "ADRESSE", page.content.decode())
    # The CSRF token and the CSP nonce differ on every response.
    text = re.sub(r'(value|nonce)="[^"]{16,}"|"X-CSRFToken": "[^"]+"', "", text)
    return response.status_code, response.url, sorted(response.cookies), text


@pytest.mark.parametrize(
    ("url", "extra"),
    [
        ("/inscription/", {}),
        ("/jeunes/inscription/", {"birth_date": "2010-01-15"}),
        ("/enseignants/inscription/", {"uai": "0690001B"}),
    ],
)
def test_every_signup_answers_the_same_for_a_known_and_an_unknown_address(
    client, url, extra, django_capture_on_commit_callbacks, settings
):
    from django.test import Client

    settings.BENEFICIARY_MIN_AGE, settings.BENEFICIARY_MAX_AGE = 0, 120
    make_school()
    owner = UserFactory(email="deja@mediatheque.fr")
    data = {**PRO, **extra}
    if url != "/inscription/":
        del data["phone"]
    with django_capture_on_commit_callbacks(execute=True):
        known = _signup_answer(Client(), url, {**data, "email": "Deja@Mediatheque.fr"})
        unknown = _signup_answer(Client(), url, {**data, "email": "nouvelle@mediatheque.fr"})
    assert known == unknown
    assert known[:2] == (302, "/inscription/envoyee/")
    assert User.objects.filter(email="deja@mediatheque.fr").count() == 1
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)  # the existing account is untouched
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["deja@mediatheque.fr"] == "Vous avez déjà un compte passlib"
    confirm = "Confirme ton adresse" if url.startswith("/jeunes/") else "Confirmez votre adresse"
    assert confirm in subjects["nouvelle@mediatheque.fr"]
    told = next(m for m in mail.outbox if m.to == ["deja@mediatheque.fr"])
    assert "/mot-de-passe/oubli/" in told.body and "&#x27;" not in told.body


def test_the_password_reset_answers_the_same_and_mails_only_an_owner(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="lea@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/mot-de-passe/oubli/", {"email": "LEA@exemple.fr"})
        unknown = client.post("/mot-de-passe/oubli/", {"email": "personne@exemple.fr"})
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert [m.to for m in mail.outbox] == [["lea@exemple.fr"]]


# --- limits --------------------------------------------------------------------------------


def test_fifteen_reset_requests_send_three_emails_and_answer_the_same(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="victime@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        answers = {
            client.post("/mot-de-passe/oubli/", {"email": "victime@exemple.fr"}).url
            for _ in range(15)
        }
    assert answers == {"/mot-de-passe/oubli/envoye/"}
    assert len(mail.outbox) == 3


def test_one_ip_trying_many_addresses_is_told_to_wait(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": (4, 3600)}
    for n in range(4):
        assert client.post("/mot-de-passe/oubli/", {"email": f"p{n}@x.fr"}).status_code == 302
    response = client.post("/mot-de-passe/oubli/", {"email": "p9@x.fr"})
    assert response.status_code == 429
    assert "Trop de demandes depuis votre connexion" in response.content.decode()


def test_signups_for_one_address_are_limited_and_the_form_keeps_the_input(client):
    from django.test import Client

    for _ in range(3):
        assert Client().post("/inscription/", PRO).status_code == 302
    response = client.post("/inscription/", PRO)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Trop de demandes d&#x27;inscription" in html
    assert 'value="Chloé"' in html and "d&#x27;Arc" in html
    assert User.objects.count() == 1


def test_resending_the_link_is_limited_and_says_the_same(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/inscription/", PRO)
        for _ in range(5):
            response = client.post("/inscription/renvoyer/")
    assert response.url == "/inscription/envoyee/"
    # the sign-up's own e-mail, then three re-sends within the per-address limit
    assert len(mail.outbox) == 4
    page = client.get("/inscription/envoyee/").content.decode()
    assert "Trop de demandes de lien" in page


def test_the_sliding_window_weighs_the_previous_window():
    limit = ratelimit.Limit("essai", count=4, seconds=60)
    start = 6000 * 60.0  # the start of a window
    assert all(ratelimit.hit(limit, "x", now=start + 50) for _ in range(4))
    # 20 s into the next window, 2/3 of the previous 4 still count: 2.67 + 1 ≤ 4, then no.
    assert ratelimit.hit(limit, "x", now=start + 80)
    assert not ratelimit.hit(limit, "x", now=start + 80)
    # A fixed minute would have let 4 through at start + 60 after 4 at start + 50.
    assert ratelimit.hit(limit, "y", now=start + 80)  # other subjects are not affected


# --- across two server processes -------------------------------------------------------------


@pytest.fixture
def shared_limits(settings):
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = _redis_caches(prefix)
    return prefix


OTHER_PROCESS = """
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from django.core import mail
client = Client()
codes = [client.post({url!r}, {data!r}).status_code for _ in range(2)]
print(codes, len(mail.outbox))
"""


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_reset_limits_hold_across_two_processes(shared_limits, client):
    UserFactory(email="victime@exemple.fr")
    for _ in range(2):
        client.post("/mot-de-passe/oubli/", {"email": "victime@exemple.fr"})
    assert len(mail.outbox) == 2
    out = _other_process(
        shared_limits,
        OTHER_PROCESS.format(url="/mot-de-passe/oubli/", data={"email": "Victime@exemple.fr"}),
    )
    # The other process answers the same, and sends only the third e-mail.
    assert out.strip() == "[302, 302] 1"


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_signup_limits_hold_across_two_processes(shared_limits, client):
    for _ in range(2):
        assert client.post("/inscription/", PRO).status_code == 302
    out = _other_process(shared_limits, OTHER_PROCESS.format(url="/inscription/", data=PRO))
    assert out.strip().startswith("[302, 429]")
    assert User.objects.count() == 1
