"""Method dry runs whose worker stopped (a crash, a restart, `kill -9`) are put right, as imports
and linkage runs are: queued again, or failed after MAX_ATTEMPTS stops. A dry run writes all its
rows in one transaction, so a stopped one stored nothing and running it again is safe."""

from django.db import transaction
from django.utils import timezone

from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about
from marsoc.core.jobs import fail_stale_task, lock_is_free, task_waiting

from ..dry_runs import dry_run_lock_path
from ..models import DryRunStatus, MethodDryRun
from ..tasks import method_dry_run_task

MAX_ATTEMPTS = 3  # a dry run that stops its worker this many times is failed, not tried for ever


def dry_run_enqueue(run_id: int) -> None:
    result = method_dry_run_task.enqueue(run_id)
    MethodDryRun.objects.filter(pk=run_id, task_id="").update(task_id=str(result.id)[:64])


def _lost(run: MethodDryRun) -> bool:
    """Has this unfinished run lost its worker? (Its lock is free and no task will pick it up.)"""
    if not lock_is_free(dry_run_lock_path(run.pk)):
        return False  # a worker is at it
    if run.status == DryRunStatus.QUEUED:
        return not task_waiting(run.task_id, run.requested_at)
    return True  # "running" with nobody holding its lock


def dry_runs_recover() -> list[MethodDryRun]:
    """Queue again (or fail) every unfinished dry run that has lost its worker. Cheap: one query and
    a lock test per unfinished run. Runs when a worker starts and when a dry run's page is shown."""
    recovered: list[MethodDryRun] = []
    to_queue: list[int] = []
    unfinished = MethodDryRun.objects.filter(status__in=[DryRunStatus.QUEUED, DryRunStatus.RUNNING])
    for candidate in unfinished.order_by("id"):
        if not _lost(candidate):
            continue
        with transaction.atomic():
            run = MethodDryRun.objects.select_for_update().get(pk=candidate.pk)
            if run.finished or not _lost(run):
                continue
            now = timezone.now()
            give_up = run.attempts >= MAX_ATTEMPTS
            stage = "before it started" if run.status == DryRunStatus.QUEUED else "while re-scoring"
            entry = {"at": now.isoformat(), "stage": stage, "action": "failed" if give_up else "queued again"}
            fail_stale_task(
                run.task_id, f"The worker stopped {stage} dry run {run.pk} (found {now.isoformat()})."
            )
            run.interruptions = [*run.interruptions, entry]
            fields = ["interruptions", "status", "task_id"]
            run.task_id = ""
            if give_up:
                run.status = DryRunStatus.FAILED
                run.finished_at = now
                run.error = (
                    f"The task worker stopped {run.attempts} times during this dry run (the last time {stage}), "
                    "so it was not tried again. Nothing was stored. Ask for a new dry run; if it stops again, "
                    "tell the service team."
                )
                fields += ["finished_at", "error"]
            else:
                run.status = DryRunStatus.QUEUED
                to_queue.append(run.pk)
            run.save(update_fields=fields)
            audit_about(
                None,
                AuditAction.METHOD_DRY_RUN_FAIL if give_up else AuditAction.METHOD_DRY_RUN_REQUEUE,
                run,
                details={**entry, "attempts": run.attempts},
            )
            recovered.append(run)
    for run_id in to_queue:  # after the transaction: with the immediate backend it runs here and now
        dry_run_enqueue(run_id)
    return recovered
