"""Graded intelligence items and what is disclosed under information-sharing agreements (which live in
the sharing app: they govern every partner surface, not intelligence alone)."""

from django.db import models

from marsoc.accounts.models import Agency, Hub, by_user
from marsoc.core.model_fields import Referenced, classification_field, optional_fk
from marsoc.nominals.models import Nominal
from marsoc.nominals.vocabulary import DataSubjectCategory

# Re-exported: the agreements moved to the sharing app.
from marsoc.sharing.models import AgreementCategory as AgreementCategory
from marsoc.sharing.models import AgreementPurpose as AgreementPurpose
from marsoc.sharing.models import AgreementStatusChange as AgreementStatusChange
from marsoc.sharing.models import SharingAgreement as SharingAgreement

from .vocabulary import (
    DataCategory,
    HandlingCode,
    IntelligenceAssessment,
    LegacyHandling,
    LegacyIntelligence,
    LegacySource,
    ProcessingPurpose,
    RecordGroup,
    RequestStatus,
    SanitisationStatus,
    SourceEvaluation,
)


class IntelItem(Referenced):
    """One graded piece of intelligence about one or more nominals."""

    reference_prefix = "IR"
    reference_digits = 8

    owner_hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="intel_items")
    originating_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="intel_items")
    originating_officer = by_user(null=True, blank=True)
    text = models.TextField()
    intelligence_date = models.DateField(help_text="When the intelligence was obtained")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = by_user(null=True)
    classification = classification_field()
    source_evaluation = models.CharField(max_length=1, choices=SourceEvaluation.choices)
    intelligence_assessment = models.CharField(max_length=1, choices=IntelligenceAssessment.choices)
    handling_code = models.CharField(max_length=1, choices=HandlingCode.choices)
    conditions = models.JSONField(default=list, blank=True, help_text="Handling conditions (code C only)")
    purpose = models.CharField(max_length=24, choices=ProcessingPurpose.choices)
    data_category = models.CharField(max_length=24, choices=DataCategory.choices)
    legacy_source = models.CharField(max_length=1, choices=LegacySource.choices, blank=True)
    legacy_intelligence = models.CharField(max_length=1, choices=LegacyIntelligence.choices, blank=True)
    legacy_handling = models.CharField(max_length=1, choices=LegacyHandling.choices, blank=True)
    sanitised_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="sanitised_versions"
    )
    sanitisation_status = models.CharField(
        max_length=10, choices=SanitisationStatus.choices, blank=True, default=SanitisationStatus.ORIGINAL
    )
    # DPA 2018 s.47: a restricted record is kept but not used in search or sharing.
    restricted = models.BooleanField(default=False)
    record_group = models.CharField(max_length=1, choices=RecordGroup.choices, default=RecordGroup.GROUP_3)
    review_due = models.DateField(null=True, blank=True, db_index=True)
    # Erasure keeps a tombstone: the row, its reference and dates stay; the content goes.
    erased_at = models.DateTimeField(null=True, blank=True)
    nominals = models.ManyToManyField(Nominal, through="ItemSubject", related_name="intel_items")

    class Meta:
        indexes = [
            models.Index(fields=["owner_hub", "classification"]),
            models.Index(fields=["originating_agency", "classification"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.grade_label}"

    @property
    def grade(self) -> str:
        return f"{self.source_evaluation}{self.intelligence_assessment}{self.handling_code}"

    @property
    def grade_label(self) -> str:
        """The usual written form, e.g. `[1BP]`, with any conditions after it: `[2CC] A1 S2`."""
        conditions = " ".join(self.conditions or [])
        return f"[{self.grade}]" + (f" {conditions}" if conditions else "")

    @property
    def legacy_grade(self) -> str:
        if not self.legacy_source:
            return ""
        return f"{self.legacy_source}{self.legacy_intelligence}{self.legacy_handling}"

    @property
    def is_sanitised_version(self) -> bool:
        return self.sanitised_from_id is not None


class ItemSubject(models.Model):
    """A nominal an item is about, with their data-subject category in this item (s.38(3))."""

    item = models.ForeignKey(IntelItem, on_delete=models.CASCADE, related_name="subjects")
    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="intel_subjects")
    data_subject_category = models.CharField(max_length=12, choices=DataSubjectCategory.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "nominal"], name="item_subject_once")]

    def __str__(self) -> str:
        return f"{self.nominal_id} in {self.item_id}"


