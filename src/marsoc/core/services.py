"""Writes in core: asking for a verification of the audit chain, and the records of reading the log."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction

from marsoc.core import access

from .actions import AuditAction
from .actor import Actor
from .audit import audit_record
from .errors import NotFoundOrForbidden
from .models import AuditVerification
from .tasks import audit_verify_task


def audit_verification_request(*, actor: Actor) -> AuditVerification:
    if not access.may(actor, "audit.read"):
        raise NotFoundOrForbidden("audit log")
    with transaction.atomic():
        verification = AuditVerification.objects.create(requested_by_id=actor.pk)
        audit_record(
            actor=actor,
            action=AuditAction.AUDIT_VERIFY,
            justification="Integrity check of the audit log",
        )
        # The database backend stores the queued task in this same transaction, so the worker only
        # sees it once the verification row is committed with it.
        audit_verify_task.enqueue(verification.pk)
    return verification


def audit_browse_record(*, actor: Actor, filters: dict[str, str]) -> None:
    """An inspector browsed the log (reading the log is itself logged)."""
    audit_record(
        actor=actor,
        action=AuditAction.AUDIT_BROWSE,
        justification="Inspection of the audit log",
        details={"filters": filters},
    )


def audit_export_record(*, actor: Actor, filters: dict[str, str], rows: int) -> None:
    """The log exported: a disclosure to the inspector downloading it."""
    audit_record(
        actor=actor,
        action=AuditAction.AUDIT_EXPORT,
        justification="Export of the audit log for inspection",
        recipients=[actor.username],
        details={"filters": filters, "rows": rows},
    )


def list_consult_record(
    actor: Actor,
    action: AuditAction,
    shown: Sequence[int],
    subject_ids: Iterable[int],
    *,
    purpose: str,
    surface: str,
    **details: Any,
) -> None:
    """A list or search that showed people's records: one consultation entry naming the records shown
    (`details` adds, for example, the search used) and every person in them as a subject (s.62)."""
    audit_record(
        actor=actor,
        action=action,
        surface=surface,
        justification=purpose,
        details={"shown": list(shown), **details},
        subject_ids=subject_ids,
    )
