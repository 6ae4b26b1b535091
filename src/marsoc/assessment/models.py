"""Scoring methods (as versioned data), assessments, tier decisions and review scheduling.

A method is the TOML text the hub wrote, stored whole with its fingerprint; once an assessment uses it,
it never changes (a change is a new version). Assessments are immutable once submitted; a new one
supersedes the current one. The computed tier is advice: the tier that counts is a hub manager's
decision, recorded with a rationale (DPA 2018 s.49-50).
"""

from decimal import Decimal
from typing import Any

from django.db import models

from marsoc.accounts.models import Hub, by_user
from marsoc.core.model_fields import optional_fk
from marsoc.nominals.models import Nominal

from .method import ScoreResult


class MethodStatus(models.TextChoices):
    CANDIDATE = "candidate", "Candidate (dry-run only)"
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


class ScoringMethod(models.Model):
    code = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    source_text = models.TextField(help_text="The method file as loaded (TOML)")
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=MethodStatus.choices, default=MethodStatus.CANDIDATE)
    loaded_by = by_user(null=True, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="method_version_unique"),
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="active"), name="one_active_method"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class Assessment(models.Model):
    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="assessments")
    method = models.ForeignKey(ScoringMethod, on_delete=models.PROTECT, related_name="assessments")
    assessor = by_user()
    submitted_at = models.DateTimeField()
    score = models.DecimalField(max_digits=5, decimal_places=1)
    confidence = models.DecimalField(max_digits=4, decimal_places=3)
    confidence_band = models.CharField(max_length=10)
    tier_code = models.CharField(max_length=10)
    tier_name = models.CharField(max_length=60)
    top_factors = models.JSONField(
        default=list, help_text="Codes of the factors that drove the score, largest first"
    )
    breakdown = models.JSONField(default=dict)
    summary = models.TextField(blank=True, help_text="The assessor's summary of the evidence")
    is_current = models.BooleanField(default=True)
    # RESTRICT: kept while the nominal exists; goes only when the whole record is erased.
    superseded_by = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="supersedes"
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nominal"], condition=models.Q(is_current=True), name="one_current_assessment"
            )
        ]
        indexes = [models.Index(fields=["is_current", "score"])]

    def __str__(self) -> str:
        return f"Assessment {self.pk} of {self.nominal_id}: {self.score} (tier {self.tier_code})"

    @classmethod
    def of_result(cls, result: ScoreResult, **fields: Any) -> "Assessment":
        """An unsaved assessment holding what the method computed: score, confidence, tier and the
        factors that drove it (the service and the demo data build assessments the same way)."""
        return cls(
            score=Decimal(str(result.score)),
            confidence=Decimal(str(result.confidence)),
            confidence_band=str(result.band),
            tier_code=result.tier.code,
            tier_name=result.tier.name,
            top_factors=[f.code for f in result.top_factors(3)],
            breakdown=result.as_dict(),
            **fields,
        )


class FactorScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="factor_scores")
    factor_code = models.CharField(max_length=60)
    level = models.PositiveSmallIntegerField()
    evidence = models.TextField(blank=True)
    grade = models.CharField(max_length=2, blank=True, help_text="3x5x2 source and assessment, e.g. 1B")
    contribution = models.DecimalField(max_digits=5, decimal_places=1, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "factor_code"], name="one_score_per_factor")
        ]

    def __str__(self) -> str:
        return f"{self.factor_code}={self.level}"


class TierDecision(models.Model):
    """A hub manager's decision on the tier that counts; may disagree with the computed tier."""

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="tier_decisions")
    assessment = models.ForeignKey(Assessment, on_delete=models.RESTRICT, related_name="decisions")
    computed_tier = models.CharField(max_length=10)
    decided_tier = models.CharField(max_length=10)
    rationale = models.TextField()
    decided_by = by_user()
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"Tier {self.decided_tier} for {self.nominal_id}"

    @property
    def disagrees(self) -> bool:
        return self.decided_tier != self.computed_tier


