"""The agreement models move here from the intelligence app. Their tables stay as they are: this
migration only tells Django's model state where the models now live (no SQL runs)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

STATUS = [("draft", "Draft"), ("in_force", "In force"), ("suspended", "Suspended"), ("ended", "Ended")]
PURPOSES = [
    ("prevention_detection", "Prevention and detection of crime"),
    ("offender_management", "Offender management (custody and licence)"),
    ("safeguarding", "Safeguarding and protecting life"),
    ("prosecution", "Investigation and prosecution"),
]
CATEGORIES = [
    ("identity", "Identifying details (names, date of birth, identifiers, aliases)"),
    ("criminal_intelligence", "Criminal intelligence"),
    ("financial", "Financial information"),
    ("custody", "Custody and sentence information"),
    ("associates", "Associates and networks"),
    ("health_welfare", "Health and welfare (sensitive processing)"),
]
CLASSIFICATIONS = [
    ("OFFICIAL", "OFFICIAL"),
    ("OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"),
    ("SECRET", "SECRET"),
]
ONWARD = [
    ("none", "No onward sharing"),
    ("originator_consent", "Only with the originator's consent"),
    ("parties", "To other parties of this agreement"),
]


def _id() -> tuple[str, models.Field]:
    return (
        "id",
        models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
    )


STATE = [
    migrations.CreateModel(
        name="SharingAgreement",
        fields=[
            _id(),
            ("reference", models.CharField(max_length=30, unique=True)),
            ("title", models.CharField(max_length=200)),
            (
                "legal_gateway",
                models.TextField(help_text="The statutory power or gateway that makes sharing lawful"),
            ),
            ("max_classification", models.CharField(choices=CLASSIFICATIONS, max_length=20)),
            ("onward_sharing", models.CharField(choices=ONWARD, max_length=20)),
            (
                "retention",
                models.CharField(help_text="How long recipients may keep what they receive", max_length=200),
            ),
            ("starts_on", models.DateField()),
            ("ends_on", models.DateField(blank=True, null=True)),
            ("status", models.CharField(choices=STATUS, db_index=True, default="draft", max_length=12)),
            ("created_at", models.DateTimeField(auto_now_add=True)),
            (
                "created_by",
                models.ForeignKey(
                    null=True,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="+",
                    to=settings.AUTH_USER_MODEL,
                ),
            ),
            ("parties", models.ManyToManyField(related_name="sharing_agreements", to="accounts.agency")),
        ],
        options={"db_table": "intelligence_sharingagreement", "ordering": ["reference"]},
    ),
    migrations.CreateModel(
        name="AgreementStatusChange",
        fields=[
            _id(),
            ("from_status", models.CharField(blank=True, choices=STATUS, max_length=12)),
            ("to_status", models.CharField(choices=STATUS, max_length=12)),
            ("reason", models.TextField()),
            ("changed_at", models.DateTimeField()),
            (
                "changed_by",
                models.ForeignKey(
                    null=True,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="+",
                    to=settings.AUTH_USER_MODEL,
                ),
            ),
            (
                "agreement",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="status_changes",
                    to="sharing.sharingagreement",
                ),
            ),
        ],
        options={"db_table": "intelligence_agreementstatuschange", "ordering": ["changed_at", "id"]},
    ),
    migrations.CreateModel(
        name="AgreementPurpose",
        fields=[
            _id(),
            ("code", models.CharField(choices=PURPOSES, max_length=24)),
            (
                "agreement",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="purposes",
                    to="sharing.sharingagreement",
                ),
            ),
        ],
        options={
            "db_table": "intelligence_agreementpurpose",
            "constraints": [
                models.UniqueConstraint(fields=("agreement", "code"), name="agreement_purpose_once")
            ],
        },
    ),
    migrations.CreateModel(
        name="AgreementCategory",
        fields=[
            _id(),
            ("code", models.CharField(choices=CATEGORIES, max_length=24)),
            (
                "agreement",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="categories",
                    to="sharing.sharingagreement",
                ),
            ),
        ],
        options={
            "db_table": "intelligence_agreementcategory",
            "constraints": [
                models.UniqueConstraint(fields=("agreement", "code"), name="agreement_category_once")
            ],
        },
    ),
]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_enrolment_code"),
        ("intelligence", "0006_summary_disclosure"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=STATE, database_operations=[])]
