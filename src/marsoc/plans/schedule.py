"""The daily alert run, kept on the task worker's queue so alerts appear without anyone running a command.

The worker, as it starts, makes sure one run is waiting (and runs one at once if none is); each run, as it
ends, queues the next for ALERTS_HOUR the following morning. The alerts themselves are idempotent
(alerts.alert_issue keys them), so a run more or less never duplicates one. A backend that cannot defer
(the immediate backend of the tests) is never asked to schedule, or a run would queue itself forever."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

ALERTS_HOUR = time(6, 0)


def next_alerts_run(now: datetime | None = None) -> datetime:
    """The next ALERTS_HOUR after `now`, in local time."""
    now = timezone.localtime(now or timezone.now())
    at = datetime.combine(now.date(), ALERTS_HOUR, tzinfo=now.tzinfo)
    return at if at > now else at + timedelta(days=1)


def _waiting(path: str, exclude_id: str | None = None) -> bool:
    waiting = DBTaskResult.objects.filter(task_path=path, status=TaskResultStatus.READY)
    if exclude_id is not None:
        waiting = waiting.exclude(id=exclude_id)
    return waiting.exists()


def alerts_schedule(*, run_after: datetime | None, current_id: str | None = None) -> datetime | None:
    """Queue an alert run at `run_after` (None: as soon as possible) unless one is already waiting.
    Returns when it will run, or None when nothing was queued."""
    from .tasks import alerts_task  # the task module imports this one

    if not alerts_task.get_backend().supports_defer:
        return None
    if _waiting(alerts_task.module_path, exclude_id=current_id):
        return None
    task = alerts_task.using(run_after=run_after) if run_after is not None else alerts_task
    task.enqueue()
    return run_after or timezone.now()