class ReviewInterval(models.Model):
    """How often each tier is reviewed (reference data an administrator can change)."""

    tier_code = models.CharField(max_length=10, unique=True)
    interval_days = models.PositiveIntegerField()

    class Meta:
        ordering = ["tier_code"]

    def __str__(self) -> str:
        return f"Tier {self.tier_code}: every {self.interval_days} days"


class PriorityStatus(models.Model):
    """Where a nominal stands now: current assessment, computed and decided tier, next review.

    Kept by the services so the national list can rank and filter without recomputing anything."""

    nominal = models.OneToOneField(Nominal, on_delete=models.CASCADE, related_name="priority")
    assessment = models.ForeignKey(Assessment, on_delete=models.RESTRICT, related_name="+")
    score = models.DecimalField(max_digits=5, decimal_places=1, db_index=True)
    computed_tier = models.CharField(max_length=10)
    decided_tier = models.CharField(max_length=10, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    next_review_due = models.DateField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["decided_tier", "score"])]

    def __str__(self) -> str:
        return f"{self.nominal_id}: {self.score} tier {self.decided_tier or self.computed_tier}"

    @property
    def tier(self) -> str:
        """The tier that counts: the manager's decision, else the computed (advisory) tier."""
        return self.decided_tier or self.computed_tier


# ------------------------------------------------------------------------------ method dry runs


class DryRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class MethodDryRun(models.Model):
    """Every current assessment re-scored with a candidate method, before anyone adopts it.

    Nothing about any person changes: the outcome is stored here, with one row per person whose
    computed tier would change (the rest are counted in ``transitions``)."""

    candidate = models.ForeignKey(ScoringMethod, on_delete=models.PROTECT, related_name="dry_runs")
    requested_by = by_user()
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=DryRunStatus.choices, default=DryRunStatus.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rescored = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    incomplete = models.PositiveIntegerField(
        default=0, help_text="Assessments without a level for a factor the candidate adds (counted as 0)"
    )
    not_assessed = models.PositiveIntegerField(
        default=0, help_text="Cohort members (under assessment or adopted) with no assessment to re-score"
    )
    transitions = models.JSONField(default=dict, help_text='{"old tier": {"new tier": count}}')
    mean_abs_change = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="The task-worker task that runs it")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times a worker started it")
    interruptions = models.JSONField(
        default=list,
        blank=True,
        help_text="[{at, stage, action}]: each time its worker stopped, and what was done",
    )

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Dry run {self.pk} of {self.candidate}"

    @property
    def finished(self) -> bool:
        return self.status in (DryRunStatus.DONE, DryRunStatus.FAILED)

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class DryRunChange(models.Model):
    """A person whose computed tier would change under the candidate method."""

    dry_run = models.ForeignKey(MethodDryRun, on_delete=models.CASCADE, related_name="changes")
    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    old_score = models.DecimalField(max_digits=5, decimal_places=1)
    old_tier = models.CharField(max_length=10)
    decided_tier = models.CharField(max_length=10, blank=True)
    new_score = models.DecimalField(max_digits=5, decimal_places=1)
    new_tier = models.CharField(max_length=10)
    direction = models.CharField(max_length=5)  # "up" (higher priority), "down" or "other"
    missing_factors = models.JSONField(default=list)

    class Meta:
        ordering = ["-new_score", "nominal_id"]
        constraints = [
            models.UniqueConstraint(fields=["dry_run", "nominal"], name="one_change_per_person_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.nominal_id}: tier {self.old_tier} -> {self.new_tier}"


# ---------------------------------------------------------------------------------------------------------
# Equality monitoring
# ---------------------------------------------------------------------------------------------------------


class ReferencePopulation(models.Model):
    """A population the cohort is compared with: public aggregate shares, with their source cited.

    National, or for one hub (its region's population). A national analyst edits the figures; the
    default national one is loaded from `data/reference_ew_census_2021.toml` by migration."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=150)
    year = models.PositiveSmallIntegerField()
    hub = optional_fk(Hub, on_delete=models.PROTECT, help_text="Empty for a national population")
    population = models.PositiveBigIntegerField(help_text="Number of people the shares are of")
    source = models.TextField()
    source_url = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    flag_threshold = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=1.25,
        help_text="Flag a group when the lower 95% bound of its relative rate index is above this",
    )
    is_default = models.BooleanField(default=False)
    updated_by = by_user(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["hub_id", "-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True, hub__isnull=True),
                name="one_default_national_population",
            ),
            models.UniqueConstraint(
                fields=["hub"], condition=models.Q(is_default=True), name="one_default_population_per_hub"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReferenceShare(models.Model):
    """One group's percentage of the reference population for one characteristic."""

    population = models.ForeignKey(ReferencePopulation, on_delete=models.CASCADE, related_name="shares")
    characteristic = models.CharField(max_length=20)
    group = models.CharField(max_length=30)
    share = models.DecimalField(max_digits=6, decimal_places=3, help_text="Percentage, 0-100")
    source = models.CharField(max_length=300, blank=True)
    approximate = models.BooleanField(default=False, help_text="Not checked against the published table")

    class Meta:
        ordering = ["characteristic", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["population", "characteristic", "group"], name="one_share_per_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.characteristic}.{self.group}={self.share}%"


# ---------------------------------------------------------------------------------------------------------
# Calibration: assessors from different hubs score the same anonymised vignettes, blind
# ---------------------------------------------------------------------------------------------------------


class CalibrationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open for scoring"
    CLOSED = "closed", "Closed"


class CalibrationExercise(models.Model):
    """A set of invented cases, scored blind by assessors from several hubs with one method version."""

    name = models.CharField(max_length=150)
    description = models.TextField(blank=True, help_text="What the exercise is for; shown to assessors")
    method = models.ForeignKey(ScoringMethod, on_delete=models.PROTECT, related_name="calibrations")
    created_by = by_user()
    created_at = models.DateTimeField()
    opens_on = models.DateField()
    closes_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=CalibrationStatus.choices, default=CalibrationStatus.DRAFT
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")), name="calibration_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.status == CalibrationStatus.CLOSED


class CalibrationVignette(models.Model):
    """An invented case. It must never describe, or link to, a real nominal."""

    exercise = models.ForeignKey(CalibrationExercise, on_delete=models.CASCADE, related_name="vignettes")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=150)
    narrative = models.TextField()

    class Meta:
        ordering = ["exercise", "position"]
        constraints = [
            models.UniqueConstraint(fields=["exercise", "position"], name="vignette_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class CalibrationAssignment(models.Model):
    """One assessor's score sheet for one exercise. Submitted sheets never change."""

    exercise = models.ForeignKey(CalibrationExercise, on_delete=models.CASCADE, related_name="assignments")
    assessor = by_user()
    # The assessor's hub when assigned: a later move between hubs must not rewrite the hub offsets.
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="+")
    assigned_by = by_user()
    assigned_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["exercise", "hub__name", "assessor__username"]
        constraints = [
            models.UniqueConstraint(fields=["exercise", "assessor"], name="one_sheet_per_assessor")
        ]

    def __str__(self) -> str:
        return f"{self.assessor} on {self.exercise}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class CalibrationResponse(models.Model):
    """An assessor's levels for one vignette (factor code -> level on the method's anchored scale).

    `score` is the method's score for the levels, filled in once every factor has a level."""

    assignment = models.ForeignKey(CalibrationAssignment, on_delete=models.CASCADE, related_name="responses")
    vignette = models.ForeignKey(CalibrationVignette, on_delete=models.CASCADE, related_name="responses")
    levels = models.JSONField(default=dict)
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "vignette"], name="one_response_per_vignette")
        ]

    def __str__(self) -> str:
        return f"{self.assignment} / {self.vignette}"
