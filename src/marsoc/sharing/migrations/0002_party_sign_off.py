"""Each party's sign-off of an agreement. Agreements already brought into force before sign-off was kept
are taken as signed by every party on their start date (so no access changes on migrating); drafts
stay unsigned."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def signed_before(apps, schema_editor):  # type: ignore[no-untyped-def]
    agreement_model = apps.get_model("sharing", "SharingAgreement")
    sign_off = apps.get_model("sharing", "AgreementSignOff")
    now = django.utils.timezone.now()
    sign_off.objects.bulk_create(
        sign_off(
            agreement=agreement,
            agency=party,
            signed_by="Signed before party sign-off was recorded",
            signed_on=agreement.starts_on,
            recorded_at=now,
        )
        for agreement in agreement_model.objects.exclude(status="draft")
        for party in agreement.parties.all()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_finance_and_decision_roles"),
        ("sharing", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AgreementSignOff",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "signed_by",
                    models.CharField(
                        help_text="The name and office of who signed for the agency", max_length=200
                    ),
                ),
                ("signed_on", models.DateField()),
                ("recorded_at", models.DateTimeField()),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.agency"
                    ),
                ),
                (
                    "agreement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sign_offs",
                        to="sharing.sharingagreement",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["agreement", "signed_on", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("agreement", "agency"), name="agreement_signed_once")
                ],
            },
        ),
        migrations.RunPython(signed_before, migrations.RunPython.noop),
    ]
