"""Intelligence endpoints: search, one item (purpose required), agreements, nominal summaries (list and one,
purpose required), and the two writes: record an item and share one. The same selectors, services, policy and audit as the pages; a missing and a forbidden
item both answer 404, a write the policy refuses 403, bad input 422 with the errors by field."""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from marsoc.core import access
from marsoc.core.api_common import PageOut, fields_of, may_write, page_body, window
from marsoc.core.api_errors import MAX_ID, ApiError
from marsoc.core.api_fields import Day, Id, OptionalText, Purpose, Text
from marsoc.core.vocabulary import Classification
from marsoc.core.web import actor as _actor
from marsoc.nominals.vocabulary import DataSubjectCategory
from marsoc.sharing.vocabulary import DataCategory, ProcessingPurpose

from . import services
from . import vocabulary as grading
from .models import IntelItem, SummaryDisclosure
from .selectors import (
    access_item_by_id,
    access_summary_by_id,
    agreement_list,
    deconfliction,
    search_page,
    summary_items,
    summary_list,
)

router = Router(tags=["intelligence"])


class GradedItem(Schema):
    """What a search row and a summary's item share (not a component of its own: never answered alone)."""

    id: int
    reference: str
    grade: str
    conditions: list[str]
    classification: str
    intelligence_date: date


class ItemSummary(GradedItem):
    owner_hub: str
    originating_agency: str


class ItemDetail(ItemSummary):
    text: str
    source_evaluation: str
    intelligence_assessment: str
    handling_code: str
    legacy_grade: str
    purpose: str
    data_category: str
    subjects: list[dict[str, str | int]]


class Interest(Schema):
    message: str


class ItemPage(PageOut):
    results: list[ItemSummary]
    interests: list[Interest]


class SearchParams(Schema):
    q: str = Field("", max_length=100)
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class AgreementOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    parties: list[str]
    purposes: list[str]
    data_categories: list[str]
    max_classification: str
    onward_sharing: str
    retention: str
    starts_on: date
    ends_on: date | None


class SubjectIn(Schema):
    nominal_id: Id = Field(description="A person whose record you can see, once")
    category: DataSubjectCategory = Field(description="The person's category of data subject (s.38(3))")


class ItemIn(Schema):
    """Checked by the same service as the page: each rule's error comes back against its field."""

    subjects: list[SubjectIn] = Field(..., min_length=1, max_length=50)
    text: Text(services.MAX_TEXT, "The intelligence")  # type: ignore[valid-type]
    intelligence_date: Day = Field(description="Today or in the past, after 1 January 1900")
    owner_hub_id: Id = Field(description="Your own hub unless you work for the national team")
    classification: Classification = Field(description="At most your clearance")
    source_evaluation: grading.SourceEvaluation
    intelligence_assessment: grading.IntelligenceAssessment
    handling_code: grading.HandlingCode
    conditions: list[grading.HandlingCondition] = Field(
        [],
        max_length=5,
        description="Only with handling code C, which needs at least one: one of A1-A3, S1 or S2",
    )
    purpose: ProcessingPurpose
    data_category: DataCategory
    record_group: grading.RecordGroup = grading.RecordGroup.GROUP_3
    legacy_source: grading.LegacySource | Literal[""] = Field(
        "", description="All three legacy parts, or none"
    )
    legacy_intelligence: grading.LegacyIntelligence | Literal[""] = ""
    legacy_handling: grading.LegacyHandling | Literal[""] = ""


class ShareIn(Schema):
    recipient_agency_id: int | None = Field(None, ge=1, le=MAX_ID)
    agreement_id: int | None = Field(None, ge=1, le=MAX_ID)
    purpose: OptionalText(1000) = ""  # type: ignore[valid-type]


class ShareOut(Schema):
    outcome: str = Field(
        ..., description="disclosed, or consent_requested (a C item: the originator decides)"
    )
    disclosure_id: int | None
    consent_request_id: int | None
    recipient_agency: str
    agreement: str


