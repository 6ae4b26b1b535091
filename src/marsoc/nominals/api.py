"""Nominal endpoints: list, search, get and refer. The same selectors, services, policy and audit as the
pages; missing and forbidden both answer 404."""

from datetime import date
from enum import StrEnum
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from marsoc.core import access
from marsoc.core.api_common import PageOut, may_write, page_body, window
from marsoc.core.api_errors import MAX_ID, ApiError
from marsoc.core.api_fields import Id, IdentifierText, Name, Purpose, Text
from marsoc.core.identifiers import IdentifierType
from marsoc.core.vocabulary import Classification
from marsoc.core.web import actor as _actor

from . import services
from .models import Nominal
from .selectors import SORTS, CohortFilters, access_nominal_by_id, nominal_list, nominal_phase
from .vocabulary import (
    DataSubjectCategory,
    MembershipState,
    OfficerDefinedEthnicity,
    Phase,
    Religion,
    SelfDefinedEthnicity,
    Sex,
)

router = Router(tags=["nominals"])
MAX_PAGE_SIZE = 200
IDENTIFIERS = ("pnc", "cro", "nomis", "crn")  # the fields of ReferIn, in the order they are recorded


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


class NominalPage(PageOut):
    results: list[NominalSummary]


Sort = StrEnum("Sort", {key: key for key in SORTS})  # type: ignore[misc]  # the selector's keys


class ListParams(Schema):
    q: str = Field("", max_length=200)
    hub: int | None = Field(None, ge=1, le=MAX_ID)
    phase: Phase | None = None
    state: MembershipState | None = None
    establishment: int | None = Field(None, ge=1, le=MAX_ID)
    sort: Sort = Field(
        Sort("name"),
        description="The column the list is sorted by, a minus sign first for the reverse; by name (the "
        "default) a search lists the best match first",
    )
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class NominalSearchParams(ListParams):
    q: Text(200, "A name, alias or identifier")  # type: ignore[valid-type]


class ReferIn(Schema):
    given_names: Name(100)  # type: ignore[valid-type]
    family_name: Name(100)  # type: ignore[valid-type]
    date_of_birth: date = Field(description="In the past, after 1 January 1900")
    sex: Sex
    data_subject_category: DataSubjectCategory
    owner_hub_id: Id = Field(description="Your own hub, unless you work for the national team")
    rationale: Text(2000, "Why this person is being referred")  # type: ignore[valid-type]
    ethnicity_self: SelfDefinedEthnicity = SelfDefinedEthnicity.NS
    ethnicity_officer: OfficerDefinedEthnicity = OfficerDefinedEthnicity.IC9
    nationality: Text(100) = "British"  # type: ignore[valid-type]
    religion: Religion = Religion.NOT_RECORDED
    classification: Classification = Field(
        Classification.OFFICIAL_SENSITIVE, description="At most your own clearance"
    )
    lead_officer_id: Id | None = None
    pnc: IdentifierText(IdentifierType.PNC, "A PNC ID with its check letter") = ""  # type: ignore[valid-type]
    cro: IdentifierText(IdentifierType.CRO, "A CRO number with its check letter") = ""  # type: ignore[valid-type]
    nomis: IdentifierText(IdentifierType.NOMIS, "A NOMIS prison number, e.g. A1234BC") = ""  # type: ignore[valid-type]
    crn: IdentifierText(IdentifierType.CRN, "A Delius CRN, e.g. X123456") = ""  # type: ignore[valid-type]


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
        return page_body(0, params.page, params.page_size, [])
    qs = nominal_list(
        actor=actor,
        filters=CohortFilters(
            query=params.q,
            hub_id=params.hub,
            phase=params.phase.value if params.phase else "",
            membership_state=params.state.value if params.state else "",
            establishment_id=params.establishment,
            # "name", the default, keeps the best match first when searching (as the page does unsorted).
            sort="" if params.sort.value == "name" else str(params.sort.value),
        ),
    )
    rows = window(qs, params.page, params.page_size)
    services.nominal_list_consult(
        actor=actor,
        nominal_ids=[n.pk for n in rows],
        purpose="Cohort list (API)",
        surface=surface,
        query={k: str(v) for k, v in params.dict().items() if v not in (None, "")},
    )
    return page_body(
        qs.count(), params.page, params.page_size, [_summary(n, getattr(n, "phase", None)) for n in rows]
    )


@router.get("/nominals", response=NominalPage, summary="List the nominals you may see")
def list_nominals(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    return _page(request, params, "api")


@router.get("/nominals/search", response=NominalPage, summary="Search by name, alias or identifier")
def search_nominals(request: HttpRequest, params: Query[NominalSearchParams]) -> dict[str, Any]:
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
def get_nominal(request: HttpRequest, nominal_id: int, purpose: Purpose) -> Any:
    actor = _actor(request)
    nominal = access_nominal_by_id(actor=actor, nominal_id=nominal_id)
    services.nominal_consult(actor=actor, nominal=nominal, purpose=purpose, surface="api")
    return _detail(nominal)


@router.post(
    "/nominals",
    response={201: NominalDetail, 403: ApiError, 422: ApiError},
    summary="Refer a person to a hub's cohort",
)
def refer_nominal(request: HttpRequest, payload: ReferIn) -> Any:
    actor = may_write(request, "nominal.refer", "You cannot refer people")
    data = services.NominalInput(**payload.dict(exclude={"rationale", *IDENTIFIERS}))
    nominal = services.nominal_refer(
        actor=actor,
        data=data,
        rationale=payload.rationale,
        identifiers=[(field.upper(), getattr(payload, field)) for field in IDENTIFIERS],
    )
    return Status(201, _detail(nominal))
