"""The cache every web process shares (passlib/cache.py): production's default, its
atomic increment, and the refusals of a per-process cache with several workers.

The limits counted across two real server processes: tests/security/test_shared_limits.py.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from passlib.cache import TABLE, DatabaseCache
from tests.test_foundation import ROOT, _manage
from tests.threads import at_once

GUNICORN = [sys.executable, "-m", "gunicorn", "passlib.wsgi"]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "passlib.example.org",
    "CACHE_URL": "",
}


def test_production_shares_the_database_cache_by_default():
    code = "from django.conf import settings; print(settings.CACHES['default'])"
    result = _manage("shell", "-c", code, env=PRODUCTION)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "'BACKEND': 'passlib.cache.DatabaseCache'" in result.stdout
    assert f"'LOCATION': '{TABLE}'" in result.stdout


@pytest.mark.parametrize(
    ("cache_url", "workers", "refused"),
    [
        ("locmemcache://", "3", True),
        ("locmemcache://", "1", False),  # one process: its memory is everybody's
        ("", "3", False),  # the default: the database cache
        ("dummycache://", "1", True),  # no limit would ever trip
    ],
)
def test_check_deploy_refuses_a_cache_each_process_keeps_to_itself(cache_url, workers, refused):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION, "CACHE_URL": cache_url, "WEB_CONCURRENCY": workers},
    )
    output = result.stdout + result.stderr
    assert (result.returncode != 0) is refused, output
    assert ("passlib.E00" in output) is refused, output
    if cache_url == "locmemcache://" and refused:
        assert "local memory with 3 web processes" in output


def test_gunicorn_refuses_several_workers_on_local_memory():
    result = subprocess.run(
        [*GUNICORN, "--workers", "2", "--bind", "127.0.0.1:0"],
        cwd=ROOT,
        env={**_base_env(), **PRODUCTION, "CACHE_URL": "locmemcache://"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "2 workers on a local-memory cache" in result.stdout + result.stderr


def _base_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}


def _expires(cache: DatabaseCache, key: str):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT expires FROM {TABLE} WHERE cache_key = %s",  # noqa: S608
            [cache.make_key(key)],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def database_cache(db) -> DatabaseCache:
    cache = DatabaseCache(TABLE, {"KEY_PREFIX": f"test-{secrets.token_hex(4)}"})
    yield cache
    cache.clear()


def test_incr_keeps_the_expiry_of_the_key(database_cache):
    """Django's database cache writes an incremented value back with the default five
    minutes: a quarter-hour limit would forget its count."""
    assert database_cache.add("essais", 0, timeout=1860)
    before = _expires(database_cache, "essais")
    assert [database_cache.incr("essais") for _ in range(3)] == [1, 2, 3]
    assert database_cache.decr("essais") == 2
    assert _expires(database_cache, "essais") == before
    expires = before if isinstance(before, datetime) else datetime.fromisoformat(before)
    if timezone.is_naive(expires):
        expires = timezone.make_aware(expires, UTC)
    assert expires > timezone.now() + timedelta(minutes=30)
    assert database_cache.get("essais") == 2


def test_incr_of_a_missing_or_expired_key_is_a_value_error(database_cache):
    with pytest.raises(ValueError):
        database_cache.incr("absente")
    database_cache.set("passee", 5, timeout=-1)
    with pytest.raises(ValueError):
        database_cache.incr("passee")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_increments_at_the_same_instant_are_all_counted():
    """Eight connections incrementing one counter together (eight web processes)."""
    cache = DatabaseCache(TABLE, {"KEY_PREFIX": f"test-{secrets.token_hex(4)}"})
    cache.add("essais", 0, timeout=900)

    def twenty_five():
        return [cache.incr("essais") for _ in range(25)]

    results, errors = at_once([twenty_five] * 8)
    assert errors == []
    assert cache.get("essais") == 200
    seen = [n for result in results for n in result]
    assert sorted(seen) == list(range(1, 201))  # each increment saw its own value
    cache.clear()
