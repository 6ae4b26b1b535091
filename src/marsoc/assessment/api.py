"""Assessment endpoints: methods, dry runs, assessments, tier decisions, the priority list and reviews.

The same selectors, services, policies and audit as the pages; a person out of reach answers 404, as a
missing one does. Reading a person's assessments needs a stated purpose, logged as the pages log it.
"""

from datetime import date, datetime
from typing import Annotated, Any

from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.api_common import PageOut, fields_of, page_body, window
from marsoc.core.api_errors import MAX_ID, ApiError, error_body
from marsoc.core.api_errors import NOT_FOUND_BODY as NOT_FOUND
from marsoc.core.api_fields import NO_CONTROL, Name, OptionalText, Purpose, Text
from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed, refused_in_context
from marsoc.core.web import actor as _actor
from marsoc.nominals.models import Nominal
from marsoc.nominals.selectors import access_nominal_by_id
from marsoc.nominals.services import nominal_consult
from marsoc.nominals.vocabulary import Phase

from . import services
from .models import (
    Assessment,
    MethodDryRun,
    PriorityStatus,
    ScoringMethod,
)
from .selectors import (
    PriorityFilters,
    access_assessment_by_id,
    access_exercise_by_id,
    assessment_history,
    assessment_with_method,
    calibration_exercises,
    dry_run_by_id,
    dry_run_changes,
    exercise_results,
    method_by_id,
    methods_visible,
    own_sheets,
    priority_page,
    priority_row_phase,
    reviews_due,
    sheet_with_score_count,
    tier_codes,
)

router = Router(tags=["assessment"])


# --------------------------------------------------------------------------------------- methods


class MethodOut(Schema):
    id: int
    code: str
    version: int
    name: str
    status: str
    fingerprint: str
    loaded_at: datetime
    activated_at: datetime | None


class TierOut(Schema):
    code: str
    name: str
    min: float
    max: float


class FactorOut(Schema):
    code: str
    name: str
    group: str
    scale: list[str]


class MethodDetailOut(MethodOut):
    description: str
    formula: str
    tiers: list[TierOut]
    factors: list[FactorOut]


def _method(m: ScoringMethod) -> dict[str, Any]:
    return fields_of(m, MethodOut)


@router.get("/methods", response={200: list[MethodOut], 404: ApiError}, summary="Scoring methods")
def list_methods(request: HttpRequest) -> Any:
    if not access.may(_actor(request), "method.view"):
        return Status(404, NOT_FOUND)
    return [_method(m) for m in methods_visible()]


@router.get("/methods/{method_id}", response={200: MethodDetailOut, 404: ApiError}, summary="One method")
def get_method(request: HttpRequest, method_id: int) -> Any:
    method = method_by_id(method_id)
    if method is None or not access.may(_actor(request), "method.view"):
        return Status(404, NOT_FOUND)
    spec = services.method_spec(method)
    return _method(method) | {
        "description": spec.description,
        "formula": spec.formula,
        "tiers": [{"code": t.code, "name": t.name, "min": t.min, "max": t.max} for t in spec.tiers],
        "factors": [
            {"code": f.code, "name": f.name, "group": f.group, "scale": list(f.scale)} for f in spec.factors
        ],
    }


# -------------------------------------------------------------------------------------- dry runs


class DryRunChangeOut(Schema):
    nominal_id: int
    reference: str
    hub: str
    old_score: float
    old_tier: str
    decided_tier: str
    new_score: float
    new_tier: str
    direction: str
    missing_factors: list[str]


class DryRunOut(Schema):
    id: int
    candidate_id: int
    status: str
    requested_at: datetime
    finished_at: datetime | None
    rescored: int
    changed: int
    incomplete: int
    not_assessed: int
    transitions: dict[str, dict[str, int]]
    error: str
    changes_count: int = 0
    changes: list[DryRunChangeOut] = []


def _dry_run(run: MethodDryRun) -> dict[str, Any]:
    return fields_of(run, DryRunOut, changes_count=0, changes=[])  # a page of changes is added by GET


@router.post(
    "/methods/{method_id}/dry-runs",
    response={202: DryRunOut, 404: ApiError, 422: ApiError},
    summary="Re-score the cohort with this method (queued on the worker)",
)
def request_dry_run(request: HttpRequest, method_id: int) -> Any:
    actor = _actor(request)
    method = method_by_id(method_id)
    if method is None or not access.may(actor, "method.manage"):
        return Status(404, NOT_FOUND)
    run = services.dry_run_request(actor=actor, candidate=method)
    run.refresh_from_db()
    return Status(202, _dry_run(run))


