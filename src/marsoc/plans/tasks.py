"""Background work for plans, run by the task worker (`marsoc db_worker`)."""

from datetime import datetime

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskContext

from marsoc.core.jobs import task_held, tasks_recover

from .alerts import alerts_run
from .schedule import next_alerts_run, run_waiting


@task(takes_context=True)
def alerts_task(context: TaskContext) -> dict[str, int]:
    """Produce the date-driven alerts and send their e-mails, then queue tomorrow's run (alerts_schedule);
    safe to run as often as wanted. Held (core.jobs.task_held) so a run whose worker dies is redone
    (alerts_recover) and the schedule goes on."""
    with task_held(str(context.task_result.id)):
        result = alerts_run()
        alerts_schedule(run_after=next_alerts_run(), current_id=str(context.task_result.id))
    return {"created": result.created, "emailed": result.emailed}


def alerts_schedule(*, run_after: datetime | None, current_id: str | None = None) -> datetime | None:
    """Queue an alert run at `run_after` (None: as soon as possible) unless one is already waiting.
    Returns when it will run, or None when nothing was queued."""
    if not alerts_task.get_backend().supports_defer:
        return None
    if run_waiting(alerts_task.module_path, exclude_id=current_id):
        return None
    task = alerts_task.using(run_after=run_after) if run_after is not None else alerts_task
    task.enqueue()
    return run_after or timezone.now()


def alerts_recover() -> list[str]:
    """A run whose worker stopped is queued again once (alerts are keyed and e-mails marked as sent in
    the send's transaction, so nothing is made or sent twice); after three stops in a row tomorrow's
    run is queued instead, so the schedule never ends."""
    if not alerts_task.get_backend().supports_defer:
        return []
    return tasks_recover(alerts_task, on_give_up=lambda _: alerts_schedule(run_after=next_alerts_run()))


def alerts_on_worker_start() -> str:
    """A run whose worker stopped is queued again; a worker that starts with no alert run waiting runs
    one now (which queues the next): alerts appear without anyone running a command. Also run once a
    minute while a worker runs (core db_worker)."""
    said = alerts_recover()  # first: a run queued again is the run waiting
    at = alerts_schedule(run_after=None)
    if at is not None:
        said.append("Alerts: a run is queued now; each run queues the next for 06:00")
    return "; ".join(said)
