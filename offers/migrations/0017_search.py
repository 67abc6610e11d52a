"""French full-text search on PostgreSQL (passlib/search.py): the `unaccent`
extension, our text search configuration `passlib_fr` (French stemming after
unaccent), and a GIN index on the searched document of each table, written exactly as
`passlib.search.Document` writes it. Nothing on SQLite (the search folds words in
Python there)."""

from django.db import migrations

DOCUMENTS = {
    "offer_search": ("offers_offer", ["title", "description"]),
    "collective_offer_search": ("offers_collectiveoffer", ["title", "description"]),
    "showcase_search": ("offers_collectiveshowcase", ["title", "description"]),
}


def _document(columns):
    joined = " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)
    return f"to_tsvector('passlib_fr'::regconfig, {joined})"


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
    for name, (table, columns) in DOCUMENTS.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({_document(columns)})"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in DOCUMENTS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS passlib_fr")


class Migration(migrations.Migration):
    dependencies = [("offers", "0016_images")]

    operations = [migrations.RunPython(forward, backward)]
