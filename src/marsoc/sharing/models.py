"""Information-sharing agreements. The tables keep their first names (they were created by the
intelligence app, which now only refers to them): moving the models moved no data."""

from django.db import models

from marsoc.accounts.models import Agency, by_user
from marsoc.core.model_fields import classification_field

from .vocabulary import AgreementStatus, DataCategory, OnwardSharing, ProcessingPurpose


class SharingAgreement(models.Model):
    """An information-sharing agreement as data: the access façade reads it on every partner access."""

    reference = models.CharField(max_length=30, unique=True)
    title = models.CharField(max_length=200)
    parties = models.ManyToManyField(Agency, related_name="sharing_agreements")
    legal_gateway = models.TextField(help_text="The statutory power or gateway that makes sharing lawful")
    max_classification = classification_field()
    onward_sharing = models.CharField(max_length=20, choices=OnwardSharing.choices)
    retention = models.CharField(max_length=200, help_text="How long recipients may keep what they receive")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT, db_index=True
    )
    created_by = by_user(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "intelligence_sharingagreement"
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def purpose_codes(self) -> list[str]:
        return sorted(p.code for p in self.purposes.all())

    @property
    def category_codes(self) -> list[str]:
        return sorted(c.code for c in self.categories.all())


class AgreementPurpose(models.Model):
    agreement = models.ForeignKey(SharingAgreement, on_delete=models.CASCADE, related_name="purposes")
    code = models.CharField(max_length=24, choices=ProcessingPurpose.choices)

    class Meta:
        db_table = "intelligence_agreementpurpose"
        constraints = [models.UniqueConstraint(fields=["agreement", "code"], name="agreement_purpose_once")]

    def __str__(self) -> str:
        return self.get_code_display()


class AgreementCategory(models.Model):
    agreement = models.ForeignKey(SharingAgreement, on_delete=models.CASCADE, related_name="categories")
    code = models.CharField(max_length=24, choices=DataCategory.choices)

    class Meta:
        db_table = "intelligence_agreementcategory"
        constraints = [models.UniqueConstraint(fields=["agreement", "code"], name="agreement_category_once")]

    def __str__(self) -> str:
        return self.get_code_display()


class AgreementStatusChange(models.Model):
    agreement = models.ForeignKey(SharingAgreement, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=AgreementStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=AgreementStatus.choices)
    reason = models.TextField()
    changed_by = by_user(null=True)
    changed_at = models.DateTimeField()

    class Meta:
        db_table = "intelligence_agreementstatuschange"
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class AgreementSignOff(models.Model):
    """One party's sign-off: who signed for the agency and when. The agreement is in force only once
    every party has one (marsoc.sharing.agreements.in_force_q), so an unsigned partner keeps it out."""

    agreement = models.ForeignKey(SharingAgreement, on_delete=models.CASCADE, related_name="sign_offs")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    signed_by = models.CharField(max_length=200, help_text="The name and office of who signed for the agency")
    signed_on = models.DateField()
    recorded_by = by_user(null=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["agreement", "signed_on", "id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "agency"], name="agreement_signed_once")]

    def __str__(self) -> str:
        return f"{self.agency} signed {self.agreement.reference}"
