"""Reads for assessment, scoped by the policy before anything is counted, ranked or exported."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core.actor import Actor
from marsoc.core.errors import NotFoundOrForbidden
from marsoc.core.vocabulary import Role
from marsoc.nominals.lifecycle import RELEASE_WINDOW
from marsoc.nominals.models import CustodyEvent, Nominal
from marsoc.nominals.selectors import phase_expression, phase_filter
from marsoc.nominals.vocabulary import CustodyEventType, Phase

from .calibration import CalibrationResults, Rating, calibration_results
from .method import MethodSpec
from .models import (
    Assessment,
    CalibrationAssignment,
    CalibrationExercise,
    CalibrationResponse,
    CalibrationStatus,
    CalibrationVignette,
    PriorityStatus,
    ScoringMethod,
)
from .policies import (
    CALIBRATION_ASSESSOR_ROLES,
    ResultsView,
    calibration_results_view,
    can_manage_calibration,
    can_score_exercise,
    can_view_assessments,
    can_view_exercise,
    priority_scope,
    sees_calibration,
)

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


# ---------------------------------------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseAccess:
    """An exercise as one actor may reach it: their own sheet (if assigned) and what they may do."""

    exercise: CalibrationExercise
    sheet: CalibrationAssignment | None
    can_manage: bool
    can_score: bool
    results_view: str | None

    @property
    def assigned(self) -> bool:
        return self.sheet is not None


def calibration_exercises(*, actor: Actor) -> QuerySet[CalibrationExercise]:
    """The exercises `actor` may see: all for the national team; otherwise the open and closed ones they
    are assigned to, and (for hub managers) every closed one."""
    qs = CalibrationExercise.objects.select_related("method", "created_by")
    if can_manage_calibration(actor):
        return qs
    if not sees_calibration(actor):
        return qs.none()
    mine = Q(pk__in=CalibrationAssignment.objects.filter(assessor_id=actor.pk).values("exercise_id")) & ~Q(
        status=CalibrationStatus.DRAFT
    )
    if Role.HUB_MANAGER in actor.role_codes:
        mine |= Q(status=CalibrationStatus.CLOSED)
    return qs.filter(mine)


def access_exercise_by_id(*, actor: Actor, exercise_id: int) -> ExerciseAccess:
    """One exercise, or NotFoundOrForbidden (the same for a missing one and one out of reach)."""
    exercise = (
        CalibrationExercise.objects.select_related("method", "created_by").filter(pk=exercise_id).first()
    )
    if exercise is None:
        raise NotFoundOrForbidden(f"calibration exercise {exercise_id}")
    sheet = CalibrationAssignment.objects.filter(exercise=exercise, assessor_id=actor.pk).first()
    assigned = sheet is not None
    if not can_view_exercise(actor, status=exercise.status, assigned=assigned):
        raise NotFoundOrForbidden(f"calibration exercise {exercise_id}")
    return ExerciseAccess(
        exercise=exercise,
        sheet=sheet,
        can_manage=can_manage_calibration(actor),
        can_score=can_score_exercise(actor, status=exercise.status, assigned=assigned),
        results_view=calibration_results_view(actor, status=exercise.status, assigned=assigned),
    )


def exercise_progress(exercise: CalibrationExercise) -> list[CalibrationAssignment]:
    """Who is assigned and whether they have submitted: never their scores (the exercise is blind)."""
    return list(
        exercise.assignments.select_related("assessor", "hub").order_by("hub__name", "assessor__username")
    )


def own_sheet(sheet: CalibrationAssignment) -> dict[int, CalibrationResponse]:
    """The assessor's own responses, by vignette id."""
    return {r.vignette_id: r for r in sheet.responses.all()}


def calibration_assessor_candidates() -> QuerySet[User]:
    """People who may be assigned: active hub staff with a hub (manager, officer or analyst)."""
    return (
        User.objects.filter(
            is_active=True,
            is_service_account=False,
            hub__isnull=False,
            role_grants__role__in=sorted(CALIBRATION_ASSESSOR_ROLES),
        )
        .select_related("hub", "agency")
        .distinct()
        .order_by("hub__is_national", "hub__name", "last_name", "username")
    )


@dataclass(frozen=True)
class ResultRow:
    """One submitted sheet in the results: who (when the viewer may know), hub, and scores by vignette."""

    assessor_id: int
    label: str
    hub: str
    scores: dict[int, float]
    levels: dict[int, dict[str, int]]


@dataclass(frozen=True)
class ExerciseResults:
    exercise: CalibrationExercise
    spec: MethodSpec
    view: str
    vignettes: list[CalibrationVignette]
    results: CalibrationResults
    rows: list[ResultRow]  # the individual sheets the viewer may see by name
    submitted: int
    assigned: int


def exercise_results(*, access: ExerciseAccess, actor: Actor, spec: MethodSpec) -> ExerciseResults:
    """Results of a closed exercise from the submitted sheets only, trimmed to what the viewer may see."""
    view = access.results_view
    if view is None:
        raise NotFoundOrForbidden(f"calibration results {access.exercise.pk}")
    exercise = access.exercise
    vignettes = list(exercise.vignettes.order_by("position"))
    sheets = list(
        exercise.assignments.select_related("assessor", "hub").order_by("hub__name", "assessor__username")
    )
    submitted = [s for s in sheets if s.submitted_at is not None]
    responses = CalibrationResponse.objects.filter(assignment__in=submitted, score__isnull=False).values_list(
        "assignment_id", "vignette_id", "levels", "score"
    )
    sheet_by_id = {s.pk: s for s in submitted}
    ratings = []
    per_sheet: dict[int, tuple[dict[int, float], dict[int, dict[str, int]]]] = {
        s.pk: ({}, {}) for s in submitted
    }
    for assignment_id, vignette_id, levels, value in responses:
        if value is None:  # narrowed by the filter; keeps the type checker honest
            continue
        sheet = sheet_by_id[assignment_id]
        ratings.append(
            Rating(
                assessor_id=sheet.assessor_id,
                hub=sheet.hub.name,
                vignette_id=vignette_id,
                levels={k: int(v) for k, v in levels.items()},
                score=float(value),
            )
        )
        per_sheet[assignment_id][0][vignette_id] = float(value)
        per_sheet[assignment_id][1][vignette_id] = {k: int(v) for k, v in levels.items()}
    results = calibration_results(spec, [v.pk for v in vignettes], ratings)

    def shown(sheet: CalibrationAssignment) -> bool:
        if view == ResultsView.FULL:
            return True
        if view == ResultsView.HUB:
            return sheet.hub_id == actor.hub_id
        return sheet.assessor_id == actor.pk

    rows = [
        ResultRow(
            assessor_id=s.assessor_id,
            label=f"{s.assessor.get_full_name() or s.assessor.username} ({s.assessor.username})",
            hub=s.hub.name,
            scores=per_sheet[s.pk][0],
            levels=per_sheet[s.pk][1],
        )
        for s in submitted
        if shown(s)
    ]
    return ExerciseResults(
        exercise=exercise,
        spec=spec,
        view=view,
        vignettes=vignettes,
        results=results,
        rows=rows,
        submitted=len(submitted),
        assigned=len(sheets),
    )
