"""Writes for tasking and coordination meetings: scheduling, attendance, decisions and minutes (split from
services.py). Only the hub's staff record a meeting; every write is audited in its transaction."""

from datetime import date

from django.db import transaction

from marsoc.accounts.models import Agency, Hub, User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about, audit_record
from marsoc.core.errors import PermissionDenied, ValidationFailed
from marsoc.nominals.models import Nominal

from ..models import Attendance, Decision, Meeting
from ..vocabulary import MeetingStatus


def meeting_schedule(*, actor: User, hub_id: int | None, held_on: date | None, title: str) -> Meeting:
    errors: dict[str, str] = {}
    hub = Hub.objects.filter(pk=hub_id, is_national=False).first() if hub_id else None
    if hub is None:
        errors["hub"] = "Select the hub"
    elif not access.may(actor, "meeting.run", hub.pk):
        errors["hub"] = "You can only schedule meetings for your own hub"
    if held_on is None:
        errors["held_on"] = "Enter the date of the meeting"
    if not title.strip():
        errors["title"] = "Enter a title"
    if errors:
        raise ValidationFailed(errors)
    assert hub is not None and held_on is not None
    with transaction.atomic():
        meeting = Meeting.objects.create(hub=hub, held_on=held_on, title=title.strip(), created_by=actor)
        audit_about(actor, AuditAction.MEETING_SCHEDULE, meeting)
    return meeting


def _require_run(actor: User, meeting: Meeting) -> None:
    if not access.may(actor, "meeting.run", meeting.hub_id):
        raise PermissionDenied("Only the hub's staff record the meeting")


def meeting_attendance_add(
    *, actor: User, meeting: Meeting, agency_id: int | None, attendee: str
) -> Attendance:
    _require_run(actor, meeting)
    errors: dict[str, str] = {}
    agency = Agency.objects.filter(pk=agency_id).first() if agency_id else None
    if agency is None:
        errors["agency"] = "Select the agency"
    if not attendee.strip():
        errors["attendee"] = "Enter the attendee's name and role"
    if errors:
        raise ValidationFailed(errors)
    assert agency is not None
    with transaction.atomic():
        row = Attendance.objects.create(meeting=meeting, agency=agency, attendee=attendee.strip())
        audit_about(actor, AuditAction.MEETING_ATTENDANCE, meeting)
    return row


def meeting_decision_add(
    *, actor: User, meeting: Meeting, text: str, nominal: Nominal | None = None
) -> Decision:
    _require_run(actor, meeting)
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = "Enter the decision"
    if nominal is not None and (
        nominal.owner_hub_id != meeting.hub_id or not access.may(actor, "plan.view", nominal)
    ):
        errors["nominal"] = "Select a person managed by this hub"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        decision = Decision.objects.create(
            meeting=meeting, nominal=nominal, text=text.strip(), recorded_by=actor
        )
        audit_record(
            actor=actor,
            action=AuditAction.MEETING_DECISION,
            object_id=meeting.pk,
            nominal_id=nominal.pk if nominal else None,
        )
    return decision


def meeting_minutes_save(*, actor: User, meeting: Meeting, minutes: str, held: bool) -> Meeting:
    _require_run(actor, meeting)
    if held and not minutes.strip():
        raise ValidationFailed({"minutes": "Enter the minutes before marking the meeting as held"})
    with transaction.atomic():
        meeting.minutes = minutes.strip()
        meeting.status = MeetingStatus.HELD if held else MeetingStatus.SCHEDULED
        meeting.save(update_fields=["minutes", "status"])
        audit_about(actor, AuditAction.MEETING_MINUTES, meeting, details={"held": held})
    return meeting
