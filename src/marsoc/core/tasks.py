"""Background work for the audit log, run by the task worker (`marsoc db_worker`)."""

from django.utils import timezone
from django_tasks import task

from .audit import audit_verify
from .models import AuditVerification


@task()
def audit_verify_task(verification_id: int) -> bool:
    """Walk the whole chain (minutes on a large log, so never in a request) and store the outcome."""
    result = audit_verify()
    AuditVerification.objects.filter(pk=verification_id).update(
        finished_at=timezone.now(),
        checked=result.checked,
        ok=result.ok,
        first_break_id=result.first_break.event_id if result.first_break else None,
        reason=result.first_break.reason if result.first_break else "",
    )
    return result.ok
