"""The cache every web process shares, when no Redis is configured.

What is kept between requests (the rate limits of passlib/ratelimit.py, the list counts
of passlib/counts.py) must be counted once whatever process answers: with local memory,
three gunicorn workers would each allow five bank-password guesses. So in production
(DEBUG off) the default cache is Django's database cache, table `passlib_cache`, created
by the migration `passlib/migrations/0001_cache_table.py` (so `migrate` is enough);
`CACHE_URL=redis://…` replaces it. Local memory stays for development (one
`runserver` process) and is refused by `check --deploy` with more than one worker
(`check_shared_cache`, below; gunicorn.conf.py refuses to start too).

Two things Django's database cache does not do, which the limits need:
- `incr` is atomic (Django's reads, adds and writes back: two processes incrementing
  at once would count one attempt) and keeps the key's expiry (Django's `set` would
  give it the default five minutes, so a quarter-hour window would forget its count);
- on PostgreSQL it writes through its own connection (the `cache` database alias, the
  same database, `CacheRouter`): a count is kept when the request's transaction rolls
  back, and the list counts' generation row is not locked until a booking commits.
  SQLite serialises writes anyway: there the cache uses the request's connection.
"""

from __future__ import annotations

import base64
import pickle

from django.conf import settings
from django.core import checks
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connections, models, router
from django.utils.timezone import now as tz_now

TABLE = "passlib_cache"
ALIAS = "cache"  # the database alias of the cache's own connection (PostgreSQL)
CAS_TRIES = 100  # compare-and-swap rounds before giving up (each lost round is a winner)


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        """Add `delta` with a compare-and-swap UPDATE (retried when another process
        wrote in between), keeping the expiry; ValueError when the key is missing."""
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        qn = connection.ops.quote_name
        table = qn(self._table)
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        )
        # Table and column names are ours, quoted; values are parameters. The value is
        # Django's own pickled format, written by this cache only.
        key_is = f"{qn('cache_key')} = %s"
        select = f"SELECT {qn('value')}, {qn('expires')} FROM {table} WHERE {key_is}"  # noqa: S608
        update = f"UPDATE {table} SET {qn('value')} = %s WHERE {key_is} AND {qn('value')} = %s"  # noqa: S608
        for _ in range(CAS_TRIES):
            with connection.cursor() as cursor:
                cursor.execute(select, [key])
                row = cursor.fetchone()
                if row is None:
                    raise ValueError(f"Key '{key}' not found.")
                stored, expires = connection.ops.process_clob(row[0]), row[1]
                for converter in converters:
                    expires = converter(expires, expression, connection)
                if expires < tz_now():
                    raise ValueError(f"Key '{key}' not found.")
                value = pickle.loads(base64.b64decode(stored.encode(), validate=True)) + delta  # noqa: S301
                encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode(
                    "latin1"
                )
                cursor.execute(update, [encoded, key, stored])
                if cursor.rowcount == 1:
                    return value
        raise RuntimeError(f"The cache key '{key}' kept changing: not incremented.")


class CacheRouter:
    """The database cache's table is read and written through the `cache` alias when
    settings define it (PostgreSQL: its own connection, outside the request's
    transaction); nothing is ever migrated through that alias."""

    def _cache_alias(self, model) -> str | None:
        if model._meta.app_label == "django_cache" and ALIAS in settings.DATABASES:
            return ALIAS
        return None

    def db_for_read(self, model, **hints):
        return self._cache_alias(model)

    def db_for_write(self, model, **hints):
        return self._cache_alias(model)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == ALIAS else None


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Production refuses a cache each process keeps to itself when several web
    processes run (WEB_CONCURRENCY, which gunicorn reads for its number of workers)."""
    workers = settings.WEB_CONCURRENCY
    cache = caches["default"]
    if isinstance(cache, LocMemCache) and workers > 1:
        return [
            checks.Error(
                f"The default cache is local memory with {workers} web processes "
                "(WEB_CONCURRENCY): each would count the rate limits and the list counts "
                "alone.",
                hint="Leave CACHE_URL unset (the database cache, shared) or set it to "
                "redis://… (docs/operations.md).",
                id="passlib.E001",
            )
        ]
    if type(cache).__name__ == "DummyCache":
        return [
            checks.Error(
                "The default cache is the dummy cache: no rate limit would ever trip.",
                hint="Leave CACHE_URL unset or set it to redis://… (docs/operations.md).",
                id="passlib.E002",
            )
        ]
    return []
