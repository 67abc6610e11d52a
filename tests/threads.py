"""Running calls at the same instant, each in its own thread and database connection
(PostgreSQL concurrency tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def at_once(calls: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    """Start every call together (a barrier); return their results and their errors."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors
