"""Plan endpoints: the catalogue, one person's plan, adding actions, asking for and giving agreement,
claiming outcomes, and the alerts inbox. The same selectors, services, policy and audit as the pages;
a person out of reach answers 404, as a missing one does."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.api_common import fields_of
from marsoc.core.api_errors import MAX_ID, ApiError
from marsoc.core.api_errors import NOT_FOUND_BODY as NOT_FOUND
from marsoc.core.api_fields import Day, Id, OptionalText, Purpose, Text
from marsoc.core.errors import NotFoundOrForbidden
from marsoc.core.web import actor as _actor
from marsoc.nominals.models import Nominal
from marsoc.nominals.selectors import access_nominal_by_id
from marsoc.nominals.services import nominal_consult

from . import alerts, records, services
from .models import Plan, Tactic
from .selectors import access_action_by_id, catalogue_entries, plan_for
from .vocabulary import Rating

router = Router(tags=["plans"])


class TacticOut(Schema):
    id: int
    code: str
    name: str
    agency_type: str
    legal_basis: str
    life_area: str
    strand: str
    phases: list[str]
    retired: bool


class ActionOut(Schema):
    id: int
    tactic: str
    agency: str
    officer: str | None
    due_date: date
    status: str


class PlanAgreementOut(Schema):
    agency: str
    representative: str
    agreed_at: str


class PlanOut(Schema):
    nominal_id: int
    state: str
    owner_agency: str
    current_version: int
    agreement_requested: bool
    agreed_version: int | None
    participating_agencies: list[int]
    agreements: list[PlanAgreementOut]
    objectives: list[str]
    actions: list[ActionOut]


class ActionIn(Schema):
    tactic_id: Id = Field(description="A tool or power of the catalogue that applies in the person's phase")
    agency_id: Id = Field(description="An active agency of a type that may use the tool")
    due_date: Day = Field(description="Today or in the future")
    officer_id: Id | None = Field(None, description="An officer of the acting agency")
    objective_id: Id | None = Field(None, description="One of this plan's objectives")
    notes: OptionalText(4000) = ""  # type: ignore[valid-type]


class AgreeIn(Schema):
    version: int = Field(ge=1, le=MAX_ID, description="The version you read (GET the plan)")
    note: OptionalText(2000) = ""  # type: ignore[valid-type]


class OutcomeIn(Schema):
    occurred_on: Day = Field(description="Not in the future, nor before the action was planned")
    rating: Rating
    justification: Text(4000, "How the action disrupted the person's ability to cause harm")  # type: ignore[valid-type]


class CreatedOut(Schema):
    id: int


class AlertOut(Schema):
    id: int
    kind: str
    text: str
    url: str
    created_at: str
    read: bool


def _tactic(t: Tactic) -> dict[str, Any]:
    return fields_of(t, TacticOut)


def _plan(plan: Plan) -> dict[str, Any]:
    version = plan.current_version
    assert version is not None
    return {
        "nominal_id": plan.nominal_id,
        "state": services.plan_state(plan).value,
        "owner_agency": plan.owner_agency.name,
        "current_version": version.number,
        "agreement_requested": version.requested_at is not None,
        "agreed_version": plan.agreed_version.number if plan.agreed_version else None,
        "participating_agencies": version.participating_agency_ids,
        "agreements": [
            {
                "agency": a.agency.name,
                "representative": str(a.representative),
                "agreed_at": a.agreed_at.isoformat(),
            }
            for a in version.agreements.select_related("agency", "representative")
        ],
        "objectives": [o.text for o in plan.objectives.all()],
        "actions": [
            {
                "id": a.pk,
                "tactic": a.tactic.code,
                "agency": a.agency.name,
                "officer": str(a.officer) if a.officer else None,
                "due_date": a.due_date,
                "status": a.status,
            }
            for a in plan.actions.select_related("tactic", "agency", "officer")
        ],
    }


def _plan_of(request: HttpRequest, nominal_id: int) -> tuple[User, Nominal, Plan]:
    """Who asks, the person and their plan; NotFoundOrForbidden (a 404) when either is missing or out
    of reach."""
    actor = _actor(request)
    nominal = access_nominal_by_id(actor=actor, nominal_id=nominal_id)
    plan = plan_for(actor=actor, nominal=nominal)
    if plan is None:
        raise NotFoundOrForbidden(f"plan of nominal {nominal_id}")
    return actor, nominal, plan


@router.get(
    "/catalogue", response={200: list[TacticOut], 404: ApiError}, summary="The tools and powers catalogue"
)
def catalogue(request: HttpRequest) -> Any:
    if not access.may(_actor(request), "catalogue.view"):
        return Status(404, NOT_FOUND)
    return [_tactic(t) for t in catalogue_entries()]


@router.get(
    "/nominals/{nominal_id}/plan",
    response={200: PlanOut, 404: ApiError, 422: ApiError},
    summary="One person's disruption plan (a purpose is required and logged)",
)
def get_plan(request: HttpRequest, nominal_id: int, purpose: Purpose) -> Any:
    actor, nominal, plan = _plan_of(request, nominal_id)
    nominal_consult(actor=actor, nominal=nominal, purpose=purpose, surface="api.plan")
    return _plan(plan)


@router.post(
    "/nominals/{nominal_id}/plan/actions",
    response={201: CreatedOut, 403: ApiError, 404: ApiError, 422: ApiError},
    summary="Add an action to the plan (opens a new version if the current one is frozen)",
)
def add_action(request: HttpRequest, nominal_id: int, payload: ActionIn) -> Any:
    actor, _, plan = _plan_of(request, nominal_id)
    action = services.action_add(actor=actor, plan=plan, **payload.dict())
    return Status(201, {"id": action.pk})


@router.post(
    "/nominals/{nominal_id}/plan/request-agreement",
    response={200: PlanOut, 403: ApiError, 404: ApiError, 422: ApiError},
    summary="Freeze the current version and ask the participating agencies to agree it",
)
def request_agreement(request: HttpRequest, nominal_id: int) -> Any:
    actor, _, plan = _plan_of(request, nominal_id)
    services.plan_request_agreement(actor=actor, plan=plan)
    plan.refresh_from_db()
    # The answer is the whole plan: its reading is a consultation, logged as the GET logs it.
    nominal_consult(
        actor=actor,
        nominal=plan.nominal,
        purpose="Plan returned after requesting agreement",
        surface="api.plan",
    )
    return _plan(plan)


@router.post(
    "/nominals/{nominal_id}/plan/agree",
    response={200: PlanOut, 403: ApiError, 404: ApiError, 409: ApiError, 422: ApiError},
    summary="Agree the current version for your agency, as its named representative",
)
def agree(request: HttpRequest, nominal_id: int, payload: AgreeIn) -> Any:
    actor, _, plan = _plan_of(request, nominal_id)
    services.plan_agree(actor=actor, plan=plan, version_number=payload.version, note=payload.note)
    plan.refresh_from_db()
    nominal_consult(
        actor=actor, nominal=plan.nominal, purpose="Plan returned after agreeing it", surface="api.plan"
    )
    return _plan(plan)


@router.post(
    "/nominals/{nominal_id}/plan/actions/{action_id}/outcomes",
    response={201: CreatedOut, 403: ApiError, 404: ApiError, 422: ApiError},
    summary="Claim a disruption outcome for an action of your agency",
)
def claim_outcome(request: HttpRequest, nominal_id: int, action_id: int, payload: OutcomeIn) -> Any:
    actor = _actor(request)
    nominal = access_nominal_by_id(actor=actor, nominal_id=nominal_id)
    action = access_action_by_id(actor=actor, nominal=nominal, action_id=action_id)
    outcome = services.outcome_claim(actor=actor, action=action, **payload.dict())
    return Status(201, {"id": outcome.pk})


@router.get(
    "/alerts", response={200: list[AlertOut], 404: ApiError}, summary="Your alerts about records you may see"
)
def list_alerts(request: HttpRequest) -> Any:
    actor = _actor(request)
    if not access.may(actor, "alerts.view"):
        return Status(404, NOT_FOUND)
    rows = list(alerts.inbox(actor=actor)[:200])
    records.inbox_consult(
        actor=actor, nominal_ids={a.nominal_id for a in rows if a.nominal_id}, surface="api"
    )
    return [
        {
            "id": a.pk,
            "kind": a.kind,
            "text": a.text,
            "url": a.url,
            "created_at": a.created_at.isoformat(),
            "read": a.read_at is not None,
        }
        for a in rows
    ]
