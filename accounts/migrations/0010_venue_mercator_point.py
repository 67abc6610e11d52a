"""The venues' position as a PostgreSQL `point` for the catalogue's « nearest first »
(accounts/positions.py): a stored generated column `mercator_point` (Mercator
coordinates of the venue's latitude and longitude, computed by PostgreSQL on every
write) with its GiST index, which orders venues by `<->` from a chosen point and reads
the nearest first. Not a Django field (every read of a venue would carry it);
`accounts.positions.VenuePosition` names it in queries. Nothing on SQLite (the
catalogue computes a squared distance there).

Mercator is conformal: near any point its scale is the same in every direction, so the
plane's Euclidean distance orders venues as the real distance does, in Lyon as in
La Réunion (an equirectangular plane would need a scale per query). The latitude is
held within ±85° (tan(pi/2) has no logarithm); no coordinates, no point."""

from django.db import migrations

LATITUDE = "greatest(-85.0, least(85.0, latitude))"
MERCATOR_POINT = (
    "CASE WHEN latitude IS NULL OR longitude IS NULL THEN NULL ELSE "
    f"point(radians(longitude), ln(tan(pi() / 4 + radians({LATITUDE}) / 2))) END"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE accounts_venue ADD COLUMN IF NOT EXISTS mercator_point point "
        f"GENERATED ALWAYS AS ({MERCATOR_POINT}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS venue_mercator_point ON accounts_venue "
        "USING gist (mercator_point)"
    )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS venue_mercator_point")
    schema_editor.execute("ALTER TABLE accounts_venue DROP COLUMN IF EXISTS mercator_point")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_role_label_epicene")]

    operations = [migrations.RunPython(forward, backward)]
