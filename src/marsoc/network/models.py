"""Organised crime groups, associates who are not nominals, memberships and associations (the edges of the
network). Every record carries an owner hub, an originating agency, a classification and a processing
purpose, so the access façade can decide it exactly as it decides intelligence (network/policies.py)."""

import operator
from functools import reduce

from django.conf import settings
from django.db import models

from marsoc.accounts.models import Agency, Establishment, Hub, by_user
from marsoc.core.model_fields import Referenced, classification_field, optional_fk
from marsoc.core.vocabulary import Classification
from marsoc.intelligence.models import IntelItem
from marsoc.nominals.models import Nominal
from marsoc.nominals.vocabulary import DataSubjectCategory
from marsoc.sharing.vocabulary import ProcessingPurpose

from .vocabulary import (
    AssociationType,
    ChartLayout,
    Confidence,
    GroupStatus,
    MemberRole,
    NodeKind,
    SourceKind,
)


class Owned(models.Model):
    """Who owns a network record and how it may travel: owner hub, originating agency, classification and
    the purpose it was recorded for (the agreement that lets a partner see it must cover that purpose)."""

    owner_hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="+")
    originating_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    classification = classification_field(default=Classification.OFFICIAL_SENSITIVE)
    purpose = models.CharField(
        max_length=24, choices=ProcessingPurpose.choices, default=ProcessingPurpose.PREVENTION_DETECTION
    )
    recorded_by = by_user(null=True)
    recorded_at = models.DateTimeField()

    class Meta:
        abstract = True


class Evidenced(Owned):
    """A link (membership or association) with the source it came from."""

    source_kind = models.CharField(max_length=12, choices=SourceKind.choices)
    intel_item = optional_fk(IntelItem, on_delete=models.PROTECT)
    establishment = optional_fk(
        Establishment, on_delete=models.PROTECT, help_text="For a custody link: where it was formed"
    )
    source_reference = models.CharField(
        max_length=100, blank=True, help_text="For an imported feed: the feed and record it came from"
    )
    confidence = models.CharField(max_length=8, choices=Confidence.choices, default=Confidence.MEDIUM)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        abstract = True


class OrganisedCrimeGroup(Referenced, Owned):
    """An OCG. The originating agency is the lead agency."""

    reference_prefix = "OCG"
    reference_digits = 6

    name = models.CharField(max_length=120)
    crime_types = models.JSONField(default=list, help_text="Codes of network.vocabulary.CrimeType")
    geography = models.CharField(max_length=200, blank=True, help_text="Where the group operates")
    status = models.CharField(max_length=12, choices=GroupStatus.choices, default=GroupStatus.ACTIVE)
    formed_on = models.DateField(null=True, blank=True, help_text="When the group was first known active")
    dismantled_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["owner_hub", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def lead_agency(self) -> Agency:
        return self.originating_agency


class GroupAlias(models.Model):
    group = models.ForeignKey(OrganisedCrimeGroup, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=120)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "name"], name="ocg_alias_once")]

    def __str__(self) -> str:
        return self.name


class GroupStatusChange(models.Model):
    group = models.ForeignKey(OrganisedCrimeGroup, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=GroupStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=GroupStatus.choices)
    effective_date = models.DateField()
    reason = models.TextField()
    changed_by = by_user(null=True)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["effective_date", "id"]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.from_status} to {self.to_status}"


