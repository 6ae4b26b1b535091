"""When the daily alert run happens. tasks.alerts_schedule keeps one run on the task worker's queue so
alerts appear without anyone running a command.

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


def run_waiting(path: str, exclude_id: str | None = None) -> bool:
    waiting = DBTaskResult.objects.filter(task_path=path, status=TaskResultStatus.READY)
    if exclude_id is not None:
        waiting = waiting.exclude(id=exclude_id)
    return waiting.exists()
