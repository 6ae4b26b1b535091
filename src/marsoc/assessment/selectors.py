"""Reads for assessment, scoped by the policy before anything is counted, ranked or exported."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from marsoc.core.actor import Actor
from marsoc.core.errors import NotFoundOrForbidden
from marsoc.nominals.lifecycle import RELEASE_WINDOW
from marsoc.nominals.models import CustodyEvent, Nominal
from marsoc.nominals.selectors import nominal_phase, phase_filter
from marsoc.nominals.vocabulary import CustodyEventType, Phase

from .method import score
from .models import Assessment, DryRunChange, FactorScore, MethodDryRun, PriorityStatus, ScoringMethod
from .policies import can_manage_methods, can_view_assessments, priority_scope

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
    # The phase of the rows shown is worked out in Python (priority_row_phase): as an SQL CASE it was
    # computed for every row in scope before the sort.
    return qs.select_related(
        "nominal", "nominal__owner_hub", "nominal__current_establishment", "assessment"
    ).order_by("-score", "nominal_id")


def priority_row_phase(status: PriorityStatus, today: date | None = None) -> str:
    return nominal_phase(status.nominal, today).value


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


# ------------------------------------------------------------------------------ method dry runs


def dry_runs_for(method: ScoringMethod) -> QuerySet[MethodDryRun]:
    return MethodDryRun.objects.filter(candidate=method).select_related("requested_by")


def dry_run_by_id(*, actor: Actor, run_id: int) -> MethodDryRun:
    """Dry runs are the national team's working papers (they rank the whole cohort)."""
    run = MethodDryRun.objects.select_related("candidate", "requested_by").filter(pk=run_id).first()
    if run is None or not can_manage_methods(actor):
        raise NotFoundOrForbidden(f"dry run {run_id}")
    return run


def dry_run_changes(
    *, actor: Actor, run: MethodDryRun, direction: str = "", hub_id: int | None = None
) -> QuerySet[DryRunChange]:
    """People whose computed tier would change, limited to those the actor may see (clearance)."""
    qs = run.changes.filter(nominal__in=Nominal.objects.filter(priority_scope(actor)))
    if direction:
        qs = qs.filter(direction=direction)
    if hub_id:
        qs = qs.filter(nominal__owner_hub_id=hub_id)
    return qs.select_related("nominal", "nominal__owner_hub").order_by("-new_score", "nominal_id")


@dataclass(frozen=True)
class ChangeExplanation:
    change: DryRunChange
    now_top: list[str]  # factor codes that drove the current score (from the stored assessment)
    candidate_top: list[tuple[str, float]]  # (factor name, contribution) under the candidate
    threshold: str  # the tier boundary crossed, in words


def dry_run_explain(run: MethodDryRun, changes: list[DryRunChange]) -> list[ChangeExplanation]:
    """Why each shown person moves: the candidate's breakdown for them and the boundary they cross.

    The full breakdown costs about 2 ms a person, so it is worked out only for the rows on the page."""
    from .services import method_spec

    spec = method_spec(run.candidate)
    levels: dict[int, dict[str, int]] = {}
    for assessment_id, code, level in FactorScore.objects.filter(
        assessment_id__in=[c.assessment_id for c in changes]
    ).values_list("assessment_id", "factor_code", "level"):
        levels.setdefault(assessment_id, {})[code] = level
    stored_top = dict(
        Assessment.objects.filter(pk__in=[c.assessment_id for c in changes]).values_list("id", "top_factors")
    )
    out = []
    for change in changes:
        known = levels.get(change.assessment_id, {})
        result = score(spec, {f.code: known.get(f.code, 0) for f in spec.factors})
        new_tier = spec.tier(change.new_tier)
        if change.direction == "up":
            threshold = f"reaches {new_tier.name} (from {format(new_tier.min, 'g')} under the candidate)"
        else:
            threshold = f"falls to {new_tier.name} (below {format(new_tier.max, 'g')} under the candidate)"
        out.append(
            ChangeExplanation(
                change=change,
                now_top=list(stored_top.get(change.assessment_id) or []),
                candidate_top=[(f.name, f.contribution) for f in result.top_factors(3)],
                threshold=threshold,
            )
        )
    return out
