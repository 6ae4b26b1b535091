"""Choices for plans, outcomes, orders, meetings and alerts. Codes are stable; labels are ours."""

from django.db import models


class LifeArea(models.TextChoices):
    """The Home Office menu of disruption tactics groups tactics into these six life areas."""

    LIFESTYLE = "lifestyle", "Lifestyle"
    BEHAVIOUR = "behaviour", "Behaviour"
    VEHICLES = "vehicles", "Vehicles"
    TRAVEL = "travel", "Travel"
    BUSINESS = "business", "Business"
    CRIME = "crime", "Crime"


class Strand(models.TextChoices):
    """The SOC strategy's 4P."""

    PURSUE = "pursue", "Pursue"
    PREVENT = "prevent", "Prevent"
    PROTECT = "protect", "Protect"
    PREPARE = "prepare", "Prepare"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class PlanState(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING = "awaiting", "Awaiting agreement"
    AGREED = "agreed", "Agreed"
    CHANGED = "changed", "Changed since agreement"


class Rating(models.TextChoices):
    """The national disruption scale (major, moderate, minor, none, negative)."""

    MAJOR = "major", "Major"
    MODERATE = "moderate", "Moderate"
    MINOR = "minor", "Minor"
    NONE = "none", "None"
    NEGATIVE = "negative", "Negative"


class OutcomeStatus(models.TextChoices):
    CLAIMED = "claimed", "Claimed (awaiting validation)"
    VALIDATED = "validated", "Validated"
    REJECTED = "rejected", "Rejected"
    MERGED = "merged", "Merged into another claim"


class OrderType(models.TextChoices):
    SCPO = "scpo", "Serious Crime Prevention Order"
    FRO = "fro", "Financial Reporting Order"
    TRAVEL_RO = "travel_ro", "Travel Restriction Order"
    STPO = "stpo", "Slavery and Trafficking Prevention Order"
    LICENCE = "licence", "Licence conditions"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"


class AlertKind(models.TextChoices):
    ACTION_ASSIGNED = "action_assigned", "Action assigned"
    ACTION_DUE = "action_due", "Action due within 7 days"
    ACTION_OVERDUE = "action_overdue", "Action overdue"
    AGREEMENT_REQUESTED = "agreement_requested", "Agreement requested"
    PLAN_CHANGED = "plan_changed", "Plan changed"
    RELEASE_NO_PLAN = "release_no_plan", "Release within 6 months with no agreed plan"
    ORDER_EXPIRING = "order_expiring", "Order expiring"
    DECISION_DUE = "decision_due", "Decision due soon"
    DECISION_OVERDUE = "decision_overdue", "Decision overdue"


class GroupEffect(models.TextChoices):
    """What a disruption did to the organised crime group its action targets (rated beside the national
    scale's rating of the harm the person can cause)."""

    DISMANTLED = "dismantled", "The group was dismantled"
    LESS_CAPABLE = "less_capable", "The group is less capable"
    NO_CHANGE = "no_change", "No change to the group's capability"