class DryRunPageParams(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(100, ge=1, le=500)


@router.get("/dry-runs/{run_id}", response={200: DryRunOut, 404: ApiError}, summary="A dry run's outcome")
def get_dry_run(request: HttpRequest, run_id: int, params: Query[DryRunPageParams]) -> Any:
    page, page_size = params.page, params.page_size
    actor = _actor(request)
    run = dry_run_by_id(actor=actor, run_id=min(run_id, MAX_ID))
    changes = dry_run_changes(actor=actor, run=run)
    rows = window(changes, page, page_size)
    services.dry_run_consult(
        actor=actor, run=run, nominal_ids=[c.nominal_id for c in rows], details={"page": page}, surface="api"
    )
    return _dry_run(run) | {
        "changes_count": changes.count(),
        "changes": [
            {
                "nominal_id": c.nominal_id,
                "reference": c.nominal.reference,
                "hub": c.nominal.owner_hub.name,
                "old_score": float(c.old_score),
                "old_tier": c.old_tier,
                "decided_tier": c.decided_tier,
                "new_score": float(c.new_score),
                "new_tier": c.new_tier,
                "direction": c.direction,
                "missing_factors": c.missing_factors,
            }
            for c in rows
        ],
    }


# ---------------------------------------------------------------------------------- assessments


class FactorScoreOut(Schema):
    code: str
    level: int
    descriptor: str
    grade: str | None
    contribution: float
    evidence: str


class AssessmentOut(Schema):
    id: int
    nominal_id: int
    method: str
    assessor: str
    submitted_at: datetime
    score: float
    confidence: float
    confidence_band: str
    tier: str
    top_factors: list[str]
    is_current: bool
    superseded_by: int | None
    summary: str


class AssessmentDetailOut(AssessmentOut):
    factors: list[FactorScoreOut]


FactorCode = Annotated[str, Field(max_length=50)]


class AssessmentIn(Schema):
    levels: dict[FactorCode, int] = Field(
        description="A level for every factor of the active method (GET /api/methods)", max_length=50
    )
    grades: dict[
        FactorCode, Annotated[str, Field(pattern=r"^ *[1-3][A-Ea-e] *$", json_schema_extra=NO_CONTROL)]
    ] = Field(default_factory=dict, description='3x5x2 evidence grade per factor, e.g. "2B"', max_length=50)
    evidence: dict[FactorCode, OptionalText(2000)] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="Evidence cited for each factor", max_length=50
    )
    summary: OptionalText(5000) = ""  # type: ignore[valid-type]


class TierDecisionIn(Schema):
    decided_tier: Name(10, "A tier of the method the current assessment used")  # type: ignore[valid-type]
    rationale: Text(5000, "At least 20 characters when the decision differs from the computed tier")  # type: ignore[valid-type]


class TierDecisionOut(Schema):
    id: int
    nominal_id: int
    computed_tier: str
    decided_tier: str
    disagrees: bool
    rationale: str
    decided_at: datetime


def _assessment(a: Assessment) -> dict[str, Any]:
    return fields_of(
        a,
        AssessmentOut,
        method=f"{a.method.code} v{a.method.version}",
        assessor=a.assessor.get_full_name() or a.assessor.username,
        score=float(a.score),
        confidence=float(a.confidence),
        tier=a.tier_code,
        top_factors=list(a.top_factors),
        superseded_by=a.superseded_by_id,
    )


def _reachable(request: HttpRequest, nominal_id: int) -> tuple[User, Nominal]:
    """Who asks and the nominal, when they may see its assessments; NotFoundOrForbidden (a 404) otherwise."""
    actor = _actor(request)
    nominal = access_nominal_by_id(actor=actor, nominal_id=nominal_id)
    access.require(actor, "assessment.view", nominal)
    return actor, nominal


@router.get(
    "/nominals/{nominal_id}/assessments",
    response={200: list[AssessmentOut], 404: ApiError, 422: ApiError},
    summary="A person's assessments, newest first (a purpose is required and logged)",
)
def list_assessments(request: HttpRequest, nominal_id: int, purpose: Purpose) -> Any:
    actor, nominal = _reachable(request, nominal_id)
    nominal_consult(actor=actor, nominal=nominal, purpose=purpose, surface="api_assessments")
    history = assessment_history(actor=actor, nominal=nominal).select_related("method", "assessor")
    return [_assessment(a) for a in history]


