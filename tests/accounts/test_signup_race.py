"""Five simultaneous sign-ups with one address (PostgreSQL, real threads, through the
whole request stack): every answer is the same clear one, exactly one account exists,
and the others tell the owner by e-mail instead of failing."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from accounts.models import User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 5


@pytest.mark.parametrize(
    ("url", "extra"),
    [("/inscription/", {"phone": ""}), ("/jeunes/inscription/", {"birth_date": "2010-03-02"})],
)
def test_simultaneous_signups_with_one_address_make_one_account(url, extra, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup_target": (50, 3600)}
    settings.BENEFICIARY_MIN_AGE, settings.BENEFICIARY_MAX_AGE = 0, 120
    data = {
        "first_name": "Chloé",
        "last_name": "d'Arc",
        "email": "chloe.darc@exemple.fr",
        "password": "lecture-publique-2026",
        "password_confirm": "lecture-publique-2026",
        "accept_terms": "on",
        **extra,
    }
    barrier = threading.Barrier(THREADS)
    answers: list[tuple] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        client = Client()
        try:
            barrier.wait()
            # Each thread types the address its own way: one person, one account.
            email = data["email"].upper() if n % 2 else data["email"]
            response = client.post(url, {**data, "email": email})
            answer = (response.status_code, response.get("Location"))
        except Exception as exc:
            answer = ("error", repr(exc))
        finally:
            connection.close()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [(302, "/inscription/envoyee/")] * THREADS
    assert User.objects.filter(email__iexact="chloe.darc@exemple.fr").count() == 1
    subjects = sorted(m.subject for m in mail.outbox)
    # the owner of the account made is told in their own register (« tu » to the young)
    already = "Tu as" if url.startswith("/jeunes/") else "Vous avez"
    assert subjects.count(f"{already} déjà un compte passlib") == THREADS - 1
