"""Grants, the posts they fund, and the quarterly claims made against them. Money is integer pence."""

from django.db import models

from marsoc.accounts.models import Hub, by_user

from .vocabulary import ClaimState, DecisionState, DeclarationKind, DpiaStatus, Exemption


class Grant(models.Model):
    """A grant as awarded: who pays whom, how much, for what period and on what terms."""

    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    funder = models.CharField(max_length=200)
    recipient = models.CharField(max_length=200)
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="grants")
    amount_pence = models.BigIntegerField(help_text="The amount awarded, in pence")
    starts_on = models.DateField()
    ends_on = models.DateField()
    purpose = models.TextField()
    memorandum = models.TextField(help_text="The memorandum of understanding the grant rests on")
    payment_terms = models.TextField()
    eligible_expenditure = models.TextField(help_text="What the grant may be spent on")
    if_funding_stops = models.TextField(blank=True, help_text="What happens to the posts if the funding ends")
    decision = models.ForeignKey(
        "DecisionRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        help_text="The decision that accepted the grant",
    )
    created_by = by_user()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_on", "reference"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_pence__gt=0), name="grant_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="grant_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class GrantYear(models.Model):
    """One 12-month year of the grant, with the totals the award paper states for it (kept as printed, so
    the product can show where the printed figures and the sum of their parts differ)."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="years")
    label = models.CharField(max_length=40, help_text="The year as the award paper names it")
    starts_on = models.DateField()
    ends_on = models.DateField()
    stated_total_pence = models.BigIntegerField()
    stated_quarterly_pence = models.BigIntegerField()

    class Meta:
        ordering = ["starts_on"]
        constraints = [models.UniqueConstraint(fields=["grant", "starts_on"], name="grant_year_once")]

    def __str__(self) -> str:
        return self.label


class FundedPost(models.Model):
    """A post the grant pays for, in a hub, with what happens to the core role its holder leaves."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="posts")
    reference = models.CharField(max_length=30)
    role = models.CharField(max_length=120, help_text="e.g. ROCU MARSOC Manager")
    grade = models.CharField(max_length=60, help_text="e.g. Detective Sergeant, Band E")
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="+")
    fte = models.DecimalField(max_digits=4, decimal_places=2, help_text="Full-time equivalent")
    backfill = models.TextField(blank=True, help_text="How the holder's vacated core role is covered")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["grant", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "reference"], name="post_reference_once"),
            models.CheckConstraint(condition=models.Q(fte__gt=0, fte__lte=1), name="post_fte_range"),
        ]

    def __str__(self) -> str:
        return f"{self.role} ({self.grade})"