@router.get(
    "/nominals/{nominal_id}/assessments/{assessment_id}",
    response={200: AssessmentDetailOut, 404: ApiError, 422: ApiError},
    summary="One assessment with its breakdown (a purpose is required and logged)",
)
def get_assessment(request: HttpRequest, nominal_id: int, assessment_id: int, purpose: Purpose) -> Any:
    actor, nominal = _reachable(request, nominal_id)
    assessment = access_assessment_by_id(actor=actor, assessment_id=assessment_id)
    if assessment.nominal_id != nominal.pk:
        return Status(404, NOT_FOUND)
    nominal_consult(actor=actor, nominal=nominal, purpose=purpose, surface="api_assessment_detail")
    return _assessment_detail(assessment)


def _assessment_detail(assessment: Assessment) -> dict[str, Any]:
    evidence = {f.factor_code: f.evidence for f in assessment.factor_scores.all()}
    factors = [
        {
            "code": item["code"],
            "level": item["level"],
            "descriptor": item.get("descriptor", ""),
            "grade": item.get("grade"),
            "contribution": float(item.get("contribution", 0)),
            "evidence": evidence.get(item["code"], ""),
        }
        for item in assessment.breakdown.get("breakdown", [])
    ]
    return _assessment(assessment) | {"factors": factors}


@router.post(
    "/nominals/{nominal_id}/assessments",
    response={201: AssessmentDetailOut, 403: ApiError, 404: ApiError, 422: ApiError},
    summary="Submit an assessment under the active method (supersedes the current one)",
)
def submit_assessment(request: HttpRequest, nominal_id: int, payload: AssessmentIn) -> Any:
    actor, nominal = _reachable(request, nominal_id)
    assessment = services.assessment_submit(actor=actor, nominal=nominal, **payload.dict())
    assessment = assessment_with_method(assessment.pk)
    return Status(201, _assessment_detail(assessment))


@router.post(
    "/nominals/{nominal_id}/tier",
    response={201: TierDecisionOut, 403: ApiError, 404: ApiError, 422: ApiError},
    summary="A hub manager's tier decision, with a rationale",
)
def decide_tier(request: HttpRequest, nominal_id: int, payload: TierDecisionIn) -> Any:
    actor, nominal = _reachable(request, nominal_id)
    decision = services.tier_decide(actor=actor, nominal=nominal, **payload.dict())
    return Status(
        201,
        {
            "id": decision.pk,
            "nominal_id": nominal.pk,
            "computed_tier": decision.computed_tier,
            "decided_tier": decision.decided_tier,
            "disagrees": decision.disagrees,
            "rationale": decision.rationale,
            "decided_at": decision.decided_at,
        },
    )


# ------------------------------------------------------------------------ priority list, reviews


class PriorityParams(Schema):
    hub: int | None = Field(None, ge=1, le=MAX_ID)
    tier: str = ""
    phase: Phase | None = None
    establishment: int | None = Field(None, ge=1, le=MAX_ID)
    release_within_days: int | None = Field(None, ge=0, le=3650)
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class PriorityRowOut(Schema):
    rank: int
    nominal_id: int
    reference: str
    hub: str
    phase: str
    score: float
    computed_tier: str
    decided_tier: str
    tier: str
    confidence_band: str
    top_factors: list[str]
    assessed_on: date
    next_review_due: date


class PriorityPageOut(PageOut):
    results: list[PriorityRowOut]


def _priority_row(rank: int, s: PriorityStatus) -> dict[str, Any]:
    return {
        "rank": rank,
        "nominal_id": s.nominal_id,
        "reference": s.nominal.reference,
        "hub": s.nominal.owner_hub.name,
        "phase": priority_row_phase(s),
        "score": float(s.score),
        "computed_tier": s.computed_tier,
        "decided_tier": s.decided_tier,
        "tier": s.tier,
        "confidence_band": s.assessment.confidence_band,
        "top_factors": list(s.assessment.top_factors),
        "assessed_on": s.assessment.submitted_at.date(),
        "next_review_due": s.next_review_due,
    }


@router.get(
    "/priority",
    response={200: PriorityPageOut, 404: ApiError, 422: ApiError},
    summary="The priority list in your scope (national ranking, or your hub's slice of it)",
)
def get_priority(request: HttpRequest, params: Query[PriorityParams]) -> Any:
    actor = _actor(request)
    if not access.may(actor, "priority.view"):
        return Status(404, NOT_FOUND)
    if params.tier and params.tier not in (codes := tier_codes()):
        # An unknown tier would match nobody: an empty list that looks like an answer.
        raise ValidationFailed(
            {
                "tier": refused_in_context(
                    f"{params.tier!r} is not a tier: use one of {', '.join(codes) or '(none yet)'}"
                )
            }
        )
    filters = PriorityFilters(
        hub_id=params.hub,
        tier=params.tier,
        phase=params.phase.value if params.phase else "",
        establishment_id=params.establishment,
        release_within_days=params.release_within_days,
    )
    page = priority_page(actor=actor, filters=filters, number=params.page, per_page=params.page_size)
    services.priority_list_consult(
        actor=actor, nominal_ids=[s.nominal_id for s in page.object_list], filters=filters, surface="api"
    )
    start = (page.number - 1) * params.page_size
    rows = [_priority_row(start + i, s) for i, s in enumerate(page.object_list, start=1)]
    return page_body(page.paginator.count, page.number, params.page_size, rows)


class ReviewOut(Schema):
    nominal_id: int
    reference: str
    hub: str
    tier: str
    next_review_due: date
    overdue: bool
    reasons: list[str]


@router.get("/reviews", response={200: list[ReviewOut], 404: ApiError}, summary="Reviews due and overdue")
def get_reviews(request: HttpRequest) -> Any:
    actor = _actor(request)
    if not access.may(actor, "priority.view"):
        return Status(404, NOT_FOUND)
    rows = reviews_due(actor=actor)
    services.reviews_consult(actor=actor, nominal_ids=[r.status.nominal_id for r in rows], surface="api")
    return [
        {
            "nominal_id": r.status.nominal_id,
            "reference": r.status.nominal.reference,
            "hub": r.status.nominal.owner_hub.name,
            "tier": r.status.tier,
            "next_review_due": r.status.next_review_due,
            "overdue": r.overdue,
            "reasons": list(r.reasons),
        }
        for r in rows
    ]


# ---------------------------------------------------------------------------------------------------------
# Equality monitoring: endpoints in api_equality.py (/api/equality/...)
# ---------------------------------------------------------------------------------------------------------

from .api_equality import router as equality_router  # noqa: E402

router.add_router("", equality_router)


# ---------------------------------------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------------------------------------
# Blind until closed: nothing here returns another assessor's scores, or any result, while an exercise is
# open. Results after close are trimmed as on the page (national team: everyone by name; hub managers:
# their own hub by name; assessors: themselves).


class CalibrationSheetOut(Schema):
    submitted_at: datetime | None
    scored_vignettes: int


class CalibrationExerciseOut(Schema):
    id: int
    name: str
    status: str
    method: str
    opens_on: date
    closes_on: date
    vignettes: int
    your_sheet: CalibrationSheetOut | None
    results_available: bool


class FactorAlphaOut(Schema):
    code: str
    name: str
    alpha: float | None


class HubOffsetOut(Schema):
    hub: str
    assessors: int
    mean_offset: float | None
    min_offset: float | None
    max_offset: float | None
    by_vignette: dict[int, float] = Field(description="Vignette id -> hub median minus national median")


class DriverOut(Schema):
    code: str
    name: str
    spread: float
    levels: list[int]


class DisagreementOut(Schema):
    vignette_id: int
    position: int
    title: str
    ratings: int
    median: float | None
    spread: float | None
    lowest: float | None
    highest: float | None
    drivers: list[DriverOut]


class AssessorScoresOut(Schema):
    assessor: str
    hub: str
    scores: dict[int, float] = Field(description="Vignette id -> computed score")


class CalibrationResultsOut(Schema):
    exercise_id: int
    view: str = Field(description="full, hub (own hub's assessors named) or own (only you named)")
    assessors_assigned: int
    assessors_submitted: int
    overall_alpha: float | None = Field(description="Krippendorff's alpha (interval) on the computed scores")
    factors: list[FactorAlphaOut]
    national_median: dict[int, float]
    hub_offsets: list[HubOffsetOut]
    disagreements: list[DisagreementOut]
    assessors: list[AssessorScoresOut]


class VignetteLevelsIn(Schema):
    vignette_id: int = Field(ge=1, le=MAX_ID)
    levels: dict[str, int | None] = Field(description="Factor code -> level; null or absent: not scored yet")


class CalibrationScoresIn(Schema):
    responses: list[VignetteLevelsIn] = Field(default=[], max_length=200)
    submit: bool = Field(False, description="Submit the whole sheet after saving (it then never changes)")


