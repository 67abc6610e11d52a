import re
from datetime import timedelta

import pytest
from django.core import mail

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "first_name": "Camille",
    "last_name": "Durand",
    "email": "Camille.Durand@Mediatheque.fr",
    "phone": "04 78 00 00 00",
    "password": "lecture-publique-2026",
    "password_confirm": "lecture-publique-2026",
    "accept_terms": "on",
}


def confirmation_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/inscription/confirmer/[^/\s]+/)", message.body).group(1)


def test_signup_creates_an_unconfirmed_account_and_emails_a_link(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/inscription/", GOOD)
    assert response.status_code == 302
    assert response.url == "/inscription/envoyee/"
    user = User.objects.get(email="camille.durand@mediatheque.fr")
    assert user.first_name == "Camille"
    assert user.terms_accepted_at is not None
    assert not user.email_confirmed
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["camille.durand@mediatheque.fr"]
    assert "Confirmez votre adresse" in message.subject
    assert message.alternatives[0][1] == "text/html"
    assert "/inscription/confirmer/" in message.body


def test_confirmation_link_shows_a_button_then_confirms_on_post(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/inscription/", GOOD)
    path = confirmation_path(mail.outbox[0])
    user = User.objects.get()
    response = client.get(path)
    assert response.status_code == 200
    assert "Confirmer mon adresse" in response.content.decode()
    user.refresh_from_db()
    assert not user.email_confirmed  # GET changes nothing
    response = client.post(path)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email_confirmed


def test_expired_confirmation_link_is_refused(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/inscription/", GOOD)
    path = confirmation_path(mail.outbox[0])
    monkeypatch.setattr("accounts.tokens.EMAIL_CONFIRMATION_MAX_AGE", timedelta(seconds=-1))
    response = client.post(path)
    assert response.status_code == 400
    assert "n'est plus valable" in response.content.decode()
    assert not User.objects.get().email_confirmed


def test_tampered_confirmation_link_is_refused(client):
    response = client.get("/inscription/confirmer/faux-jeton/")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"password": "court", "password_confirm": "court"}, "password", "12 caractères"),
        ({"password_confirm": "autre-chose-2026"}, "password_confirm", "ne correspondent pas"),
        ({"accept_terms": ""}, "accept_terms", "conditions générales"),
        ({"email": "pas-une-adresse"}, "email", "adresse électronique valide"),
        ({"first_name": ""}, "first_name", "obligatoire"),
    ],
)
def test_invalid_signup_keeps_what_was_typed_and_creates_nothing(client, changes, field, message):
    data = {**GOOD, **changes}
    response = client.post("/inscription/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert 'value="Durand"' in html  # typed data kept
    assert User.objects.count() == 0


def test_duplicate_email_creates_nothing_and_tells_the_owner(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="camille.durand@mediatheque.fr")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/inscription/", GOOD)
    # The same answer as a new address (tests/security/test_limits.py), no account.
    assert response.status_code == 302 and response.url == "/inscription/envoyee/"
    assert User.objects.count() == 1
    assert [m.subject for m in mail.outbox] == ["Vous avez déjà un compte passlib"]


def test_login_with_email_any_case(client):
    UserFactory(email="lea@exemple.fr")
    response = client.post("/connexion/", {"username": "LEA@exemple.fr", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/espace/"


# The lockout after five failures, whatever the case of the address:
# tests/security/test_limits.py.


def test_failures_below_the_limit_show_the_french_error(client):
    UserFactory(email="lea@exemple.fr")
    response = client.post("/connexion/", {"username": "lea@exemple.fr", "password": "faux"})
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect" in response.content.decode()


def test_password_reset_sends_a_french_email(client, django_capture_on_commit_callbacks):
    UserFactory(email="lea@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/mot-de-passe/oubli/", {"email": "lea@exemple.fr"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "Réinitialisation" in mail.outbox[0].subject
    assert "/mot-de-passe/nouveau/" in mail.outbox[0].body


def test_resend_confirmation_refuses_get(login):
    client = login(UserFactory(email_confirmed_at=None))
    assert client.get("/inscription/renvoyer/").status_code == 405


def test_unconfirmed_user_cannot_reach_the_siret_step(login):
    client = login(UserFactory(email_confirmed_at=None))
    response = client.get("/structure/siret/")
    assert response.status_code == 302
    assert response.url == "/inscription/envoyee/"


def test_the_first_confirmation_logs_in_and_goes_where_the_signup_was_going(
    client, django_capture_on_commit_callbacks
):
    """Sign-up no longer logs in (it must answer the same for a known address): the
    link does, once, in the browser that signed up, and follows its `next`."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/inscription/?next=/structure/siret/", GOOD)
    assert response.url == "/inscription/envoyee/"
    assert "_auth_user_id" not in client.session
    path = confirmation_path(mail.outbox[0])
    response = client.post(path)
    assert response.url == "/structure/siret/"
    assert "_auth_user_id" in client.session
    # A second use of the link confirms nothing new and logs nobody in.
    from django.test import Client

    other = Client()
    response = other.post(path)
    assert response.url == "/connexion/" and "_auth_user_id" not in other.session
