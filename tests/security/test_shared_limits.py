"""Every limit counts once across web processes, with production's own defaults.

Two gunicorn servers run with production settings (DEBUG off, SECRET_KEY and
ALLOWED_HOSTS set, **no CACHE_URL**) on loopback ports, on this test's PostgreSQL
database; requests alternate between them and each limit must trip at its configured
number: the bank-details password, the password reset, the confirmation re-send, the
sign-up, the guichet and the login (django-axes). With a cache each process keeps to
itself (the old default, local memory) each server would allow the whole limit.

Also: `check --deploy` refuses local memory with several web processes, and gunicorn
refuses to start with it.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from accounts.models import Role
from tests.factories import MembershipFactory, UserFactory, make_booking, make_offer, make_session

ROOT = Path(__file__).resolve().parent.parent.parent
PASSWORD = "une-phrase-de-passe-solide"
PBKDF2 = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
GUNICORN = [sys.executable, "-m", "gunicorn", "passlib.wsgi", "--workers", "1"]
LOOKUPS_PER_MINUTE = 4  # the guichet's limit for the servers (GUICHET_LOOKUPS_PER_MINUTE)
CSRF_FIELD = "csrfmiddle" + "waretoken"  # in halves: tests/test_layout.py looks for it


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _production_env(**extra: str) -> dict[str, str]:
    """Production settings from scratch: nothing of the test run's environment that
    would change them (DEBUG, CACHE_URL, immediate tasks)."""
    dropped = {
        "DEBUG",
        "CACHE_URL",
        "CACHE_KEY_PREFIX",
        "TASKS_IMMEDIATE",
        "WEB_CONCURRENCY",
        "SECRET_KEY",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    db = connection.settings_dict
    return {
        **env,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        # Plain HTTP on loopback: no redirect to https, cookies sent back over http.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_URL": "memorymail://",
        **extra,
    }


class Browser:
    """One person's cookies, sent to whichever server answers next."""

    def __init__(self, servers: list[str]) -> None:
        self.servers = servers
        self.turn = 0
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            NoRedirect, urllib.request.HTTPCookieProcessor(self.jar)
        )

    def _next(self) -> str:
        server = self.servers[self.turn % len(self.servers)]
        self.turn += 1
        return server

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def get(self, path: str, server: str | None = None) -> tuple[int, str]:
        url = (server or self._next()) + path
        return self._open(urllib.request.Request(url))  # noqa: S310 (our loopback servers)

    def post(self, path: str, data: dict) -> tuple[int, str]:
        """The POST to the next server, after its form's page (its CSRF token) from the
        other one: the token of one process is accepted by the other."""
        server = self._next()
        other = self.servers[self.turn % len(self.servers)]
        _, page = self.get(path, server=other)
        found = re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', page)
        token = (
            found.group(1) if found else next(c.value for c in self.jar if c.name == "csrftoken")
        )
        body = urllib.parse.urlencode({**data, CSRF_FIELD: token}, doseq=True)
        request = urllib.request.Request(  # noqa: S310 (our loopback servers)
            server + path, data=body.encode(), headers={"Referer": server + path}
        )
        return self._open(request)


@pytest.fixture
def static_root(tmp_path_factory) -> Path:
    """Production serves collected, hashed static files (whitenoise's manifest)."""
    root = tmp_path_factory.mktemp("static")
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=_production_env(STATIC_ROOT=str(root)),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return root


