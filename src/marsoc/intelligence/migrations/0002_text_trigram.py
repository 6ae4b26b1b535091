"""On PostgreSQL, a trigram index lets word searches in intelligence text (icontains) use an index. As in
nominals/0003: without the pg_trgm extension the index is skipped and search stays correct, only slower."""

from django.db import migrations


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            try:
                cursor.execute("SAVEPOINT marsoc_intel_trgm")
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute("RELEASE SAVEPOINT marsoc_intel_trgm")
            except Exception:  # noqa: BLE001 - no privilege: search stays correct without the index
                cursor.execute("ROLLBACK TO SAVEPOINT marsoc_intel_trgm")
                print("\n  pg_trgm is not available: intelligence text search will not use a trigram index")  # noqa: T201
                return
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS intel_text_trgm ON intelligence_intelitem "
            "USING gin ((UPPER(text::text)) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS intel_text_trgm")


class Migration(migrations.Migration):
    dependencies = [("intelligence", "0001_initial"), ("nominals", "0003_trigram_search")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
