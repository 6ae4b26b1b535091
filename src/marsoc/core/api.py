"""The audit log for inspectors through the API (issue 15): filter and page through the entries, or take
every entry the filters select as one export. Only an inspector may (the same rule as the page: anyone
else 404); reading the log is itself logged, an export as a disclosure to the inspector."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from .api_common import fields_of
from .api_errors import MAX_ID
from .errors import Conflict, ValidationFailed, refused_in_context
from .models import AuditEvent
from .selectors import AuditFilters, audit_event_list
from .services import audit_browse_record, audit_export_record
from .vocabulary import Operation
from .web import actor as _actor

router = Router(tags=["audit"])
EXPORT_LIMIT = 10_000  # one answer; a larger export is asked for in parts (by date)


class AuditParams(Schema):
    user: str = Field("", max_length=150, pattern=r"^[A-Za-z0-9._@+-]*$", description="A username")
    nominal_id: int | None = Field(None, ge=1, le=MAX_ID, description="Entries about this person")
    operation: Operation | None = Field(None, description="The s.62 operation")
    date_from: date | None = None
    date_to: date | None = None


class AuditPageParams(AuditParams):
    page: int = Field(1, ge=1, le=MAX_ID)
    page_size: int = Field(100, ge=1, le=500)


class AuditEventOut(Schema):
    id: int
    at: datetime
    operation: str
    operation_label: str
    action: str
    action_label: str = Field(description="What happened, in words")
    actor: str = Field(description="Who, as recorded at the time")
    object_type: str
    object_id: str
    nominal_id: int | None
    subjects: list[int] = Field(description="Every person the entry is about beyond nominal_id")
    justification: str
    recipients: list[str]
    hash: str
    prev_hash: str


class AuditPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[AuditEventOut]


class AuditExport(Schema):
    count: int
    results: list[AuditEventOut]


def _filters(params: AuditParams) -> AuditFilters:
    if params.date_from and params.date_to and params.date_from > params.date_to:
        raise ValidationFailed(
            {"date_to": refused_in_context("The end date must be on or after the start date")}
        )
    return AuditFilters(
        username=params.user.strip(),
        nominal_id=params.nominal_id,
        operation=params.operation.value if params.operation else "",
        date_from=params.date_from,
        date_to=params.date_to,
    )


def _stated(params: AuditParams) -> dict[str, str]:
    return {k: str(v) for k, v in params.dict().items() if v not in (None, "") and k != "page_size"}


def _event(e: AuditEvent) -> dict[str, Any]:
    return fields_of(
        e,
        AuditEventOut,
        operation_label=e.get_operation_display(),
        actor=e.actor_label,
        subjects=sorted(s.nominal_id for s in e.subjects.all()),
        recipients=[str(r) for r in e.recipients],
    )


@router.get("/audit/events", response=AuditPage, summary="Audit log entries, newest first (inspectors)")
def list_audit_events(request: HttpRequest, params: Query[AuditPageParams]) -> dict[str, Any]:
    actor = _actor(request)
    events = audit_event_list(actor=actor, filters=_filters(params)).prefetch_related("subjects")
    start = (params.page - 1) * params.page_size
    rows = list(events[start : start + params.page_size])
    audit_browse_record(actor=actor, filters={**_stated(params), "surface": "api"})
    return {
        "count": events.count(),
        "page": params.page,
        "page_size": params.page_size,
        "results": [_event(e) for e in rows],
    }


@router.get(
    "/audit/export",
    response=AuditExport,
    summary=f"Every entry the filters select, for an inspection file (at most {EXPORT_LIMIT:,})",
)
def export_audit_events(request: HttpRequest, params: Query[AuditParams]) -> dict[str, Any]:
    actor = _actor(request)
    events = audit_event_list(actor=actor, filters=_filters(params))
    count = events.count()
    if count > EXPORT_LIMIT:
        raise Conflict(
            f"The filters select {count:,} entries, more than the {EXPORT_LIMIT:,} one export holds: "
            "narrow them (by dates, a user or a person) and export the parts"
        )
    rows = [_event(e) for e in events.prefetch_related("subjects")]
    audit_export_record(actor=actor, filters={**_stated(params), "surface": "api"}, rows=count)
    return {"count": count, "results": rows}
