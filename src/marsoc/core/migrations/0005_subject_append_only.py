"""The subject links are part of the log: append-only on PostgreSQL like the entries themselves."""

from django.db import migrations

CREATE = """
DROP TRIGGER IF EXISTS core_auditsubject_append_only ON core_auditsubject;
CREATE TRIGGER core_auditsubject_append_only BEFORE UPDATE OR DELETE ON core_auditsubject
    FOR EACH ROW EXECUTE FUNCTION marsoc_audit_append_only();
"""
DROP = "DROP TRIGGER IF EXISTS core_auditsubject_append_only ON core_auditsubject;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_subject")]
    operations = [migrations.RunPython(forwards, backwards)]
