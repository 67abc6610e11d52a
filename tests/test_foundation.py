import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db.utils import OperationalError

ROOT = Path(__file__).resolve().parent.parent


def test_home_page_is_french_with_the_two_entry_paths(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Inscrire ma bibliothèque" in html
    assert "Se connecter" in html
    assert 'href="#contenu"' in html  # skip link


def test_csp_and_security_headers_are_set(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(client):
    html = client.get("/").content.decode()
    assert "<style" not in html
    assert " style=" not in html
    for chunk in html.split("<script")[1:]:
        assert chunk.lstrip().startswith("src=") or " src=" in chunk.split(">")[0]


def test_htmx_is_served_locally(client):
    html = client.get("/").content.decode()
    assert "/static/django_htmx/htmx-2" in html
    # no script or style from elsewhere (a random CSRF token may spell "cdn")
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_fails(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError):
        response = client.get("/healthz")
    assert response.status_code == 503


def test_unknown_page_gives_the_french_404(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy_with_zero_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "passlib.example.org",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"DEBUG": "false", "ALLOWED_HOSTS": "passlib.example.org"}, "SECRET_KEY"),
        ({"DEBUG": "false", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_without_secret_or_hosts(env, missing):
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_statement_run_often_on_a_connection_is_prepared():
    """DATABASE_PREPARE_THRESHOLD (5): PostgreSQL stops planning the hot queries."""
    from django.db import connection

    from accounts.models import User

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            return cursor.fetchone()[0]

    before = prepared()
    for pk in range(6):
        list(User.objects.filter(pk=pk, is_active=True).values_list("email"))
    assert prepared() > before


@pytest.mark.parametrize("url", ["consolemail://", "smtp://localhost:2525", "memorymail://"])
def test_every_email_url_gives_a_mailer_that_builds(url):
    """EMAIL_URL=consolemail:// used to make every e-mail fail: the SMTP options were
    passed to the console backend, which refuses them."""
    code = (
        "from django.core.mail import mailers, EmailMessage\n"
        "backend = mailers['default']\n"
        "print(type(backend).__module__)\n"
        "if 'smtp' not in type(backend).__module__:\n"
        "    EmailMessage('Sujet', 'Corps', to=['a@b.fr']).send()\n"
    )
    result = _manage("shell", "-c", code, env={"DEBUG": "true", "EMAIL_URL": url})
    assert result.returncode == 0, result.stderr[-2000:]
    if url.startswith("consolemail"):
        assert "Subject: Sujet" in result.stdout


def _gunicorn(env: dict[str, str]):
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "passlib.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env={
            **base,
            "DEBUG": "false",
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "true",
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def get(path: str) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"}
        )
        try:
            return opener.open(request, timeout=5).status
        except urllib.error.HTTPError as exc:
            return exc.code

    for _ in range(100):
        try:
            get("/healthz")
            break
        except OSError:
            time.sleep(0.1)
    return process, get


@pytest.mark.parametrize(("trusted", "expected_redirect"), [("false", True), ("true", False)])
def test_gunicorn_trusts_x_forwarded_proto_only_when_the_setting_says_so(
    trusted, expected_redirect
):
    """gunicorn.conf.py: gunicorn itself trusts no proxy header, even from loopback;
    Django does, and only with SECURE_PROXY_SSL_HEADER_ENABLED (docs/security.md)."""
    process, get = _gunicorn({"SECURE_PROXY_SSL_HEADER_ENABLED": trusted})
    try:
        status = get("/une-page/")
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert (status == 301) is expected_redirect, status