class Disclosure(models.Model):
    """An item disseminated to an agency under an agreement. It gives that agency's officers access only
    while the agreement is in force and still covers the item (the policy re-checks every time)."""

    item = models.ForeignKey(IntelItem, on_delete=models.CASCADE, related_name="disclosures")
    recipient_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="disclosures")
    agreement = models.ForeignKey(SharingAgreement, on_delete=models.PROTECT, related_name="disclosures")
    purpose = models.TextField()
    conditions = models.JSONField(default=list, blank=True, help_text="Handling conditions when shared")
    disclosed_by = by_user(null=True)
    disclosed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["recipient_agency", "item"])]
        ordering = ["disclosed_at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} to {self.recipient_agency_id}"


class SummaryDisclosure(Referenced):
    """A nominal summary disseminated to an agency under an agreement, kept as a snapshot of exactly what
    went: the person's identifying details and status (as far as the agreement's categories covered them)
    and the items disclosed with it (each also has its own `Disclosure` row). Like an item disclosure, it
    gives the recipient agency's case users access only while the agreement is in force and still covers
    it (`policies.summary_scope` re-checks on every request)."""

    reference_prefix = "NS"
    reference_digits = 8

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="summary_disclosures")
    # The hub that owned the person's record and disclosed it, and the discloser's agency (a party).
    owner_hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="+")
    sharing_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recipient_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="summary_disclosures")
    agreement = models.ForeignKey(
        SharingAgreement, on_delete=models.PROTECT, related_name="summary_disclosures"
    )
    purpose = models.CharField(
        max_length=24, choices=ProcessingPurpose.choices, help_text="One the agreement covers"
    )
    reason = models.TextField(help_text="Why the summary is disclosed (the s.62 justification)")
    classification = classification_field(help_text="The highest of what it contains")
    # What the recipient received: {"reference", "owner_hub", "identity"?, "status"?, "items": [...]}.
    snapshot = models.JSONField()
    # For the owner side only, never shown to the recipient: what was left out and why, what went to
    # the originator for consent, and what the sharer withheld.
    record = models.JSONField(default=dict)
    disclosed_by = by_user(null=True)
    disclosed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["recipient_agency", "disclosed_at"], name="summary_recipient_at")]
        ordering = ["-disclosed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} of {self.nominal_id} to {self.recipient_agency_id}"

    @property
    def item_ids(self) -> list[int]:
        return [int(i["id"]) for i in (self.snapshot or {}).get("items", [])]

    @property
    def display_name(self) -> str:
        """The person as the recipient knows them: by name if identifying details were disclosed."""
        identity = (self.snapshot or {}).get("identity")
        reference = str((self.snapshot or {}).get("reference", ""))
        if not identity:
            return reference
        return (
            f"{reference} {str(identity.get('family_name', '')).upper()}, {identity.get('given_names', '')}"
        )


class SummaryCategory(models.Model):
    """A category of data a summary contains; the agreement must still cover every one of them."""

    summary = models.ForeignKey(SummaryDisclosure, on_delete=models.CASCADE, related_name="categories")
    code = models.CharField(max_length=24, choices=DataCategory.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["summary", "code"], name="summary_category_once")]

    def __str__(self) -> str:
        return self.get_code_display()


class ConsentRequest(models.Model):
    """A share of a C-coded item by someone other than the originator: the originator decides."""

    item = models.ForeignKey(IntelItem, on_delete=models.CASCADE, related_name="consent_requests")
    # Set when the request was made while sharing a nominal summary: a granted item then shows on it.
    summary = optional_fk(SummaryDisclosure, on_delete=models.SET_NULL, related_name="consent_requests")
    recipient_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(SharingAgreement, on_delete=models.PROTECT, related_name="+")
    purpose = models.TextField()
    requested_by = by_user(null=True)
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decided_by = by_user(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"consent for {self.item_id} to {self.recipient_agency_id}"


class AccessRequest(models.Model):
    """After a deconfliction hit: a request to the owner hub for the intelligence it holds on a nominal."""

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="+")
    owner_hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="+")
    requested_by = by_user()
    requester_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decided_by = by_user(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"access to {self.nominal_id} for {self.requester_agency_id}"


class RetentionDecision(models.Model):
    """A MoPI review of one item: every decision to retain is recorded (with its reason), as is deletion."""

    class Outcome(models.TextChoices):
        RETAIN = "retain", "Retain"
        DELETE = "delete", "Delete (erase the content, keep a tombstone)"

    item = models.ForeignKey(IntelItem, on_delete=models.CASCADE, related_name="retention_decisions")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    reason = models.TextField()
    next_review = models.DateField(null=True, blank=True)
    decided_by = by_user()
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.outcome} {self.item_id}"


class ItemRevision(models.Model):
    """Rectification (DPA 2018 s.46): the version an item had before a correction, who changed it,
    when and why. The item row always holds the current version; these rows are never edited."""

    item = models.ForeignKey(IntelItem, on_delete=models.CASCADE, related_name="revisions")
    # The rectifiable fields as they were before the change (text, date and grade), and which changed.
    previous = models.JSONField()
    changed_fields = models.JSONField(default=list)
    reason = models.TextField()
    changed_by = by_user()
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"revision of {self.item_id} at {self.changed_at:%Y-%m-%d %H:%M}"

    @property
    def previous_grade_label(self) -> str:
        p = self.previous
        conditions = " ".join(p.get("conditions") or [])
        grade = f"[{p.get('source_evaluation', '')}{p.get('intelligence_assessment', '')}{p.get('handling_code', '')}]"
        return grade + (f" {conditions}" if conditions else "")