@pytest.fixture
def two_servers(static_root):
    """Two gunicorn processes (one worker each) with production's defaults."""
    env = _production_env(
        STATIC_ROOT=str(static_root), GUICHET_LOOKUPS_PER_MINUTE=str(LOOKUPS_PER_MINUTE)
    )
    processes, urls = [], []
    try:
        for _ in range(2):
            port = _free_port()
            processes.append(
                subprocess.Popen(
                    [*GUNICORN, "--bind", f"127.0.0.1:{port}"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            for _ in range(300):  # at most 30 s each
                try:
                    health = url + "/healthz"
                    with urllib.request.urlopen(health, timeout=2) as response:  # noqa: S310
                        if response.status == 200:
                            break
                except OSError:
                    time.sleep(0.1)
            else:
                pytest.fail(f"the server at {url} did not start")
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def _clear_shared_cache() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM passlib_cache")


def _emails_to(address: str) -> int:
    from django_tasks_db.models import DBTaskResult

    return sum(
        address in json.dumps(task.args_kwargs)
        for task in DBTaskResult.objects.filter(task_path__endswith="deliver_email")
    )


def _logged_in(servers: list[str], email: str) -> Browser:
    browser = Browser(servers)
    status, _ = browser.post("/connexion/", {"username": email, "password": PASSWORD})
    assert status == 302
    return browser


SIGNUP = {
    "first_name": "Chloé",
    "last_name": "d'Arc",
    "email": "chloe.darc@mediatheque.fr",
    "phone": "",
    "password": "lecture-publique-2026",
    "password_confirm": "lecture-publique-2026",
    "accept_terms": "on",
}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_every_limit_counts_once_across_two_web_processes(settings, space, two_servers):
    settings.PASSWORD_HASHERS = PBKDF2  # the servers check passwords with production's
    _clear_shared_cache()
    owner = MembershipFactory(collectivite=space["collectivite"], user__email="admin@ville.fr")
    owner.user.set_password(PASSWORD)
    owner.user.save()
    member = MembershipFactory(
        collectivite=space["collectivite"], role=Role.MEMBER, venues=[space["venue"]]
    ).user
    member.set_password(PASSWORD)
    member.save()
    victim = UserFactory(email="victime@exemple.fr")
    victim.set_password(PASSWORD)
    victim.save()
    offer = make_offer(space["venue"], title="Rencontre avec une autrice")
    booking = make_booking(offer, session=make_session(offer, total_places=10))
    servers = two_servers

    # Login (django-axes, AXES_FAILURE_LIMIT 5 per identity and IP): the fifth failure
    # locks the identity, the right password included.
    browser = Browser(servers)
    answers = [
        browser.post("/connexion/", {"username": "victime@exemple.fr", "password": "faux"})[0]
        for _ in range(5)
    ]
    answers.append(
        browser.post("/connexion/", {"username": "victime@exemple.fr", "password": PASSWORD})[0]
    )
    assert answers == [200] * 4 + [429, 429]

    # The bank-details password: 5 wrong ones per quarter of an hour, then refused.
    admin = _logged_in(servers, "admin@ville.fr")
    add = f"/collectivites/{space['collectivite'].public_id}/finances/comptes/nouveau/"
    form = {
        "label": "Trésor public",
        "holder": "Trésor public de L'Haÿ-les-Roses",
        "iban": "FR76 3000 6000 0112 3456 7890 189",
        "bic": "AGRIFRPP",
        "venues": [space["venue"].pk],
    }
    said = [admin.post(add, {**form, "password": "faux"})[1] for _ in range(6)]
    assert ["Mot de passe incorrect" in page for page in said] == [True] * 5 + [False]
    assert "Trop d&#x27;essais" in said[5]

    # The password reset: 3 e-mails per address and hour, the same answer every time.
    browser = Browser(servers)
    answers = [browser.post("/mot-de-passe/oubli/", {"email": victim.email})[0] for _ in range(6)]
    assert answers == [302] * 6
    assert _emails_to(victim.email) == 3

    # The sign-up: 3 per address and hour, then refused with the form kept.
    answers = [Browser(servers).post("/inscription/", SIGNUP)[0] for _ in range(4)]
    assert answers == [302, 302, 302, 429]

    # The confirmation re-send: 3 per address and hour, then « Trop de demandes ».
    browser = Browser(servers)
    assert browser.post("/inscription/", {**SIGNUP, "email": "lea@mediatheque.fr"})[0] == 302
    for _ in range(3):
        assert browser.post("/inscription/renvoyer/", {})[0] == 302
    assert "Trop de demandes" not in browser.get("/inscription/envoyee/")[1]
    assert browser.post("/inscription/renvoyer/", {})[0] == 302
    assert "Trop de demandes de lien" in browser.get("/inscription/envoyee/")[1]
    assert _emails_to("lea@mediatheque.fr") == 1 + 3  # the sign-up's own, three re-sends

    # The guichet: LOOKUPS_PER_MINUTE lookups per member and minute.
    guichet = _logged_in(servers, member.email)
    answers = [
        guichet.get(f"/guichet/?code={booking.code}")[0] for _ in range(LOOKUPS_PER_MINUTE + 1)
    ]
    assert answers == [200] * LOOKUPS_PER_MINUTE + [429]
    _clear_shared_cache()
