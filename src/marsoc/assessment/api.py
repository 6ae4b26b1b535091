"""Assessment endpoints: methods, assessments, the priority list, reviews, calibration and equality.

The same selectors, services, policies and audit as the pages; a person out of reach answers 404.
"""

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from marsoc.accounts.models import User
from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed

from . import services
from .models import CalibrationAssignment, CalibrationResponse
from .selectors import access_exercise_by_id, calibration_exercises, exercise_results

router = Router(tags=["assessment"])


class ApiError(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------------------------------------
# Blind until closed: nothing here returns another assessor's scores, or any result, while an exercise is
# open. Results after close are trimmed as on the page (national team: everyone by name; hub managers:
# their own hub by name; assessors: themselves).

MAX_ID = 2**31 - 1


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
    actor = _user(request)
    exercises = list(calibration_exercises(actor=actor).annotate(vignette_count=Count("vignettes")))
    sheets = {
        s.exercise_id: s
        for s in CalibrationAssignment.objects.filter(assessor_id=actor.pk, exercise__in=exercises).annotate(
            scored=Count("responses", filter=Q(responses__score__isnull=False))
        )
    }
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
    actor = _user(request)
    if exercise_id > MAX_ID:
        return Status(404, {"detail": "Not found"})
    try:
        access = access_exercise_by_id(actor=actor, exercise_id=exercise_id)
        data = exercise_results(access=access, actor=actor, spec=services.method_spec(access.exercise.method))
    except NotFoundOrForbidden:
        return Status(404, {"detail": "Not found"})
    services.calibration_results_consult(actor=actor, data=data)
    r = data.results
    titles = {v.pk: v for v in data.vignettes}
    return Status(
        200,
        {
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
        },
    )


@router.post(
    "/calibration/exercises/{exercise_id}/scores",
    response={200: CalibrationScoresOut, 404: ApiError, 409: ApiError, 422: ApiError},
    summary="Save your levels for some vignettes and optionally submit your sheet",
)
def post_calibration_scores(request: HttpRequest, exercise_id: int, payload: CalibrationScoresIn) -> Any:
    actor = _user(request)
    if exercise_id > MAX_ID:
        return Status(404, {"detail": "Not found"})
    try:
        access = access_exercise_by_id(actor=actor, exercise_id=exercise_id)
        if access.sheet is None:
            raise NotFoundOrForbidden(f"calibration exercise {exercise_id}")
        with transaction.atomic():  # saved and submitted together, or neither
            if payload.responses:
                services.calibration_scores_save(
                    actor=actor,
                    exercise=access.exercise,
                    responses={r.vignette_id: r.levels for r in payload.responses},
                )
            if payload.submit:
                services.calibration_sheet_submit(actor=actor, exercise=access.exercise)
    except NotFoundOrForbidden:
        return Status(404, {"detail": "Not found"})
    except services.SheetLocked as exc:
        return Status(409, {"detail": str(exc)})
    except ValidationFailed as exc:
        return Status(422, {"detail": "The scores were not saved", "errors": exc.errors})
    sheet = CalibrationAssignment.objects.get(pk=access.sheet.pk)
    return Status(
        200,
        {
            "exercise_id": exercise_id,
            "saved_vignettes": sorted(r.vignette_id for r in payload.responses),
            "scored_vignettes": CalibrationResponse.objects.filter(
                assignment=sheet, score__isnull=False
            ).count(),
            "submitted_at": sheet.submitted_at,
        },
    )
