"""Nominals: the people a hub manages, with identifiers, aliases, custody events, cohort membership
and the partner agencies taking part in their management."""

from django.conf import settings
from django.db import models

from marsoc.accounts.models import Agency, Establishment, Hub, by_user
from marsoc.core.model_fields import Referenced, classification_field, optional_fk
from marsoc.core.vocabulary import Classification
from marsoc.sharing.vocabulary import ProcessingPurpose

from .vocabulary import (
    AliasType,
    CustodyEventType,
    CustodyStatus,
    DataSubjectCategory,
    ExitReason,
    MembershipState,
    OfficerDefinedEthnicity,
    ReceptionStatus,
    Religion,
    SelfDefinedEthnicity,
    Sex,
)


class IdentifierTypes(models.TextChoices):
    PNC = "PNC", "PNC ID"
    CRO = "CRO", "CRO number"
    NOMIS = "NOMIS", "Prison number (NOMIS)"
    CRN = "CRN", "Delius CRN"


# The person's details as referred and as an update may change them (nominals/services.py NominalInput).
PERSONAL_DETAILS = (
    "given_names",
    "family_name",
    "date_of_birth",
    "sex",
    "ethnicity_self",
    "ethnicity_officer",
    "nationality",
    "religion",
    "data_subject_category",
    "classification",
)


class Nominal(Referenced):
    reference_prefix = "MH"
    reference_digits = 7

    given_names = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100, db_index=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    ethnicity_self = models.CharField(
        "self-defined ethnicity",
        max_length=2,
        choices=SelfDefinedEthnicity.choices,
        default=SelfDefinedEthnicity.NS,
    )
    ethnicity_officer = models.CharField(
        "officer-defined ethnicity",
        max_length=3,
        choices=OfficerDefinedEthnicity.choices,
        default=OfficerDefinedEthnicity.IC9,
    )
    nationality = models.CharField(max_length=60, default="British")
    religion = models.CharField(max_length=12, choices=Religion.choices, blank=True, default="")
    data_subject_category = models.CharField(max_length=12, choices=DataSubjectCategory.choices)
    classification = classification_field(default=Classification.OFFICIAL_SENSITIVE)
    owner_hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="nominals")
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_nominals",
    )

    # Cohort membership: the current state; the history is in MembershipChange.
    membership_state = models.CharField(
        max_length=20, choices=MembershipState.choices, default=MembershipState.REFERRED, db_index=True
    )
    membership_changed_at = models.DateTimeField()

    # Custody facts derived from CustodyEvent by services.custody_refresh; never edited directly.
    custody_status = models.CharField(
        max_length=10, choices=CustodyStatus.choices, default=CustodyStatus.NONE
    )
    current_establishment = optional_fk(Establishment, on_delete=models.PROTECT)
    expected_release_date = models.DateField(null=True, blank=True)
    licence_end_date = models.DateField(null=True, blank=True)
    ever_sentenced = models.BooleanField(default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = by_user(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["owner_hub", "family_name", "given_names"]),
            models.Index(fields=["owner_hub", "membership_state"]),
            models.Index(fields=["custody_status", "expected_release_date"]),
            models.Index(fields=["current_establishment"]),
            models.Index(fields=["family_name", "given_names", "id"], name="nominal_name_order"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.family_name.upper()}, {self.given_names}"

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"


class Identifier(models.Model):
    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="identifiers")
    id_type = models.CharField(max_length=8, choices=IdentifierTypes.choices)
    value = models.CharField(max_length=20, help_text="Normalised (canonical) form")
    added_by = by_user(null=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["id_type", "value"], name="identifier_unique_per_type")
        ]
        ordering = ["id_type", "value"]

    def __str__(self) -> str:
        return f"{self.get_id_type_display()} {self.value}"


class Alias(models.Model):
    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="aliases")
    alias_type = models.CharField(max_length=10, choices=AliasType.choices, default=AliasType.ALIAS)
    given_names = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True, help_text="A different date of birth used")
    added_by = by_user(null=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "aliases"
        indexes = [models.Index(fields=["family_name"])]

    def __str__(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()


class CustodyEvent(models.Model):
    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="custody_events")
    event_type = models.CharField(max_length=10, choices=CustodyEventType.choices)
    occurred_on = models.DateField()
    establishment = optional_fk(
        Establishment,
        on_delete=models.PROTECT,
        help_text="Where the person was received, transferred to or recalled to",
    )
    reception_status = models.CharField(max_length=10, choices=ReceptionStatus.choices, blank=True)
    expected_release_date = models.DateField(null=True, blank=True)
    licence_end_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = by_user(null=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} on {self.occurred_on}"


class MembershipChange(models.Model):
    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="membership_changes")
    from_state = models.CharField(max_length=20, choices=MembershipState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=MembershipState.choices)
    effective_date = models.DateField()
    exit_reason = models.CharField(max_length=20, choices=ExitReason.choices, blank=True)
    rationale = models.TextField()
    changed_by = by_user(null=True)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} → {self.to_state}"


class Participation(models.Model):
    """An agency outside the owner hub taking part in managing a nominal, for a processing purpose. Its
    officers see the person only while an information-sharing agreement in force covers that purpose
    (docs/access-model.md)."""

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="participations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="participations")
    purpose = models.CharField(
        max_length=24,
        choices=ProcessingPurpose.choices,
        default=ProcessingPurpose.OFFENDER_MANAGEMENT,
        help_text="Why the agency takes part; an agreement in force must cover it",
    )
    rationale = models.TextField()
    added_by = by_user(null=True)
    added_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = by_user(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["nominal", "agency"],
                condition=models.Q(ended_at__isnull=True),
                name="one_active_participation_per_agency",
            )
        ]
        indexes = [models.Index(fields=["agency", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.agency} on {self.nominal_id}"
