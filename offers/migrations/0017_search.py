"""French full-text search on PostgreSQL (passlib/search.py): the `unaccent`
extension; our text search configuration `passlib_fr` (French stemming after
unaccent); on each searched table (the offers', and the venues' for their name and
commune) a stored generated column `search_document` (the
title weighted A, the description C, computed by PostgreSQL on every write: a search
never recomputes a description's vector) with its GIN index. The column is not a
Django field (Django would read it with every offer); `passlib.search.StoredDocument`
names it in queries. Nothing on SQLite (the search folds words in Python there)."""

from django.db import migrations

OFFER_DOCUMENT = (
    "setweight(to_tsvector('passlib_fr'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('passlib_fr'::regconfig, coalesce(description, '')), 'C')"
)
VENUE_DOCUMENT = (
    "to_tsvector('passlib_fr'::regconfig, coalesce(name, '') || ' ' || "
    "coalesce(public_name, '') || ' ' || coalesce(city, ''))"
)
# table: (index, document). The venues' (accounts) too: a search finds the offers of
# a venue or a commune by its name.
TABLES = {
    "offers_offer": ("offer_search", OFFER_DOCUMENT),
    "offers_collectiveoffer": ("collective_offer_search", OFFER_DOCUMENT),
    "offers_collectiveshowcase": ("showcase_search", OFFER_DOCUMENT),
    "accounts_venue": ("venue_search", VENUE_DOCUMENT),
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute(
        "DO $$ BEGIN "
        "IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'passlib_fr') THEN "
        "CREATE TEXT SEARCH CONFIGURATION passlib_fr (COPY = french); "
        "ALTER TEXT SEARCH CONFIGURATION passlib_fr ALTER MAPPING "
        "FOR hword, hword_part, word WITH unaccent, french_stem; "
        "END IF; END $$"
    )
    for table, (index, document) in TABLES.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_document tsvector "
            f"GENERATED ALWAYS AS ({document}) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin (search_document)"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, (index, _) in TABLES.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_document")
    schema_editor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS passlib_fr")


class Migration(migrations.Migration):
    dependencies = [("offers", "0016_images"), ("accounts", "0007_venue_page")]

    operations = [migrations.RunPython(forward, backward)]