class Associate(Referenced, Owned):
    """Someone linked to a nominal who is not one (a visitor, a phone contact, a co-defendant): kept
    minimal, with their DPA 2018 s.38(3) category and a retention review date, like intelligence."""

    reference_prefix = "AS"
    reference_digits = 7

    given_names = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    description = models.CharField(max_length=200, blank=True, help_text="Why they are recorded, briefly")
    data_subject_category = models.CharField(
        max_length=12, choices=DataSubjectCategory.choices, default=DataSubjectCategory.OTHER
    )
    review_due = models.DateField(db_index=True)

    class Meta:
        ordering = ["family_name", "given_names", "id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.family_name.upper()}, {self.given_names}".rstrip(", ")


class Membership(Evidenced):
    """A nominal or an associate in a group, with a role and the evidence for it."""

    group = models.ForeignKey(OrganisedCrimeGroup, on_delete=models.CASCADE, related_name="memberships")
    nominal = optional_fk(Nominal, on_delete=models.CASCADE, related_name="ocg_memberships")
    associate = optional_fk(Associate, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=MemberRole.choices)

    class Meta:
        ordering = ["group_id", "role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(nominal__isnull=False, associate__isnull=True))
                | models.Q(nominal__isnull=True, associate__isnull=False),
                name="membership_one_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.nominal_id or self.associate_id} in {self.group_id}"


# What each end of an association can be: its fields are a_nominal, a_associate, a_group and b_*.
END_KINDS = ("nominal", "associate", "group")


def _exactly_one_at(end: str) -> models.CheckConstraint:
    """The end ("a" or "b") of an association is exactly one of a nominal, an associate or a group."""
    each = (models.Q(**{f"{end}_{k}__isnull": k != kind for k in END_KINDS}) for kind in END_KINDS)
    return models.CheckConstraint(condition=reduce(operator.or_, each), name=f"association_one_{end}_end")


class Association(Evidenced):
    """A link between two ends, each a nominal, an associate or a group (exactly one per end). `directed`
    says the link runs from end A to end B (a visitor to the prisoner, money from one to the other)."""

    a_nominal = optional_fk(Nominal, on_delete=models.CASCADE)
    a_associate = optional_fk(Associate, on_delete=models.CASCADE)
    a_group = optional_fk(OrganisedCrimeGroup, on_delete=models.CASCADE)
    b_nominal = optional_fk(Nominal, on_delete=models.CASCADE)
    b_associate = optional_fk(Associate, on_delete=models.CASCADE)
    b_group = optional_fk(OrganisedCrimeGroup, on_delete=models.CASCADE)
    association_type = models.CharField(max_length=20, choices=AssociationType.choices)
    directed = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=[f"{end}_{kind}"]) for kind in END_KINDS for end in "ab"]
        constraints = [_exactly_one_at("a"), _exactly_one_at("b")]

    def __str__(self) -> str:
        return f"{self.get_association_type_display()} {self.pk}"


class GroupAssessment(models.Model):
    """A group scored by a versioned method kept as data (network/methods/*.toml), on the same engine as
    individual assessments. Immutable; a new one supersedes the last (`current`)."""

    group = models.ForeignKey(OrganisedCrimeGroup, on_delete=models.CASCADE, related_name="assessments")
    method_code = models.CharField(max_length=60)
    method_version = models.PositiveIntegerField()
    method_fingerprint = models.CharField(max_length=64)
    levels = models.JSONField()
    grades = models.JSONField(default=dict)
    score = models.FloatField()
    band = models.CharField(max_length=8)
    band_name = models.CharField(max_length=80)
    confidence = models.FloatField()
    result = models.JSONField(help_text="The engine's breakdown: what drove the score")
    rationale = models.TextField()
    current = models.BooleanField(default=True)
    assessed_by = by_user()
    assessed_at = models.DateTimeField()

    class Meta:
        ordering = ["-assessed_at", "-id"]
        indexes = [models.Index(fields=["current", "score"])]

    def __str__(self) -> str:
        return f"{self.group_id} {self.band} ({self.score})"


class LinkChart(Referenced):
    """An analyst's saved link chart: chosen people and groups and a layout, named and classified. The
    links are never stored: each viewer gets the visible links among the chart's visible items, and is
    told when some of its items are withheld from them (never which)."""

    reference_prefix = "LC"
    reference_digits = 6

    name = models.CharField(max_length=120)
    author = by_user()
    owner_hub = models.ForeignKey(Hub, on_delete=models.PROTECT, null=True, related_name="+")
    classification = classification_field(default=Classification.OFFICIAL_SENSITIVE)
    layout = models.CharField(max_length=12, choices=ChartLayout.choices, default=ChartLayout.FORCE)
    created_at = models.DateTimeField()
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return self.name


class ChartItem(models.Model):
    """A person or group placed on a chart (a node key: kind and id)."""

    chart = models.ForeignKey(LinkChart, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=NodeKind.choices)
    object_id = models.BigIntegerField()
    added_by = by_user()
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["chart", "kind", "object_id"], name="chart_item_once")]

    def __str__(self) -> str:
        return f"{self.kind}-{self.object_id} on {self.chart_id}"


class ChartShare(models.Model):
    """A chart shared with a colleague: they open it and see what their own access allows."""

    chart = models.ForeignKey(LinkChart, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    shared_by = by_user()
    shared_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chart", "user"], name="chart_share_once")]

    def __str__(self) -> str:
        return f"{self.chart_id} with {self.user_id}"
