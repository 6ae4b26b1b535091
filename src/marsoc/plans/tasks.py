"""Background work for plans, run by the task worker (`marsoc db_worker`)."""

from django_tasks import task
from django_tasks.base import TaskContext

from .alerts import alerts_run
from .schedule import alerts_schedule, next_alerts_run


@task(takes_context=True)
def alerts_task(context: TaskContext) -> dict[str, int]:
    """Produce the date-driven alerts and send their e-mails, then queue tomorrow's run (plans/schedule.py);
    safe to run as often as wanted."""
    result = alerts_run()
    alerts_schedule(run_after=next_alerts_run(), current_id=str(context.task_result.id))
    return {"created": result.created, "emailed": result.emailed}
