"""Nominal endpoints: list, search, get and refer. The same selectors, services, policy and audit as the
pages; missing and forbidden both answer 404."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from marsoc.core import access
from marsoc.core.api_errors import MAX_ID, ApiError, required_purpose
from marsoc.core.api_errors import NOT_FOUND_BODY as NOT_FOUND
from marsoc.core.api_input import PlainTextIn
from marsoc.core.errors import PermissionDenied, ValidationFailed
from marsoc.core.web import actor as _actor

from . import services
from .models import Nominal
from .selectors import SORTS, CohortFilters, access_nominal_by_id, nominal_list, nominal_phase
from .vocabulary import MembershipState, Phase

router = Router(tags=["nominals"])
MAX_PAGE_SIZE = 200


class IdentifierOut(Schema):
    id_type: str
    value: str


class AliasOut(Schema):
    alias_type: str
    given_names: str
    family_name: str
    date_of_birth: date | None


class NominalSummary(Schema):
    id: int
    reference: str
    given_names: str
    family_name: str
    date_of_birth: date
    owner_hub: str
    membership_state: str
    phase: str
    establishment: str | None
    expected_release_date: date | None


class NominalDetail(NominalSummary):
    sex: str
    ethnicity_self: str
    ethnicity_officer: str
    nationality: str
    religion: str
    data_subject_category: str
    classification: str
    lead_officer: str | None
    licence_end_date: date | None
    identifiers: list[IdentifierOut]
    aliases: list[AliasOut]


class NominalPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[NominalSummary]


class ListParams(Schema):
    q: str = ""
    hub: int | None = Field(None, ge=1, le=MAX_ID)
    phase: Phase | None = None
    state: MembershipState | None = None
    establishment: int | None = Field(None, ge=1, le=MAX_ID)
    sort: str = Field("name", description=f"One of {', '.join(SORTS)}")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class ReferIn(PlainTextIn):
    given_names: str
    family_name: str
    date_of_birth: date
    sex: str = Field(description="M, F or U")
    data_subject_category: str
    owner_hub_id: int
    rationale: str
    ethnicity_self: str = "NS"
    ethnicity_officer: str = "IC9"
    nationality: str = "British"
    religion: str = ""
    classification: str = "OFFICIAL-SENSITIVE"
    lead_officer_id: int | None = None
    pnc: str = ""
    cro: str = ""
    nomis: str = ""
    crn: str = ""


def _summary(n: Nominal, phase: str | None = None) -> dict[str, Any]:
    return {
        "id": n.pk,
        "reference": n.reference,
        "given_names": n.given_names,
        "family_name": n.family_name,
        "date_of_birth": n.date_of_birth,
        "owner_hub": n.owner_hub.name,
        "membership_state": n.membership_state,
        "phase": phase or nominal_phase(n).value,
        "establishment": n.current_establishment.code if n.current_establishment else None,
        "expected_release_date": n.expected_release_date,
    }


def _page(request: HttpRequest, params: ListParams, surface: str) -> dict[str, Any]:
    actor = _actor(request)
    if not access.may(actor, "cohort.view"):
        return {"count": 0, "page": params.page, "page_size": params.page_size, "results": []}
    if params.sort not in SORTS:
        raise ValidationFailed({"sort": f"Choose one of {', '.join(SORTS)}"})
    qs = nominal_list(
        actor=actor,
        filters=CohortFilters(
            query=params.q,
            hub_id=params.hub,
            phase=params.phase.value if params.phase else "",
            membership_state=params.state.value if params.state else "",
            establishment_id=params.establishment,
            sort=params.sort,
        ),
    )
    start = (params.page - 1) * params.page_size
    rows = list(qs[start : start + params.page_size])
    services.nominal_list_consult(
        actor=actor,
        nominal_ids=[n.pk for n in rows],
        purpose="Cohort list (API)",
        surface=surface,
        query={k: str(v) for k, v in params.dict().items() if v not in (None, "")},
    )
    return {
        "count": qs.count(),
        "page": params.page,
        "page_size": params.page_size,
        "results": [_summary(n, getattr(n, "phase", None)) for n in rows],
    }


@router.get("/nominals", response=NominalPage, summary="List the nominals you may see")
def list_nominals(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    return _page(request, params, "api")


@router.get("/nominals/search", response=NominalPage, summary="Search by name, alias or identifier")
def search_nominals(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    if not params.q.strip():
        raise ValidationFailed({"q": "Enter a name, alias or identifier to search for"})
    return _page(request, params, "api_search")


def _detail(n: Nominal) -> dict[str, Any]:
    return _summary(n) | {
        "sex": n.sex,
        "ethnicity_self": n.ethnicity_self,
        "ethnicity_officer": n.ethnicity_officer,
        "nationality": n.nationality,
        "religion": n.religion,
        "data_subject_category": n.data_subject_category,
        "classification": n.classification,
        "lead_officer": str(n.lead_officer) if n.lead_officer else None,
        "licence_end_date": n.licence_end_date,
        "identifiers": [{"id_type": i.id_type, "value": i.value} for i in n.identifiers.all()],
        "aliases": [
            {
                "alias_type": a.alias_type,
                "given_names": a.given_names,
                "family_name": a.family_name,
                "date_of_birth": a.date_of_birth,
            }
            for a in n.aliases.all()
        ],
    }


@router.get(
    "/nominals/{nominal_id}",
    response={200: NominalDetail, 404: ApiError, 422: ApiError},
    summary="One nominal (a purpose is required and logged)",
)
def get_nominal(request: HttpRequest, nominal_id: int, purpose: str = "") -> Any:
    if nominal_id > MAX_ID:
        return Status(404, NOT_FOUND)
    actor = _actor(request)
    nominal = access_nominal_by_id(actor=actor, nominal_id=nominal_id)
    services.nominal_consult(actor=actor, nominal=nominal, purpose=required_purpose(purpose), surface="api")
    return Status(200, _detail(nominal))


@router.post(
    "/nominals",
    response={201: NominalDetail, 403: ApiError, 422: ApiError},
    summary="Refer a person to a hub's cohort",
)
def refer_nominal(request: HttpRequest, payload: ReferIn) -> Any:
    actor = _actor(request)
    if not access.may(actor, "nominal.refer"):
        raise PermissionDenied("You cannot refer people")
    data = services.NominalInput(
        given_names=payload.given_names,
        family_name=payload.family_name,
        date_of_birth=payload.date_of_birth,
        sex=payload.sex,
        data_subject_category=payload.data_subject_category,
        owner_hub_id=payload.owner_hub_id,
        ethnicity_self=payload.ethnicity_self,
        ethnicity_officer=payload.ethnicity_officer,
        nationality=payload.nationality,
        religion=payload.religion,
        classification=payload.classification,
        lead_officer_id=payload.lead_officer_id,
    )
    nominal = services.nominal_refer(
        actor=actor,
        data=data,
        rationale=payload.rationale,
        identifiers=[
            ("PNC", payload.pnc),
            ("CRO", payload.cro),
            ("NOMIS", payload.nomis),
            ("CRN", payload.crn),
        ],
    )
    return Status(201, _detail(nominal))
