"""Writes in core: asking for a verification of the audit chain."""

from django.db import transaction

from marsoc.core import access

from .actor import Actor
from .audit import audit_record
from .errors import NotFoundOrForbidden
from .models import AuditVerification
from .tasks import audit_verify_task
from .vocabulary import Operation


def audit_verification_request(*, actor: Actor) -> AuditVerification:
    if not access.may(actor, "audit.read"):
        raise NotFoundOrForbidden("audit log")
    with transaction.atomic():
        verification = AuditVerification.objects.create(requested_by_id=actor.pk)
        audit_record(
            actor=actor,
            operation=Operation.CONSULTATION,
            action="audit.verify",
            object_type="audit_log",
            justification="Integrity check of the audit log",
        )
        # The database backend stores the queued task in this same transaction, so the worker only
        # sees it once the verification row is committed with it.
        audit_verify_task.enqueue(verification.pk)
    return verification
