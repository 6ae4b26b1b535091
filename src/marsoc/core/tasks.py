"""Background work for the audit log, run by the task worker (`marsoc db_worker`)."""

from typing import Any

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskContext

from .audit import audit_verify
from .jobs import MAX_TASK_STOPS, task_held, tasks_recover
from .models import AuditVerification


@task(takes_context=True)
def audit_verify_task(context: TaskContext, verification_id: int) -> bool:
    """Walk the whole chain (minutes on a large log, so never in a request) and store the outcome.
    Held (jobs.task_held): a walk whose worker dies is walked again (audit_verifications_recover)."""
    with task_held(str(context.task_result.id)):
        result = audit_verify()
    AuditVerification.objects.filter(pk=verification_id).update(
        finished_at=timezone.now(),
        checked=result.checked,
        ok=result.ok,
        first_break_id=result.first_break.event_id if result.first_break else None,
        reason=result.first_break.reason if result.first_break else "",
    )
    return result.ok


def audit_verifications_recover() -> list[str]:
    """A check whose worker stopped is walked again from the start (it stores nothing until the end);
    after MAX_TASK_STOPS stops it is finished with the cause, neither intact nor broken."""
    if not audit_verify_task.get_backend().supports_defer:
        return []

    def give_up(args_kwargs: dict[str, Any]) -> None:
        AuditVerification.objects.filter(pk=args_kwargs["args"][0], finished_at__isnull=True).update(
            finished_at=timezone.now(),
            reason=(
                f"Not finished: the task worker stopped {MAX_TASK_STOPS} times during this check. "
                "Ask for a new check; if it stops again, tell the service team."
            ),
        )

    return tasks_recover(audit_verify_task, on_give_up=give_up)
