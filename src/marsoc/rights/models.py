"""Data-subject rights (DPA 2018 Part 3) and MoPI retention of a whole person: subject access requests
(s.45) with the records found and the exemption decided for each, restriction of a person (s.47),
corrections and the recipients told of them (s.46, s.48(4)-(5)), and retention reviews by MoPI group."""

from datetime import date

from django.conf import settings
from django.db import models

from marsoc.accounts.models import Agency, Hub, by_user
from marsoc.core.model_fields import Referenced, optional_fk
from marsoc.nominals.models import Nominal


class RequestStatus(models.TextChoices):
    RECEIVED = "received", "Identity to be checked"
    CHECKED = "checked", "Identity checked: records to be found"
    IN_REVIEW = "in_review", "Records found: exemptions being considered"
    APPROVED = "approved", "Approved for release"
    RELEASED = "released", "Released to the person"


class Exemption(models.TextChoices):
    """DPA 2018 s.45(4): the grounds on which the right of access may be restricted."""

    INQUIRY = "inquiry", "To avoid obstructing an official or legal inquiry, investigation or procedure"
    CRIME = (
        "crime",
        (
            "To avoid prejudicing the prevention, detection, investigation or prosecution of criminal "
            "offences or the execution of criminal penalties"
        ),
    )
    PUBLIC_SECURITY = "public_security", "To protect public security"
    NATIONAL_SECURITY = "national_security", "To protect national security"
    OTHERS = "others", "To protect the rights and freedoms of others"


class SubjectAccessRequest(Referenced):
    reference_prefix = "SAR"
    reference_digits = 6

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="+")
    owner_hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="+")
    requester = models.CharField("who asked", max_length=200)
    requester_address = models.TextField("where to send the response", blank=True)
    received_on = models.DateField("received on")
    due_on = models.DateField("response due by")
    extended_to = models.DateField("extended to", null=True, blank=True)
    extension_reason = models.TextField("why the time was extended", blank=True)
    status = models.CharField(max_length=12, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    identity_evidence = models.TextField("how identity was checked", blank=True)
    identity_checked_by = by_user(null=True, blank=True)
    identity_checked_at = models.DateTimeField(null=True, blank=True)
    searched_by = by_user(null=True, blank=True)
    searched_at = models.DateTimeField(null=True, blank=True)
    approved_by = by_user(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    created_by = by_user()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.reference

    @property
    def deadline(self) -> date:
        return self.extended_to or self.due_on


class RequestRecord(models.Model):
    """One record found for a request, as it stood when found, with the exemption decided for it."""

    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.CASCADE, related_name="records")
    section = models.CharField(max_length=80)
    reference = models.CharField(max_length=200)
    model_label = models.CharField(max_length=80)
    record_pk = models.BigIntegerField()
    fields = models.JSONField(default=list)  # [[label, value], ...]
    recorded = models.CharField(max_length=20, blank=True)
    agency = models.CharField(max_length=150, blank=True)
    partner = models.BooleanField(default=False)
    classification = models.CharField(max_length=20, blank=True)
    exemption = models.CharField(max_length=20, choices=Exemption.choices, blank=True)
    exemption_reason = models.TextField(blank=True)
    consulted_on = models.DateField(null=True, blank=True)
    consultation_note = models.TextField(blank=True)
    decided_by = by_user(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.section} {self.reference}"


class PersonRestriction(models.Model):
    """Restriction of processing of everything about a person (s.47(2)): the person leaves every list,
    search, network, export and page for everyone but the named restriction managers."""

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    review_on = models.DateField("review by")
    managers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    contact = models.CharField("who to contact", max_length=200)
    created_by = by_user()
    created_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = by_user(null=True, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"restriction of {self.nominal_id}"


class NoticeKind(models.TextChoices):
    RECTIFICATION = "rectification", "Correction"
    RESTRICTION = "restriction", "Restriction"


class Rectification(models.Model):
    """A correction (or restriction) to tell the recipients of the person's data about (s.48(4)-(5))."""

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=NoticeKind.choices, default=NoticeKind.RECTIFICATION)
    what = models.TextField("what was corrected")
    reason = models.TextField("why")
    since = models.DateField("data wrong since")
    recorded_by = by_user()
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"correction of {self.nominal_id}"


class RecipientNotice(models.Model):
    """One agency that was given the person's data (found in the audit log's disclosures), told of a
    correction, tracked until it acknowledges."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="notices")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    disclosures = models.JSONField(default=list)  # audit entry ids of what it was given
    last_disclosed_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField("acknowledged by", max_length=200, blank=True)
    recorded_by = by_user(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["rectification", "agency"], name="one_notice_per_agency")
        ]

    def __str__(self) -> str:
        return f"notice to {self.agency_id}"


class RecordGroup(models.TextChoices):
    """MoPI review groups (domain.md §4.1)."""

    PUBLIC_PROTECTION = "1", "Group 1: certain public protection matters"
    SERIOUS = "2", "Group 2: other sexual, violent or serious offences"
    OTHER = "3", "Group 3: all other offences"
    UNDETECTED = "4", "Group 4: undetected crime"


class RetainDecision(models.Model):
    """What a MoPI retain decision records: the group, the reason (every decision to retain is recorded)
    and the next review."""

    record_group = models.CharField(max_length=1, choices=RecordGroup.choices)
    reason = models.TextField()
    next_review = models.DateField()
    decided_by = by_user()
    decided_at = models.DateTimeField()

    class Meta:
        abstract = True
        ordering = ["-decided_at", "-id"]


class PersonReview(RetainDecision):
    """A MoPI review of everything held about a person: retained (reason recorded, next review set) or
    erased (then this row goes with the rest; the audit log keeps the decision)."""

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="+")

    class Meta(RetainDecision.Meta):
        pass

    def __str__(self) -> str:
        return f"review of {self.nominal_id}"


class RecordReview(RetainDecision):
    """A MoPI review of one record reviewed on its own (core.subjects.reviewed_kinds: a plan, an
    assessment, a case note, a link, a partner record about nobody, ...), retained with the reason and the
    next review. An erasure leaves no row here: the audit log keeps the decision."""

    kind = models.CharField(max_length=40)  # a ReviewedKind key
    record_id = models.BigIntegerField()
    nominal = optional_fk(Nominal, on_delete=models.CASCADE)
    owner_hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="+")

    class Meta(RetainDecision.Meta):
        indexes = [models.Index(fields=["kind", "record_id"])]

    def __str__(self) -> str:
        return f"review of {self.kind} {self.record_id}"
