"""Subject access requests (DPA 2018 s.45): record, check identity, find every record through the apps'
holdings, decide exemptions record by record, approve, release (audited as a disclosure to the person)."""

import json
from datetime import date

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_record
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied
from marsoc.core.exports import CSV_TYPE, ExportFile, csv_text
from marsoc.core.subjects import records_about
from marsoc.nominals.models import Nominal

from ..models import Exemption, RequestRecord, RequestStatus, SubjectAccessRequest
from ..pdf import response_pdf
from ..selectors import add_months
from .common import Checks, audit_person, require_person, required_text

EXTENSION_MONTHS = 2  # the most a deadline may be extended by, with a reason


def _audit(actor: User, action: AuditAction, request: SubjectAccessRequest, **extra: object) -> None:
    audit_person(actor, action, request.nominal_id, object_id=request.pk, **extra)


def _require(actor: User, request: SubjectAccessRequest) -> None:
    if not access.may(actor, "rights.handle", request.owner_hub_id) or not access.is_visible(
        actor, "subject_access_request", request
    ):
        raise NotFoundOrForbidden(f"subject access request {request.pk}")


def request_record(
    *, actor: User, nominal: Nominal, requester: str, address: str, received_on: date | None
) -> SubjectAccessRequest:
    """A request received: the response is due one calendar month after it arrived."""
    require_person(actor, "rights.handle", nominal)
    checks = Checks()
    requester = checks.text("requester", requester, "Enter who made the request")
    checks.past(
        "received_on", received_on, missing="Enter the date the request was received",
        future="The date received must be today or in the past",
    )  # fmt: skip
    checks.done()
    assert received_on is not None
    with transaction.atomic():
        request = SubjectAccessRequest.objects.create(
            nominal=nominal,
            owner_hub_id=nominal.owner_hub_id,
            requester=requester,
            requester_address=address.strip(),
            received_on=received_on,
            due_on=add_months(received_on, 1),
            created_by=actor,
            created_at=timezone.now(),
        )
        _audit(actor, AuditAction.RIGHTS_REQUEST_RECORD, request, details={"due_on": str(request.due_on)})
    return request


def request_identity(*, actor: User, request: SubjectAccessRequest, evidence: str) -> None:
    _require(actor, request)
    if request.status != RequestStatus.RECEIVED:
        raise PermissionDenied("The requester's identity has already been checked")
    evidence = required_text("evidence", evidence, "Say how the requester's identity was checked")
    with transaction.atomic():
        request.identity_evidence = evidence
        request.identity_checked_by = actor
        request.identity_checked_at = timezone.now()
        request.status = RequestStatus.CHECKED
        request.save()
        _audit(actor, AuditAction.RIGHTS_REQUEST_IDENTITY, request, justification=evidence)


def request_extend(*, actor: User, request: SubjectAccessRequest, to: date | None, reason: str) -> None:
    _require(actor, request)
    checks = Checks()
    latest = add_months(request.due_on, EXTENSION_MONTHS)
    if to is None:
        checks.fail("to", "Enter the new date the response is due")
    elif not request.due_on < to <= latest:
        checks.fail(
            "to", f"The new date must be after {request.due_on:%d/%m/%Y} and no later than {latest:%d/%m/%Y}"
        )
    reason = checks.text("reason", reason, "Give the reason for the extension")
    if request.status == RequestStatus.RELEASED:
        checks.fail("to", "The response has already been released")
    checks.done()
    with transaction.atomic():
        request.extended_to, request.extension_reason = to, reason
        request.save(update_fields=["extended_to", "extension_reason"])
        _audit(
            actor, AuditAction.RIGHTS_REQUEST_EXTEND, request, justification=reason, details={"to": str(to)}
        )


def request_search(*, actor: User, request: SubjectAccessRequest) -> int:
    """Find every record every app holds about the person (core.subjects) and keep it, as it stands, on
    the request; a new search (before approval) replaces the last one."""
    _require(actor, request)
    if request.status not in (RequestStatus.CHECKED, RequestStatus.IN_REVIEW):
        raise PermissionDenied(
            "Check the requester's identity first"
            if request.status == RequestStatus.RECEIVED
            else "The response has been approved"
        )
    found = records_about(request.nominal)
    with transaction.atomic():
        request.records.all().delete()
        RequestRecord.objects.bulk_create(
            RequestRecord(
                request=request,
                section=r.section,
                reference=r.reference[:200],
                model_label=r.model,
                record_pk=r.pk,
                fields=[list(pair) for pair in r.fields],
                recorded=f"{r.recorded:%d/%m/%Y}" if r.recorded else "",
                agency=r.agency[:150],
                partner=r.partner,
                classification=r.classification,
            )
            for r in found
        )
        request.searched_by, request.searched_at = actor, timezone.now()
        request.status = RequestStatus.IN_REVIEW
        request.save()
        sections: dict[str, int] = {}
        for r in found:
            sections[r.section] = sections.get(r.section, 0) + 1
        _audit(actor, AuditAction.RIGHTS_REQUEST_SEARCH, request, details={"sections": sections})
    return len(found)


