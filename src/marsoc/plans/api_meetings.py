"""Meeting and order endpoints (issue 15): a hub's tasking meetings with their agenda, record and packs;
a person's civil and ancillary orders and their breaches. The same selectors, services, policy and s.62
records as the pages; a meeting or person out of reach answers 404, as a missing one does."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.api_fields import Day, Id, OptionalText, Purpose, Text
from marsoc.core.web import actor as _actor
from marsoc.nominals.models import Nominal
from marsoc.nominals.selectors import access_nominal_by_id
from marsoc.nominals.services import nominal_consult

from . import pdf, records
from .api import CreatedOut
from .models import Meeting, Order
from .selectors import (
    access_meeting_by_id,
    access_order_by_id,
    meeting_agenda,
    meeting_record,
    meetings_visible,
    orders_of,
)
from .services import orders
from .vocabulary import OrderType

router = Router(tags=["meetings and orders"])
PDF = {
    200: {
        "description": "The PDF",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}

OrderKind = StrEnum("OrderKind", {code: code for code in OrderType.values})  # type: ignore[misc]


class MeetingSummary(Schema):
    id: int
    hub: str
    held_on: date
    title: str
    status: str = Field(description="scheduled or held")
    status_label: str


class AttendanceOut(Schema):
    agency: str
    attendee: str


class MeetingDecisionOut(Schema):
    text: str
    nominal_id: int | None


class AgendaOut(Schema):
    since: date = Field(description="Changes since the hub's previous meeting (or the last 28 days)")
    referrals: list[int] = Field(description="People (nominal ids) referred since then")
    adoptions: list[int]
    tier_changes: list[int]
    overdue_actions: list[int] = Field(description="Action ids past their due date")
    reviews_due: list[int]
    releases_without_plan: list[int]
    claims_to_validate: list[int] = Field(description="Outcome claim ids awaiting validation")
    orders_expiring: list[int] = Field(description="Order ids ending by the meeting date")


class MeetingOut(MeetingSummary):
    minutes: str
    attendance: list[AttendanceOut]
    decisions: list[MeetingDecisionOut]
    agenda: AgendaOut


class BreachOut(Schema):
    occurred_on: date
    details: str
    reported_at: datetime


class OrderOut(Schema):
    id: int
    order_type: str
    order_type_label: str
    start_date: date
    end_date: date
    conditions: str
    recorded_at: datetime
    breaches: list[BreachOut]


class OrderIn(Schema):
    order_type: OrderKind
    start_date: Day = Field(description="In force already: today or earlier")
    end_date: Day = Field(description="After the start date")
    conditions: OptionalText(4000) = ""  # type: ignore[valid-type]


class BreachIn(Schema):
    occurred_on: Day = Field(description="Not in the future, and while the order was in force")
    details: Text(4000, "What happened")  # type: ignore[valid-type]


def _summary(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "hub": m.hub.code,
        "held_on": m.held_on,
        "title": m.title,
        "status": m.status,
        "status_label": m.get_status_display(),
    }


@router.get("/meetings", response=list[MeetingSummary], summary="Tasking meetings you may see, latest first")
def list_meetings(request: HttpRequest) -> list[dict[str, Any]]:
    actor = _actor(request)
    access.require(actor, "meeting.list")
    return [_summary(m) for m in meetings_visible(actor=actor).order_by("-held_on", "-id")[:200]]


@router.get(
    "/meetings/{meeting_id}",
    response=MeetingOut,
    summary="One meeting: its agenda generated from the records, attendance, decisions and minutes",
)
def get_meeting(request: HttpRequest, meeting_id: Id) -> dict[str, Any]:
    actor = _actor(request)
    meeting = access_meeting_by_id(actor=actor, meeting_id=meeting_id)
    agenda = meeting_agenda(actor=actor, meeting=meeting)
    record = meeting_record(actor=actor, meeting=meeting)
    records.meeting_consult(
        actor=actor, meeting=meeting, nominal_ids={*agenda.nominal_ids(), *record.nominal_ids()}
    )
    return {
        **_summary(meeting),
        "minutes": meeting.minutes,
        "attendance": [
            {"agency": a.agency.name, "attendee": a.attendee}
            for a in meeting.attendance.select_related("agency")
        ],
        "decisions": [{"text": d.text, "nominal_id": d.nominal_id} for d in record.decisions],
        "agenda": {
            "since": agenda.since,
            "referrals": [c.nominal_id for c in agenda.referrals],
            "adoptions": [c.nominal_id for c in agenda.adoptions],
            "tier_changes": [d.nominal_id for d in agenda.tier_changes],
            "overdue_actions": [a.pk for a in agenda.overdue_actions],
            "reviews_due": [s.nominal_id for s in agenda.reviews_due],
            "releases_without_plan": [r.nominal.pk for r in agenda.releases_without_plan],
            "claims_to_validate": [o.pk for o in agenda.unvalidated],
            "orders_expiring": [o.pk for o in agenda.orders_expiring],
        },
    }


def _pdf(actor: User, meeting: Meeting, kind: str) -> HttpResponse:
    if kind == "pack":
        agenda = meeting_agenda(actor=actor, meeting=meeting)
        content, ids, why = pdf.meeting_pack_pdf(meeting, agenda), agenda.nominal_ids(), "Meeting pack"
    else:
        record = meeting_record(actor=actor, meeting=meeting)
        content, ids, why = pdf.meeting_minutes_pdf(meeting, record), record.nominal_ids(), "Meeting minutes"
    records.meeting_pdf_disclose(
        actor=actor, meeting=meeting, kind=kind, justification=f"{why} (API)", nominal_ids=ids
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="marsoc-meeting-{meeting.pk}-{kind}.pdf"'
    return response


@router.get(
    "/meetings/{meeting_id}/pack.pdf",
    openapi_extra={"responses": PDF},
    summary="The meeting pack as PDF (a disclosure to you of every person in it)",
)
def get_meeting_pack(request: HttpRequest, meeting_id: Id) -> HttpResponse:
    actor = _actor(request)
    return _pdf(actor, access_meeting_by_id(actor=actor, meeting_id=meeting_id), "pack")


@router.get(
    "/meetings/{meeting_id}/minutes.pdf",
    openapi_extra={"responses": PDF},
    summary="The minutes as PDF: who attended and what was decided",
)
def get_meeting_minutes(request: HttpRequest, meeting_id: Id) -> HttpResponse:
    actor = _actor(request)
    return _pdf(actor, access_meeting_by_id(actor=actor, meeting_id=meeting_id), "minutes")


def _order(o: Order) -> dict[str, Any]:
    return {
        "id": o.pk,
        "order_type": o.order_type,
        "order_type_label": o.get_order_type_display(),
        "start_date": o.start_date,
        "end_date": o.end_date,
        "conditions": o.conditions,
        "recorded_at": o.recorded_at,
        "breaches": [
            {"occurred_on": b.occurred_on, "details": b.details, "reported_at": b.reported_at}
            for b in o.breaches.order_by("occurred_on", "id")
        ],
    }


def _person(actor: User, nominal_id: int) -> Nominal:
    nominal = access_nominal_by_id(actor=actor, nominal_id=nominal_id)
    access.require(actor, "plan.view", nominal)  # orders are plan records: seen with the plan
    return nominal


@router.get(
    "/nominals/{nominal_id}/orders",
    response=list[OrderOut],
    summary="A person's civil and ancillary orders with their breaches (a purpose is required and logged)",
)
def list_orders(request: HttpRequest, nominal_id: Id, purpose: Purpose) -> list[dict[str, Any]]:
    actor = _actor(request)
    nominal = _person(actor, nominal_id)
    rows = list(orders_of(actor=actor, nominal=nominal))
    nominal_consult(actor=actor, nominal=nominal, purpose=purpose, surface="api.orders")
    return [_order(o) for o in rows]


@router.post(
    "/nominals/{nominal_id}/orders", response={201: CreatedOut}, summary="Record an order now in force"
)
def record_order(request: HttpRequest, nominal_id: Id, payload: OrderIn) -> Any:
    actor = _actor(request)
    order = orders.order_record(
        actor=actor,
        nominal=_person(actor, nominal_id),
        order_type=str(payload.order_type),
        start_date=payload.start_date,
        end_date=payload.end_date,
        conditions=payload.conditions,
    )
    return Status(201, {"id": order.pk})


@router.post(
    "/nominals/{nominal_id}/orders/{order_id}/breaches",
    response={201: CreatedOut},
    summary="Report a breach of an order",
)
def report_breach(request: HttpRequest, nominal_id: Id, order_id: Id, payload: BreachIn) -> Any:
    actor = _actor(request)
    nominal = _person(actor, nominal_id)
    order = access_order_by_id(actor=actor, nominal=nominal, order_id=order_id)
    breach = orders.order_breach_report(actor=actor, order=order, **payload.dict())
    return Status(201, {"id": breach.pk})
