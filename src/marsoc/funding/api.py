"""Funding endpoints (read): grants with the seed's table rebuilt from the posts, their claims and the
forecast; one claim with its lines; decision records (Part 1 only: Part 2 is never served here); the
governance register with each agreement's sign-off. The same selectors, façade and audit as the pages:
a missing and a hidden record both answer 404. Amounts are integer pence."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from marsoc.core import access
from marsoc.core.api_common import fields_of
from marsoc.core.api_errors import ApiError
from marsoc.core.errors import NotFoundOrForbidden
from marsoc.core.web import actor as _actor

from . import services
from .models import Claim, DecisionRecord, Grant
from .selectors import (
    access_claim_by_id,
    access_decision_by_id,
    access_grant_by_id,
    decision_list,
    governance_agreements,
    governance_register,
    grant_list,
    grant_summary,
)

router = Router(tags=["funding"])


class GrantOut(Schema):
    id: int
    reference: str
    title: str
    funder: str
    recipient: str
    hub: str
    amount_pence: int
    starts_on: date
    ends_on: date


class GrantYearOut(Schema):
    label: str
    salary_pence: int
    overhead_pence: int
    components_pence: int
    stated_total_pence: int
    stated_quarterly_pence: int
    rounding_pence: int


class GrantClaimOut(Schema):
    id: int
    quarter: int
    starts_on: date
    ends_on: date
    state: str
    eligible_pence: int
    actual_pence: int | None
    variance_pence: int | None
    variance_explanation: str
    claimed_pence: int
    invoice_number: str
    paid_on: date | None
    paid_pence: int | None


class GrantQuarterOut(Schema):
    quarter: int
    starts_on: date
    ends_on: date
    claim_id: int | None
    amount_pence: int
    forecast: bool
    remaining_after_pence: int


class GrantDetailOut(GrantOut):
    years: list[GrantYearOut]
    claims: list[GrantClaimOut]
    quarters: list[GrantQuarterOut]
    committed_pence: int
    remaining_pence: int


class ClaimLineOut(Schema):
    role: str
    grade: str
    days_held: int
    days_in_quarter: int
    eligible_pence: int
    actual_pence: int | None


class ClaimDetailOut(GrantClaimOut):
    grant_id: int
    lines: list[ClaimLineOut]


class DecisionOut(Schema):
    id: int
    reference: str
    title: str
    state: str
    executive_summary: str
    recommendation: str
    decision_maker_title: str
    decide_by: date | None
    approved_on: date | None
    published: bool
    deferred_until: date | None


class DeclarationOut(Schema):
    kind: str
    statement: str
    ticked_by: str
    ticked_on: date | None


class DecisionDetailOut(DecisionOut):
    part1_body: str
    interest_declaration: str
    declarations: list[DeclarationOut]


class GovernanceAssessmentOut(Schema):
    kind: str
    reference: str
    title: str
    status: str
    owner: str
    review_due_on: date
    review_overdue: bool


class SignOffOut(Schema):
    agency: str
    signed_by: str | None
    signed_on: date | None


class RegisterAgreementOut(Schema):
    reference: str
    title: str
    in_force: bool
    not_in_force_reason: str
    parties: list[SignOffOut]


class GovernanceOut(Schema):
    assessments: list[GovernanceAssessmentOut]
    agreements: list[RegisterAgreementOut]


def _grant(g: Grant) -> dict[str, Any]:
    return fields_of(g, GrantOut, hub=g.hub.name if g.hub_id else "")


def _claim(c: Claim) -> dict[str, Any]:
    return fields_of(c, GrantClaimOut, quarter=c.number)


def _decision(d: DecisionRecord) -> dict[str, Any]:
    return fields_of(d, DecisionOut, published=d.published_at is not None)


def _require(request: HttpRequest, rule: str) -> Any:
    actor = _actor(request)
    if not access.may(actor, rule):
        raise NotFoundOrForbidden(rule)
    return actor


@router.get("/funding/grants", response={200: list[GrantOut]}, summary="Grants you may read")
def list_grants(request: HttpRequest) -> list[dict[str, Any]]:
    actor = _require(request, "funding.view")
    return [_grant(g) for g in grant_list(actor=actor)]


@router.get(
    "/funding/grants/{grant_id}",
    response={200: GrantDetailOut, 404: ApiError},
    summary="One grant: its years as printed and rebuilt from the posts, its claims and the forecast",
)
def get_grant(request: HttpRequest, grant_id: int) -> dict[str, Any]:
    actor = _actor(request)
    grant = access_grant_by_id(actor=actor, grant_id=grant_id)
    summary = grant_summary(grant=grant)
    services.grant_view_record(actor=actor, grant=grant, surface="api")
    years = [
        {
            "label": t.label, "salary_pence": t.salary_pence, "overhead_pence": t.overhead_pence,
            "components_pence": t.components_pence, "stated_total_pence": t.stated_total_pence,
            "stated_quarterly_pence": t.stated_quarterly_pence, "rounding_pence": t.rounding_pence,
        }
        for t in summary.tables
    ]  # fmt: skip
    quarters = [
        {
            "quarter": r.quarter.number, "starts_on": r.quarter.starts_on, "ends_on": r.quarter.ends_on,
            "claim_id": r.claim.pk if r.claim else None, "amount_pence": r.amount_pence, "forecast": r.forecast,
            "remaining_after_pence": r.remaining_after_pence,
        }
        for r in summary.forecast
    ]  # fmt: skip
    return _grant(grant) | {
        "years": years,
        "claims": [_claim(c) for c in summary.claims],
        "quarters": quarters,
        "committed_pence": summary.committed_pence,
        "remaining_pence": summary.remaining_pence,
    }


@router.get(
    "/funding/claims/{claim_id}",
    response={200: ClaimDetailOut, 404: ApiError},
    summary="One quarterly claim with the eligible and actual cost of each post",
)
def get_claim(request: HttpRequest, claim_id: int) -> dict[str, Any]:
    actor = _actor(request)
    claim = access_claim_by_id(actor=actor, claim_id=claim_id)
    services.grant_view_record(actor=actor, grant=claim.grant, surface="api claim")
    lines = [
        {"role": line.post.role, "grade": line.post.grade, "days_held": line.days_held,
         "days_in_quarter": line.days_in_quarter, "eligible_pence": line.eligible_pence,
         "actual_pence": line.actual_pence}
        for line in claim.lines.select_related("post")
    ]  # fmt: skip
    return _claim(claim) | {"grant_id": claim.grant_id, "lines": lines}


@router.get("/funding/decisions", response={200: list[DecisionOut]}, summary="Decision records (Part 1)")
def list_decisions(request: HttpRequest) -> list[dict[str, Any]]:
    actor = _require(request, "decision.view")
    return [_decision(d) for d in decision_list(actor=actor)]


@router.get(
    "/funding/decisions/{decision_id}",
    response={200: DecisionDetailOut, 404: ApiError},
    summary="One decision record: Part 1 and its declarations (Part 2 is never served by the API)",
)
def get_decision(request: HttpRequest, decision_id: int) -> dict[str, Any]:
    actor = _actor(request)
    decision = access_decision_by_id(actor=actor, decision_id=decision_id)
    services.decision_view_record(actor=actor, decision=decision, part2=False, surface="api")
    declarations = [
        {"kind": d.kind, "statement": d.statement, "ticked_on": d.ticked_on,
         "ticked_by": (d.ticked_by.get_full_name() or d.ticked_by.username) if d.ticked_by else ""}
        for d in decision.declarations.all()
    ]  # fmt: skip
    return _decision(decision) | {
        "part1_body": decision.part1_body,
        "interest_declaration": decision.interest_declaration,
        "declarations": declarations,
    }


@router.get(
    "/funding/governance",
    response={200: GovernanceOut, 404: ApiError},
    summary="The governance register: DPIAs, equality impact assessments and agreements' sign-off",
)
def get_governance(request: HttpRequest) -> dict[str, Any]:
    actor = _require(request, "governance.view")
    rows = governance_register(actor=actor)
    agreements = governance_agreements(actor=actor)
    services.governance_view_record(actor=actor, surface="api")
    return {
        "assessments": [
            {"kind": "dpia" if r.is_dpia else "equality_impact_assessment", "reference": r.record.reference,
             "title": r.record.title, "status": r.status, "owner": r.owner, "review_due_on": r.review_due_on,
             "review_overdue": r.overdue}
            for r in rows
        ],
        "agreements": [
            {"reference": a.agreement.reference, "title": a.agreement.title, "in_force": not a.not_in_force,
             "not_in_force_reason": a.not_in_force,
             "parties": [{"agency": p.agency.name, "signed_by": p.sign_off.signed_by if p.sign_off else None,
                          "signed_on": p.sign_off.signed_on if p.sign_off else None} for p in a.parties]}
            for a in agreements
        ],
    }  # fmt: skip
