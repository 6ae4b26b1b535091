"""On PostgreSQL, trigram indexes let name and alias searches (icontains) use an index instead of reading
every row. Creating the pg_trgm extension needs the right privilege: without it the indexes are skipped
and search still works, only slower (the operator is told in the migration output)."""

from django.db import migrations

INDEXES = [
    ("nominal_given_trgm", "nominals_nominal", "given_names"),
    ("nominal_family_trgm", "nominals_nominal", "family_name"),
    ("alias_given_trgm", "nominals_alias", "given_names"),
    ("alias_family_trgm", "nominals_alias", "family_name"),
]


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            try:
                cursor.execute("SAVEPOINT marsoc_trgm")
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute("RELEASE SAVEPOINT marsoc_trgm")
            except Exception:  # noqa: BLE001 - no privilege: search stays correct without the indexes
                cursor.execute("ROLLBACK TO SAVEPOINT marsoc_trgm")
                print("\n  pg_trgm is not available: name search will not use trigram indexes")  # noqa: T201
                return
        for name, table, column in INDEXES:
            # The expression matches what Django's icontains produces: UPPER(column::text) LIKE UPPER(...)
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)"
            )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, _table, _column in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("nominals", "0002_name_order_index")]
    operations = [migrations.RunPython(forwards, backwards)]
