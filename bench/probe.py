"""Per-page SQL query count and in-process time (Django test client) on the bench DB.

Usage: python bench/probe.py URL [URL...]   (environment as for manage.py)
A URL prefixed with "anon:" is requested without logging in (the public pages).
Prints JSON: {url: {"queries": n, "ms": t, "status": code}}, keyed without the prefix.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "passlib.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402


def main() -> None:
    email = os.environ.get("BENCH_USER", "admin-0@passlib.bench")
    logged_in = Client(HTTP_HOST="127.0.0.1")
    logged_in.force_login(
        User.objects.get(email=email), backend="django.contrib.auth.backends.ModelBackend"
    )
    anonymous = Client(HTTP_HOST="127.0.0.1")
    out = {}
    for arg in sys.argv[1:]:
        client = anonymous if arg.startswith("anon:") else logged_in
        url = arg.removeprefix("anon:")
        client.get(url)  # warm
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                for _ in response.streaming_content:
                    pass
            ms = (time.perf_counter() - start) * 1000
        out[url] = {"queries": len(ctx), "ms": round(ms, 1), "status": response.status_code}
        if os.environ.get("BENCH_SQL"):
            for q in ctx.captured_queries:
                print(f"  {q['time']}s {q['sql'][:300]}", file=sys.stderr)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
