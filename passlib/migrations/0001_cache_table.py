"""The database cache's table (passlib/cache.py), so that `migrate` is the only deploy
step: production's default cache is shared by every web process through it. A table
named by CACHE_URL=dbcache://… is created too (when configured at this migration's
run; later, `python manage.py createcachetable`)."""

import io

from django.conf import settings
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

from passlib.cache import TABLE


def _tables() -> list[str]:
    tables = [TABLE]
    for cache in settings.CACHES.values():
        if cache["BACKEND"].endswith("DatabaseCache") and cache["LOCATION"] not in tables:
            tables.append(cache["LOCATION"])
    return tables


def create(apps, schema_editor):
    command = CreateCacheTable(stdout=io.StringIO())
    command.verbosity = 0
    for table in _tables():
        command.create_table(schema_editor.connection.alias, table, dry_run=False)


def drop(apps, schema_editor):
    existing = schema_editor.connection.introspection.table_names()
    for table in _tables():
        if table in existing:
            schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(table)}")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create, drop)]
