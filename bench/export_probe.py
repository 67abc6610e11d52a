"""Time the CSV export of every booking of the collectivité, and the process's peak memory.

Run by bench/run.py with the bench environment. Prints JSON.
"""

import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "passlib.settings")

import django

django.setup()

from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(
        User.objects.get(email=os.environ.get("BENCH_USER", "admin-0@passlib.bench")),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    client.get("/")  # warm imports and connections
    before = rss_mb()
    start = time.perf_counter()
    response = client.get("/reservations/export.csv")
    size = rows = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += chunk.count(b"\n")
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "rows": rows - 1,
                "bytes": size,
                "peak_rss_mb": round(rss_mb(), 1),
                "rss_before_mb": round(before, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
