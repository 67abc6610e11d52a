"""gunicorn's settings, read from the project folder (`gunicorn passlib.wsgi`).

Proxy headers are trusted in one place, Django's settings, and only when configured:
`SECURE_PROXY_SSL_HEADER_ENABLED=true` trusts `X-Forwarded-Proto: https`, and
`AXES_PROXY_COUNT` (or the rate limits, passlib/ratelimit.py) reads the client's IP from
`X-Forwarded-For`. gunicorn itself trusts none: by default it would turn
`X-Forwarded-Proto` from 127.0.0.1 into an https request even with the Django setting
off (docs/security.md).

The number of workers is WEB_CONCURRENCY (as gunicorn's own default, read here so that
Django's `check --deploy` reads the same number): with more than one, the cache must be
shared (passlib/cache.py), and gunicorn refuses to start on local memory.
"""

import os

secure_scheme_headers: dict[str, str] = {}
forwarded_allow_ips = "127.0.0.1"  # irrelevant without secure_scheme_headers; kept narrow
forwarder_headers = ""

workers = int(os.environ.get("WEB_CONCURRENCY", "1"))


def on_starting(server) -> None:
    """Several workers on a cache each keeps to itself would each count the rate
    limits alone (five bank-password guesses become fifteen with three workers)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "passlib.settings")
    from django.conf import settings

    backend = settings.CACHES["default"]["BACKEND"]
    if server.cfg.workers > 1 and backend.endswith("LocMemCache"):
        raise SystemExit(
            f"passlib: {server.cfg.workers} workers on a local-memory cache, which each "
            "would keep to itself. Leave CACHE_URL unset (the shared database cache) or "
            "set it to redis://… (docs/operations.md)."
        )
