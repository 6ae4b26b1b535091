from django.db import migrations

INTERVALS = {"1": 91, "2": 182, "3": 365, "4": 365}


def load(apps, schema_editor):
    from marsoc.assessment.method import DEFAULT_METHOD_FILE, load_method

    method_model = apps.get_model("assessment", "ScoringMethod")
    text = DEFAULT_METHOD_FILE.read_text(encoding="utf-8")
    spec = load_method(text)
    if not method_model.objects.filter(code=spec.code, version=spec.version).exists():
        from django.utils import timezone

        method_model.objects.create(
            code=spec.code,
            version=spec.version,
            name=spec.name,
            description=spec.description,
            source_text=text,
            fingerprint=spec.fingerprint,
            status="active",
            activated_at=timezone.now(),
        )
    interval_model = apps.get_model("assessment", "ReviewInterval")
    for tier, days in INTERVALS.items():
        interval_model.objects.get_or_create(tier_code=tier, defaults={"interval_days": days})


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