class CalibrationScoresOut(Schema):
    exercise_id: int
    saved_vignettes: list[int]
    scored_vignettes: int
    submitted_at: datetime | None


@router.get(
    "/calibration/exercises",
    response=list[CalibrationExerciseOut],
    summary="Calibration exercises you run, score or may see the results of",
)
def list_calibration_exercises(request: HttpRequest) -> list[dict[str, Any]]:
    actor = _actor(request)
    exercises = list(calibration_exercises(actor=actor).annotate(vignette_count=Count("vignettes")))
    sheets = own_sheets(actor=actor, exercise_ids=[e.pk for e in exercises], count_scored=True)
    out = []
    for e in exercises:
        sheet = sheets.get(e.pk)
        out.append(
            {
                "id": e.pk,
                "name": e.name,
                "status": e.status,
                "method": str(e.method),
                "opens_on": e.opens_on,
                "closes_on": e.closes_on,
                "vignettes": getattr(e, "vignette_count", 0),
                "your_sheet": {
                    "submitted_at": sheet.submitted_at,
                    "scored_vignettes": getattr(sheet, "scored", 0),
                }
                if sheet
                else None,
                "results_available": e.is_closed,
            }
        )
    return out


@router.get(
    "/calibration/exercises/{exercise_id}/results",
    response={200: CalibrationResultsOut, 404: ApiError},
    summary="Results of a closed exercise (404 while it is open: scoring is blind)",
)
def get_calibration_results(request: HttpRequest, exercise_id: int) -> Any:
    actor = _actor(request)
    seen = access_exercise_by_id(actor=actor, exercise_id=exercise_id)
    data = exercise_results(seen=seen, actor=actor, spec=services.method_spec(seen.exercise.method))
    services.calibration_results_consult(actor=actor, data=data)
    r = data.results
    titles = {v.pk: v for v in data.vignettes}
    return {
        "exercise_id": data.exercise.pk,
        "view": data.view,
        "assessors_assigned": data.assigned,
        "assessors_submitted": data.submitted,
        "overall_alpha": r.overall_alpha,
        "factors": [{"code": f.code, "name": f.name, "alpha": f.alpha} for f in r.factors],
        "national_median": dict(r.national_median),
        "hub_offsets": [
            {
                "hub": h.hub,
                "assessors": h.assessors,
                "mean_offset": h.mean_offset,
                "min_offset": h.min_offset,
                "max_offset": h.max_offset,
                "by_vignette": dict(h.by_vignette),
            }
            for h in r.hub_offsets
        ],
        "disagreements": [
            {
                "vignette_id": d.vignette_id,
                "position": titles[d.vignette_id].position,
                "title": titles[d.vignette_id].title,
                "ratings": d.ratings,
                "median": d.median,
                "spread": d.spread,
                "lowest": d.lowest,
                "highest": d.highest,
                "drivers": [
                    {"code": f.code, "name": f.name, "spread": f.spread, "levels": list(f.levels)}
                    for f in d.drivers
                ],
            }
            for d in r.disagreements
        ],
        "assessors": [{"assessor": row.label, "hub": row.hub, "scores": row.scores} for row in data.rows],
    }


@router.post(
    "/calibration/exercises/{exercise_id}/scores",
    response={200: CalibrationScoresOut, 404: ApiError, 409: ApiError, 422: ApiError},
    summary="Save your levels for some vignettes and optionally submit your sheet",
)
def post_calibration_scores(request: HttpRequest, exercise_id: int, payload: CalibrationScoresIn) -> Any:
    actor = _actor(request)
    try:
        seen = access_exercise_by_id(actor=actor, exercise_id=exercise_id)
        if seen.sheet is None:
            raise NotFoundOrForbidden(f"calibration exercise {exercise_id}")
        with transaction.atomic():  # saved and submitted together, or neither
            if payload.responses:
                services.calibration_scores_save(
                    actor=actor,
                    exercise=seen.exercise,
                    responses={r.vignette_id: r.levels for r in payload.responses},
                )
            if payload.submit:
                services.calibration_sheet_submit(actor=actor, exercise=seen.exercise)
    except services.SheetLocked as exc:
        return Status(409, error_body(str(exc)))
    sheet, scored = sheet_with_score_count(seen.sheet.pk)
    return {
        "exercise_id": exercise_id,
        "saved_vignettes": sorted(r.vignette_id for r in payload.responses),
        "scored_vignettes": scored,
        "submitted_at": sheet.submitted_at,
    }
