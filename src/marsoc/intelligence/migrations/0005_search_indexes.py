"""Indexes for intelligence search on PostgreSQL (bench/search.py measures them; docs/intelligence.md).

- Full-text search of item text: a GIN index on the same expression `core.search.TextMatches` writes. It
  replaces the trigram index on the text (0002), which served substring search.
- The policy filter reads a handful of columns of every candidate item; a covering index lets it do so
  without visiting the table (an index-only scan), which is what keeps a search over a common surname
  fast at a million items.
- Items about a person: (nominal_id) with item_id included, for the same reason.

SQLite gets none of these: search there is correct and reads every row.
"""

from django.db import migrations

CREATE = [
    "CREATE INDEX IF NOT EXISTS intel_text_fts ON intelligence_intelitem "
    "USING gin (to_tsvector('english'::regconfig, text))",
    "CREATE INDEX IF NOT EXISTS intel_item_policy_cover ON intelligence_intelitem (id) INCLUDE "
    "(owner_hub_id, originating_agency_id, classification, restricted, erased_at, sanitisation_status, "
    "intelligence_date, purpose, data_category)",
    "CREATE INDEX IF NOT EXISTS intel_subject_nominal_cover ON intelligence_itemsubject (nominal_id) "
    "INCLUDE (item_id)",
    "DROP INDEX IF EXISTS intel_text_trgm",
]
DROP = [
    "DROP INDEX IF EXISTS intel_text_fts",
    "DROP INDEX IF EXISTS intel_item_policy_cover",
    "DROP INDEX IF EXISTS intel_subject_nominal_cover",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in CREATE:
            cursor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in DROP:
            cursor.execute(statement)
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is not None:
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS intel_text_trgm ON intelligence_intelitem "
                "USING gin ((UPPER(text::text)) gin_trgm_ops)"
            )


class Migration(migrations.Migration):
    dependencies = [("intelligence", "0004_item_revision")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