class PostCost(models.Model):
    """A post's salary and overheads for one grant year, in pence."""

    post = models.ForeignKey(FundedPost, on_delete=models.CASCADE, related_name="costs")
    year = models.ForeignKey(GrantYear, on_delete=models.CASCADE, related_name="costs")
    salary_pence = models.BigIntegerField()
    overhead_pence = models.BigIntegerField()

    class Meta:
        ordering = ["year__starts_on", "post__order"]
        constraints = [
            models.UniqueConstraint(fields=["post", "year"], name="post_cost_once"),
            models.CheckConstraint(
                condition=models.Q(salary_pence__gte=0, overhead_pence__gte=0), name="post_cost_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} {self.year}"

    @property
    def total_pence(self) -> int:
        return self.salary_pence + self.overhead_pence


class PostHolding(models.Model):
    """Who held a post, from when to when (an open end while they still hold it). One holder at a time."""

    post = models.ForeignKey(FundedPost, on_delete=models.CASCADE, related_name="holdings")
    holder = by_user()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["post", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="holding_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.post} from {self.starts_on}"


class Claim(models.Model):
    """One quarter's claim in arrears: the eligible cost computed from the posts, the actual cost from
    finance, the variance and why, and its progress from draft to reconciled."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="claims")
    number = models.PositiveSmallIntegerField(help_text="Quarter of the grant, from 1")
    starts_on = models.DateField()
    ends_on = models.DateField()
    state = models.CharField(max_length=12, choices=ClaimState.choices, default=ClaimState.DRAFT)
    eligible_pence = models.BigIntegerField(help_text="Computed from the posts and who held them")
    actual_pence = models.BigIntegerField(null=True, blank=True, help_text="From the finance ledger")
    variance_explanation = models.TextField(blank=True)
    actuals_source = models.CharField(max_length=200, blank=True)
    actuals_digest = models.CharField(max_length=64, blank=True)
    invoice_number = models.CharField(max_length=40, blank=True)
    prepared_by = by_user()
    prepared_at = models.DateTimeField()
    checked_by = by_user(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    submitted_by = by_user(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    paid_pence = models.BigIntegerField(null=True, blank=True)
    recorded_paid_by = by_user(null=True, blank=True)
    reconciled_by = by_user(null=True, blank=True)
    reconciled_at = models.DateTimeField(null=True, blank=True)
    reconciliation_note = models.TextField(blank=True)

    class Meta:
        ordering = ["grant", "number"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "number"], name="claim_quarter_once"),
            models.CheckConstraint(
                condition=models.Q(actual_pence__isnull=True) | models.Q(actual_pence__gte=0),
                name="claim_actual_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Quarter {self.number} ({self.starts_on:%b %Y} to {self.ends_on:%b %Y})"

    @property
    def variance_pence(self) -> int | None:
        return None if self.actual_pence is None else self.actual_pence - self.eligible_pence

    @property
    def claimed_pence(self) -> int:
        """What is invoiced: the actual cost once finance has given it, else the computed eligible cost."""
        return self.actual_pence if self.actual_pence is not None else self.eligible_pence


class ClaimLine(models.Model):
    """One post's part of a claim: days funded out of the quarter's days, eligible and actual cost."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    post = models.ForeignKey(FundedPost, on_delete=models.PROTECT, related_name="+")
    days_held = models.PositiveIntegerField()
    days_in_quarter = models.PositiveIntegerField()
    eligible_pence = models.BigIntegerField()
    actual_pence = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["claim", "post__order"]
        constraints = [models.UniqueConstraint(fields=["claim", "post"], name="claim_line_once")]

    def __str__(self) -> str:
        return f"{self.claim} {self.post}"

    @property
    def variance_pence(self) -> int | None:
        return None if self.actual_pence is None else self.actual_pence - self.eligible_pence


class DecisionRecord(models.Model):
    """A decision form: Part 1 (published under FOIA once approved, unless deferred) and what it decided.
    Part 2, the exempt material, is a separate record (`DecisionPart2`) so no Part 1 read ever loads it."""

    reference = models.CharField(max_length=40, unique=True, help_text="For example PCD 1258")
    title = models.CharField(max_length=200)
    executive_summary = models.TextField()
    recommendation = models.TextField()
    part1_body = models.TextField(help_text="Non-confidential facts and advice to the decision maker")
    decision_maker_title = models.CharField(max_length=120, help_text="The office that decides")
    decide_by = models.DateField(null=True, blank=True, help_text="Time sensitivity: decision needed by")
    decide_by_reason = models.TextField(blank=True)
    state = models.CharField(max_length=12, choices=DecisionState.choices, default=DecisionState.DRAFT)
    drafted_by = by_user()
    drafted_at = models.DateTimeField()
    interest_declaration = models.TextField(
        blank=True, help_text="The decision maker's personal or prejudicial interests, or none"
    )
    approved_by = by_user(null=True, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    deferred_until = models.DateField(
        null=True, blank=True, help_text="Part 1 not published before this date"
    )
    deferral_reason = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = by_user(null=True, blank=True)
    sharing_agreement = models.ForeignKey(
        "sharing.SharingAgreement", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method_version = models.CharField(max_length=80, blank=True, help_text="A scoring method version decided")

    class Meta:
        ordering = ["-drafted_at", "reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class DecisionPart2(models.Model):
    """The exempt part of a decision: never published, read only by those the façade allows."""

    decision = models.OneToOneField(DecisionRecord, on_delete=models.CASCADE, related_name="part2")
    body = models.TextField()
    exemption = models.CharField(max_length=8, choices=Exemption.choices)
    rationale = models.TextField(help_text="The legal rationale for not publishing it")

    def __str__(self) -> str:
        return f"Part 2 of {self.decision.reference}"


class DecisionDeclaration(models.Model):
    """One ticked statement on the form, by a named person on a date."""

    decision = models.ForeignKey(DecisionRecord, on_delete=models.CASCADE, related_name="declarations")
    kind = models.CharField(max_length=20, choices=DeclarationKind.choices)
    statement = models.TextField()
    ticked_by = by_user(null=True, blank=True)
    ticked_on = models.DateField(null=True, blank=True)
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["decision", "order"]
        constraints = [models.UniqueConstraint(fields=["decision", "kind"], name="declaration_once")]

    def __str__(self) -> str:
        return self.get_kind_display()


class Dpia(models.Model):
    """A data protection impact assessment (GDPR art. 35, DPA 2018 s.64) in the governance register."""

    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=DpiaStatus.choices, default=DpiaStatus.INITIATED)
    owner = by_user()
    initiated_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    review_due_on = models.DateField()
    risks = models.TextField(help_text="The risks recorded and how each is mitigated")

    class Meta:
        ordering = ["review_due_on", "reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class EqualityAssessment(models.Model):
    """One version of an equality impact assessment (Equality Act 2010 s.149), for a monitoring period."""

    reference = models.CharField(max_length=40)
    version = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    author = by_user()
    assessed_on = models.DateField()
    conclusions = models.TextField()
    period_starts_on = models.DateField(help_text="The equality monitoring period it considers")
    period_ends_on = models.DateField()
    review_due_on = models.DateField()

    class Meta:
        ordering = ["reference", "-version"]
        constraints = [models.UniqueConstraint(fields=["reference", "version"], name="eia_version_once")]

    def __str__(self) -> str:
        return f"{self.reference} v{self.version}"
