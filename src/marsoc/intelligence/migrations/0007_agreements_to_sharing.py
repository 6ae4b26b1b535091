"""The agreement models now live in the sharing app (sharing/0001). State only: the tables, their
rows and the foreign keys that point at them stay exactly as they are."""

import django.db.models.deletion
from django.db import migrations, models

STATE = [
    migrations.AlterField(
        model_name="summarydisclosure",
        name="agreement",
        field=models.ForeignKey(
            on_delete=django.db.models.deletion.PROTECT,
            related_name="summary_disclosures",
            to="sharing.sharingagreement",
        ),
    ),
    migrations.AlterField(
        model_name="consentrequest",
        name="agreement",
        field=models.ForeignKey(
            on_delete=django.db.models.deletion.PROTECT, related_name="+", to="sharing.sharingagreement"
        ),
    ),
    migrations.AlterField(
        model_name="disclosure",
        name="agreement",
        field=models.ForeignKey(
            on_delete=django.db.models.deletion.PROTECT,
            related_name="disclosures",
            to="sharing.sharingagreement",
        ),
    ),
    migrations.DeleteModel(name="AgreementCategory"),
    migrations.DeleteModel(name="AgreementPurpose"),
    migrations.DeleteModel(name="AgreementStatusChange"),
    migrations.DeleteModel(name="SharingAgreement"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("intelligence", "0006_summary_disclosure"),
        ("sharing", "0001_initial"),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=STATE, database_operations=[])]
