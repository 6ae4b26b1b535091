"""Reads for assessment, scoped by the policy before anything is counted, ranked or exported."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from marsoc.core.actor import Actor
from marsoc.core.errors import NotFoundOrForbidden
from marsoc.nominals.lifecycle import RELEASE_WINDOW
from marsoc.nominals.models import CustodyEvent, Nominal
from marsoc.nominals.selectors import phase_expression, phase_filter
from marsoc.nominals.vocabulary import CustodyEventType, Phase

from .models import Assessment, PriorityStatus, ScoringMethod
from .policies import can_view_assessments, priority_scope

# Custody events that call for a fresh look at the person's priority.
TRIGGER_EVENTS = (CustodyEventType.TRANSFER, CustodyEventType.RECALL, CustodyEventType.RELEASE)


@dataclass(frozen=True)
class PriorityFilters:
    hub_id: int | None = None
    tier: str = ""
    phase: str = ""
    establishment_id: int | None = None
    release_within_days: int | None = None


def priority_list(
    *, actor: Actor, filters: PriorityFilters, today: date | None = None
) -> QuerySet[PriorityStatus]:
    """One national ranking (highest score first); hub staff get their hub's slice of the same order."""
    today = today or timezone.localdate()
    scoped = Nominal.objects.filter(priority_scope(actor))
    qs = PriorityStatus.objects.filter(nominal__in=scoped)
    if filters.hub_id:
        qs = qs.filter(nominal__owner_hub_id=filters.hub_id)
    if filters.tier:
        qs = qs.filter(Q(decided_tier=filters.tier) | Q(decided_tier="", computed_tier=filters.tier))
    if filters.phase:
        qs = qs.filter(nominal__in=Nominal.objects.filter(phase_filter(filters.phase, today)))
    if filters.establishment_id:
        qs = qs.filter(nominal__current_establishment_id=filters.establishment_id)
    if filters.release_within_days is not None:
        qs = qs.filter(
            nominal__expected_release_date__gte=today,
            nominal__expected_release_date__lte=today + timedelta(days=filters.release_within_days),
        )
    return (
        qs.select_related("nominal", "nominal__owner_hub", "nominal__current_establishment", "assessment")
        .annotate(phase=phase_expression(today, prefix="nominal__"))
        .order_by("-score", "nominal_id")
    )


def access_assessment_by_id(*, actor: Actor, assessment_id: int) -> Assessment:
    assessment = (
        Assessment.objects.select_related("nominal", "nominal__owner_hub", "method", "assessor")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None or not can_view_assessments(actor, assessment.nominal):
        raise NotFoundOrForbidden(f"assessment {assessment_id}")
    return assessment


def assessment_history(*, actor: Actor, nominal: Nominal) -> QuerySet[Assessment]:
    if not can_view_assessments(actor, nominal):
        return Assessment.objects.none()
    return nominal.assessments.select_related("method", "assessor").order_by("-submitted_at", "-id")


@dataclass(frozen=True)
class ReviewRow:
    status: PriorityStatus
    reasons: tuple[str, ...]
    overdue: bool


def reviews_due(*, actor: Actor, today: date | None = None, horizon_days: int = 14) -> list[ReviewRow]:
    """Reviews due within `horizon_days` or overdue, and those triggered by custody events since the
    current assessment (transfer, recall, release) or by entering the 6-month release window."""
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    window_start = today + RELEASE_WINDOW
    event_since = CustodyEvent.objects.filter(
        nominal_id=OuterRef("nominal_id"),
        event_type__in=TRIGGER_EVENTS,
        recorded_at__gt=OuterRef("assessment__submitted_at"),
    )
    qs = (
        PriorityStatus.objects.filter(nominal__in=Nominal.objects.filter(priority_scope(actor)))
        .annotate(event_trigger=Exists(event_since))
        .filter(
            Q(next_review_due__lte=today + timedelta(days=horizon_days))
            | Q(event_trigger=True)
            | Q(nominal__expected_release_date__lte=window_start, nominal__expected_release_date__gte=today)
        )
        .select_related("nominal", "nominal__owner_hub", "assessment")
        .order_by("next_review_due", "nominal_id")
    )
    rows = []
    for status in qs:
        reasons = []
        if status.next_review_due <= today:
            reasons.append(f"Scheduled review overdue since {status.next_review_due:%d %b %Y}")
        elif status.next_review_due <= today + timedelta(days=horizon_days):
            reasons.append(f"Scheduled review due {status.next_review_due:%d %b %Y}")
        if getattr(status, "event_trigger", False):
            reasons.append("Custody event since the last assessment (transfer, recall or release)")
        release = status.nominal.expected_release_date
        if release is not None and today <= release <= window_start:
            window_opened = datetime.combine(release - RELEASE_WINDOW, time.min, tzinfo=tz)
            if status.assessment.submitted_at < window_opened:
                reasons.append(
                    f"Release due {release:%d %b %Y}: not assessed since the 6-month window opened"
                )
        if reasons:
            rows.append(
                ReviewRow(
                    status,
                    tuple(reasons),
                    overdue=status.next_review_due < today
                    or len(reasons) > 1
                    or not reasons[0].startswith("Scheduled review due"),
                )
            )
    return rows


def methods_visible() -> QuerySet[ScoringMethod]:
    return ScoringMethod.objects.all().order_by("code", "-version")


__all__ = ["Phase", "PriorityFilters", "ReviewRow", "priority_list", "reviews_due"]