def _graded(item: IntelItem) -> dict[str, Any]:
    """What a search row and a summary's item both show (a summary's items leave out the owning hub)."""
    return fields_of(
        item,
        SummaryItem,
        grade=f"[{item.grade}]",
        conditions=list(item.conditions or []),
        originating_agency=item.originating_agency.name,
    )


def _summary(item: IntelItem) -> dict[str, Any]:
    return _graded(item) | {"owner_hub": item.owner_hub.name}


@router.get("/intelligence", response=ItemPage, summary="Search the intelligence you may see")
def search_items(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    actor = _actor(request)
    if not access.may(actor, "intelligence.view"):
        return page_body(0, params.page, params.page_size, []) | {"interests": []}
    result = search_page(
        actor=actor, query=params.q, page=params.page, page_size=params.page_size, clamp=False
    )
    rows = result.object_list
    services.item_list_consult(
        actor=actor, items=rows, purpose="Intelligence search (API)", surface="api", query={"q": params.q}
    )
    interests = []
    for notice in deconfliction(actor=actor, query=params.q) if params.q.strip() else []:
        services.deconfliction_log(
            actor=actor, query=params.q, hub_name=notice.hub_name, nominal_ids=notice.nominal_ids
        )
        contact = ", ".join(x for x in (notice.contact_name, notice.contact_email, notice.contact_phone) if x)
        interests.append(
            {
                "message": f"Another agency holds an interest — contact {notice.hub_name}"
                + (f": {contact}" if contact else "")
            }
        )
    return page_body(result.count, result.number, params.page_size, [_summary(i) for i in rows]) | {
        "interests": interests
    }


@router.get(
    "/intelligence/{item_id}",
    response={200: ItemDetail, 404: ApiError, 422: ApiError},
    summary="One item (a purpose is required and logged)",
)
def get_item(request: HttpRequest, item_id: int, purpose: Purpose) -> Any:
    actor = _actor(request)
    item = access_item_by_id(actor=actor, item_id=item_id)
    services.item_consult(actor=actor, item=item, purpose=purpose, surface="api")
    return _detail(item)


def _detail(item: IntelItem) -> dict[str, Any]:
    return _summary(item) | {
        "text": "" if item.erased_at else item.text,
        "source_evaluation": item.source_evaluation,
        "intelligence_assessment": item.intelligence_assessment,
        "handling_code": item.handling_code,
        "legacy_grade": item.legacy_grade,
        "purpose": item.purpose,
        "data_category": item.data_category,
        "subjects": [
            {
                "nominal_id": s.nominal_id,
                "reference": s.nominal.reference,
                "category": s.data_subject_category,
            }
            for s in item.subjects.select_related("nominal")
        ],
    }


@router.post(
    "/intelligence",
    response={201: ItemDetail, 403: ApiError, 422: ApiError},
    summary="Record a graded item (the same checks and audit as the page)",
)
def record_item(request: HttpRequest, payload: ItemIn) -> Any:
    actor = may_write(request, "intel_item.record", "You cannot record intelligence")
    data = services.ItemInput(
        **payload.dict(exclude={"subjects"}), subjects=[(s.nominal_id, s.category) for s in payload.subjects]
    )
    item = services.item_record(actor=actor, data=data)
    return Status(201, _detail(access_item_by_id(actor=actor, item_id=item.pk)))


@router.post(
    "/intelligence/{item_id}/share",
    response={201: ShareOut, 403: ApiError, 404: ApiError, 422: ApiError},
    summary="Share an item with an agency under an agreement (a C item may become a consent request)",
)
def share_item(request: HttpRequest, item_id: int, payload: ShareIn) -> Any:
    actor = _actor(request)
    item = access_item_by_id(actor=actor, item_id=item_id)
    outcome = services.item_disseminate(actor=actor, item=item, **payload.dict())
    made = outcome.disclosure or outcome.consent_request
    assert made is not None
    return Status(
        201,
        {
            "outcome": "disclosed" if outcome.disclosure else "consent_requested",
            "disclosure_id": outcome.disclosure.pk if outcome.disclosure else None,
            "consent_request_id": outcome.consent_request.pk if outcome.consent_request else None,
            "recipient_agency": made.recipient_agency.name,
            "agreement": made.agreement.reference,
        },
    )


@router.get("/agreements", response=list[AgreementOut], summary="Information-sharing agreements you may read")
def list_agreements(request: HttpRequest) -> list[dict[str, Any]]:
    actor = _actor(request)
    if not access.may(actor, "agreement.list"):
        return []
    return [
        {
            "id": a.pk,
            "reference": a.reference,
            "title": a.title,
            "status": a.status,
            "parties": sorted(p.code for p in a.parties.all()),
            "purposes": a.purpose_codes,
            "data_categories": a.category_codes,
            "max_classification": a.max_classification,
            "onward_sharing": a.onward_sharing,
            "retention": a.retention,
            "starts_on": a.starts_on,
            "ends_on": a.ends_on,
        }
        for a in agreement_list(actor=actor)
    ]


# --- nominal summaries ------------------------------------------------------------------------------------


class SummaryRow(Schema):
    id: int
    reference: str
    person: str = Field(..., description="The MARSOC reference, with the name if identifying details went")
    nominal_reference: str
    sharing_agency: str
    owner_hub: str
    recipient_agency: str
    agreement: str
    purpose: str
    classification: str
    disclosed_at: datetime


class SummaryPage(PageOut):
    results: list[SummaryRow]


class SummaryItem(GradedItem):
    originating_agency: str


class SummaryDetail(SummaryRow):
    reason: str
    identity: dict[str, Any] | None
    status: dict[str, Any] | None
    items: list[SummaryItem]
    record: dict[str, Any] | None = Field(
        None, description="For the disclosing hub only: what was left out, withheld or sent for consent"
    )


class SummaryPageParams(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


def _summary_row(summary: SummaryDisclosure) -> dict[str, Any]:
    return {
        "id": summary.pk,
        "reference": summary.reference,
        "person": summary.display_name,
        "nominal_reference": str(summary.snapshot.get("reference", "")),
        "sharing_agency": summary.sharing_agency.name,
        "owner_hub": summary.owner_hub.name,
        "recipient_agency": summary.recipient_agency.name,
        "agreement": summary.agreement.reference,
        "purpose": summary.purpose,
        "classification": summary.classification,
        "disclosed_at": summary.disclosed_at,
    }


@router.get("/summaries", response=SummaryPage, summary="Nominal summaries you may see")
def list_summaries(request: HttpRequest, params: Query[SummaryPageParams]) -> dict[str, Any]:
    """Received by your agency (while the agreement is in force and covers them) or shared by your hub."""
    actor = _actor(request)
    if not access.may(actor, "intelligence.view"):
        return page_body(0, params.page, params.page_size, [])
    qs = summary_list(actor=actor)
    rows = window(qs, params.page, params.page_size)
    services.summary_list_consult(
        actor=actor, summaries=rows, purpose="Nominal summaries (API)", surface="api"
    )
    return page_body(qs.count(), params.page, params.page_size, [_summary_row(s) for s in rows])


@router.get(
    "/summaries/{summary_id}",
    response={200: SummaryDetail, 404: ApiError, 422: ApiError},
    summary="One nominal summary (a purpose is required and logged)",
)
def get_summary(request: HttpRequest, summary_id: int, purpose: Purpose) -> Any:
    actor = _actor(request)
    summary = access_summary_by_id(actor=actor, summary_id=summary_id)
    services.summary_consult(actor=actor, summary=summary, purpose=purpose, surface="api")
    items = summary_items(actor=actor, summary=summary)
    return _summary_row(summary) | {
        "reason": summary.reason,
        "identity": summary.snapshot.get("identity"),
        "status": summary.snapshot.get("status"),
        "items": [_graded(i) for i in items],
        "record": summary.record if access.may(actor, "summary.owner_side", summary) else None,
    }
