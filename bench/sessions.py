"""Create logged-in sessions for the benchmark users (so that the load phases measure
pages, not the password hasher). Prints JSON {email: [session keys]}."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "passlib.settings")

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from accounts.models import User  # noqa: E402


def main() -> None:
    count = int(sys.argv[1])
    out = {}
    for email in sys.argv[2:]:
        user = User.objects.get(email=email)
        keys = []
        for _ in range(count):
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.save()
            keys.append(session.session_key)
        out[email] = keys
    print(json.dumps(out))


if __name__ == "__main__":
    main()
