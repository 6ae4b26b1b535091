"""The keyed chain: entries carry their scheme and key fingerprint, the head a signature, and signed
checkpoints of the head are kept (append-only on PostgreSQL, like the entries and their subjects).

Entries already in the log keep the first, unkeyed scheme (1): the column is added with default 1, which
writes no row (so the append-only trigger is not touched), and new entries default to 2."""

from django.db import migrations, models

TRIGGER = """
DROP TRIGGER IF EXISTS core_auditcheckpoint_append_only ON core_auditcheckpoint;
CREATE TRIGGER core_auditcheckpoint_append_only BEFORE UPDATE OR DELETE ON core_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION marsoc_audit_append_only();
"""
DROP = "DROP TRIGGER IF EXISTS core_auditcheckpoint_append_only ON core_auditcheckpoint;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_subject_append_only")]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField()),
                ("last_id", models.BigIntegerField()),
                ("last_hash", models.CharField(max_length=64)),
                ("entries", models.PositiveBigIntegerField()),
                ("key_id", models.CharField(max_length=16)),
                ("signature", models.CharField(max_length=64)),
            ],
            options={"ordering": ["-id"]},
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="signature",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(
                blank=True, help_text="Fingerprint of the key that signed it", max_length=16
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="scheme",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="scheme",
            field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.RunPython(forwards, backwards),
    ]
