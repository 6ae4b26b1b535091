"""Disruption plans: the tools-and-powers catalogue, plans with versions, objectives and actions, joint
agreement by each acting agency, disruption outcomes, orders in force, tasking meetings and alerts.

A plan's content lives in Objective and Action rows; each PlanVersion holds a frozen snapshot of that
content. Agreement is given to a version, so a change (a new version) needs agreement again while
the last agreed version's snapshot stays readable.
"""

from django.conf import settings
from django.db import models

from marsoc.accounts.models import Agency, AgencyType, Hub, by_user
from marsoc.core.model_fields import optional_fk
from marsoc.network.models import OrganisedCrimeGroup
from marsoc.nominals.models import Nominal

from .vocabulary import (
    ActionStatus,
    AlertKind,
    GroupEffect,
    LifeArea,
    MeetingStatus,
    OrderType,
    OutcomeStatus,
    Rating,
    Strand,
)


class Tactic(models.Model):
    """One entry in the tools, powers and interventions catalogue. Retired entries are kept (old plans
    still name them) but cannot be chosen for new actions."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=150)
    agency_type = models.CharField(max_length=20, choices=AgencyType.choices)
    legal_basis = models.CharField(max_length=200, blank=True)
    life_area = models.CharField(max_length=12, choices=LifeArea.choices)
    strand = models.CharField(max_length=10, choices=Strand.choices)
    phases = models.JSONField(default=list, help_text="Lifecycle phase codes the tactic applies to")
    description = models.TextField(blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency_type", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def retired(self) -> bool:
        return self.retired_at is not None


class Plan(models.Model):
    nominal = models.OneToOneField(Nominal, on_delete=models.CASCADE, related_name="plan")
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner_officer = by_user(null=True, blank=True)
    # RESTRICT: a version cannot go on its own, but goes with the plan (and with the person, on erasure).
    current_version = models.ForeignKey(
        "PlanVersion", on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    agreed_version = models.ForeignKey(
        "PlanVersion", on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    first_agreed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = by_user(null=True)

    def __str__(self) -> str:
        return f"Plan for {self.nominal_id}"


class PlanVersion(models.Model):
    """A numbered version. Open (a draft) until agreement is requested; then frozen."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField(default=dict)
    participating_agency_ids = models.JSONField(default=list)
    created_at = models.DateTimeField()
    created_by = by_user(null=True)
    change_summary = models.TextField(blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    requested_by = by_user(null=True, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")]

    def __str__(self) -> str:
        return f"Plan {self.plan_id} v{self.number}"


class Agreement(models.Model):
    """One participating agency's agreement to one version, through a named representative."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="agreements")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    representative = by_user()
    agreed_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["agreed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "agency"], name="one_agreement_per_agency")]

    def __str__(self) -> str:
        return f"{self.agency} agreed v{self.version_id}"


class Objective(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = by_user(null=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:60]


class Action(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    objective = optional_fk(Objective, on_delete=models.SET_NULL, related_name="actions")
    tactic = models.ForeignKey(Tactic, on_delete=models.PROTECT, related_name="actions")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="plan_actions")
    target_group = optional_fk(
        OrganisedCrimeGroup,
        on_delete=models.SET_NULL,
        related_name="targeting_actions",
        help_text="The organised crime group the action disrupts through this person, if any",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="plan_actions"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    notes = models.TextField(blank=True)
    meeting = models.ForeignKey(
        "Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="new_actions"
    )
    created_at = models.DateTimeField()
    created_by = by_user(null=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.tactic.name} by {self.agency} (due {self.due_date})"


class Outcome(models.Model):
    """A disruption claim by the acting agency, validated or rejected by the hub at tasking."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="outcomes")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    claimed_by = by_user()
    claimed_at = models.DateTimeField()
    occurred_on = models.DateField()
    rating = models.CharField(max_length=10, choices=Rating.choices)
    group_effect = models.CharField(
        max_length=12, choices=GroupEffect.choices, blank=True, help_text="For an action targeting a group"
    )
    justification = models.TextField()
    status = models.CharField(max_length=10, choices=OutcomeStatus.choices, default=OutcomeStatus.CLAIMED)
    decided_by = by_user(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="duplicates"
    )
    meeting = models.ForeignKey(
        "Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="decided_outcomes"
    )

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["status", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_rating_display()} disruption on {self.occurred_on}"


class Order(models.Model):
    """An order or set of conditions in force on a nominal (SCPO, FRO, Travel Restriction Order, licence)."""

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="orders")
    order_type = models.CharField(max_length=12, choices=OrderType.choices)
    start_date = models.DateField()
    end_date = models.DateField()
    conditions = models.TextField(blank=True)
    recorded_by = by_user(null=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["end_date", "id"]

    def __str__(self) -> str:
        return f"{self.get_order_type_display()} to {self.end_date}"


class OrderBreach(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="breaches")
    occurred_on = models.DateField()
    details = models.TextField()
    reported_by = by_user()
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "id"]

    def __str__(self) -> str:
        return f"Breach of {self.order_id} on {self.occurred_on}"


class Meeting(models.Model):
    """A hub's tasking and coordination meeting."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField()
    title = models.CharField(max_length=150)
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    minutes = models.TextField(blank=True)
    created_by = by_user(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    attendee = models.CharField(max_length=150)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.attendee} ({self.agency})"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    nominal = optional_fk(Nominal, on_delete=models.CASCADE)
    text = models.TextField()
    recorded_by = by_user(null=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:60]


class Alert(models.Model):
    """One notice to one user. `key` makes producing alerts idempotent: the same event never twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=24, choices=AlertKind.choices)
    key = models.CharField(max_length=120)
    nominal = optional_fk(Nominal, on_delete=models.CASCADE)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="alert_once_per_user")]
        indexes = [models.Index(fields=["emailed_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user_id}"