def record_decide(
    *,
    actor: User,
    record: RequestRecord,
    exemption: str,
    reason: str,
    consulted_on: date | None,
    consultation_note: str,
) -> None:
    """Release or withhold one record (s.45(4), with the reason), and for data from a partner agency
    the consultation with it."""
    request = record.request
    _require(actor, request)
    if request.status != RequestStatus.IN_REVIEW:
        raise PermissionDenied("Exemptions can be changed only before the response is approved")
    checks = Checks()
    if exemption and exemption not in Exemption.values:
        checks.fail("exemption", "Select a ground for withholding, or release the record")
    if exemption:
        checks.text("reason", reason, "Say why releasing this record would have that effect")
    if record.partner and consulted_on is None and consultation_note.strip():
        checks.fail("consulted_on", "Enter the date the agency was consulted")
    checks.past(
        "consulted_on", consulted_on, missing=None, future="The date consulted must be today or in the past"
    )
    checks.done()
    with transaction.atomic():
        record.exemption, record.exemption_reason = exemption, reason.strip() if exemption else ""
        if record.partner:
            record.consulted_on, record.consultation_note = consulted_on, consultation_note.strip()
        record.decided_by = actor
        record.save()
        _audit(
            actor,
            AuditAction.RIGHTS_REQUEST_DECIDE,
            request,
            justification=record.exemption_reason,
            details={"record": record.pk, "section": record.section, "exemption": exemption or "released"},
        )


def request_approve(*, actor: User, request: SubjectAccessRequest) -> None:
    _require(actor, request)
    decision = access.decide(actor, "rights.approve", request)
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    if request.status != RequestStatus.IN_REVIEW:
        raise PermissionDenied("Find the records before approving the response")
    waiting = request.records.filter(partner=True, consulted_on__isnull=True).count()
    if waiting:
        raise PermissionDenied(
            f"{waiting} record{'s' if waiting != 1 else ''} from partner agencies still need the agency consulted"
        )
    with transaction.atomic():
        request.approved_by, request.approved_at = actor, timezone.now()
        request.status = RequestStatus.APPROVED
        request.save()
        exempt = request.records.exclude(exemption="").count()
        _audit(actor, AuditAction.RIGHTS_REQUEST_APPROVE, request, details={"withheld": exempt})


FORMATS = {"pdf": "application/pdf", "json": "application/json", "csv": CSV_TYPE}


def request_export(*, actor: User, request: SubjectAccessRequest, fmt: str) -> ExportFile:
    """The response for the person (PDF) or machine-readable (JSON, CSV): the records not withheld. The
    first export releases the response; every export is a disclosure with the person as recipient."""
    _require(actor, request)
    if fmt not in FORMATS:
        raise NotFoundOrForbidden(f"format {fmt}")
    if request.status not in (RequestStatus.APPROVED, RequestStatus.RELEASED):
        raise PermissionDenied("The response must be approved before it is released")
    released = list(request.records.filter(exemption="").order_by("id"))
    withheld = request.records.exclude(exemption="").count()
    with transaction.atomic():
        if request.status == RequestStatus.APPROVED:
            request.status, request.released_at = RequestStatus.RELEASED, timezone.now()
            request.save(update_fields=["status", "released_at"])
        _audit(
            actor,
            AuditAction.RIGHTS_REQUEST_EXPORT,
            request,
            justification="Subject access request (DPA 2018 s.45)",
            recipients=[f"the data subject ({request.requester})"],
            details={"format": fmt, "records": len(released), "withheld": withheld},
        )
    name = f"subject-access-{request.reference}.{fmt}"
    if fmt == "pdf":
        return ExportFile(response_pdf(request, released, withheld), FORMATS[fmt], name)
    rows = [[r.section, r.reference, label, value] for r in released for label, value in r.fields]
    if fmt == "csv":
        return ExportFile(
            csv_text(["section", "record", "field", "value"], rows).encode("utf-8"), CSV_TYPE, name
        )
    body = {
        "reference": request.reference,
        "person": request.nominal.reference,
        "records": [
            {"section": r.section, "record": r.reference, "fields": dict(r.fields)} for r in released
        ],
        "withheld": withheld,
    }
    return ExportFile(json.dumps(body, indent=2).encode("utf-8"), FORMATS[fmt], name)


def request_consult(*, actor: User, request: SubjectAccessRequest) -> None:
    """The request page shows the records found: a consultation of the person."""
    _audit(actor, AuditAction.RIGHTS_REQUEST_VIEW, request, surface="page")


def rights_home_consult(*, actor: User, nominal_ids: list[int]) -> None:
    audit_record(actor=actor, action=AuditAction.RIGHTS_HOME, subject_ids=nominal_ids, surface="page")
