"""The s.62 records of reading plan data: meetings and their PDFs, the alerts inbox, the agency's own
actions and the reports. Part of the services layer: pages and the API call these and never write the
log themselves."""

from collections.abc import Iterable

from marsoc.accounts.models import User
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about, audit_record

from .models import Meeting


def meeting_consult(*, actor: User, meeting: Meeting, nominal_ids: Iterable[int]) -> None:
    audit_about(
        actor,
        AuditAction.MEETING_VIEW,
        meeting,
        justification="Tasking and coordination meeting",
        subject_ids=nominal_ids,
    )


def meeting_pdf_disclose(
    *, actor: User, meeting: Meeting, kind: str, justification: str, nominal_ids: Iterable[int]
) -> None:
    """A meeting PDF downloaded: a disclosure to the person downloading it, of every person in it."""
    audit_about(
        actor,
        AuditAction.MEETING_PACK_PDF if kind == "pack" else AuditAction.MEETING_MINUTES_PDF,
        meeting,
        object_type="meeting",
        justification=justification,
        recipients=[actor.display_label],
        subject_ids=nominal_ids,
    )


def _list_consult(
    actor: User, action: AuditAction, justification: str, nominal_ids: Iterable[int], surface: str
) -> None:
    """A list was shown: one consultation entry naming every person in it."""
    audit_record(
        actor=actor, action=action, surface=surface, justification=justification, subject_ids=nominal_ids
    )


def inbox_consult(*, actor: User, nominal_ids: Iterable[int], surface: str) -> None:
    _list_consult(actor, AuditAction.ALERTS_INBOX, "Alerts inbox", nominal_ids, surface)


def agency_actions_consult(*, actor: User, nominal_ids: Iterable[int], surface: str) -> None:
    """The agency's own actions: the people are named only where the actor may still see them."""
    _list_consult(actor, AuditAction.AGENCY_ACTIONS_LIST, "The agency's own actions", nominal_ids, surface)


def report_consult(*, actor: User) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.PLANS_REPORT,
        justification="Disruption and plan reports (aggregates)",
    )


def report_export_record(*, actor: User) -> None:
    """Aggregates only: a disclosure to the person downloading it, with no person in it."""
    audit_record(
        actor=actor,
        action=AuditAction.PLANS_REPORT_EXPORT,
        justification="Export of disruption and plan reports (aggregates)",
        recipients=[actor.display_label],
    )
