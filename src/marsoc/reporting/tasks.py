"""Background work for reporting, run by the task worker (`marsoc db_worker`)."""

from django_tasks import task
from django_tasks.base import TaskContext

from marsoc.core.jobs import task_held, tasks_recover

from .services import dashboards_warm, snapshots_refresh


@task(takes_context=True)
def snapshots_refresh_task(context: TaskContext, months: int = 24, rebuild: bool = False) -> dict[str, int]:
    """Build the monthly snapshots that are missing or still running (incremental). Held
    (core.jobs.task_held) so a refresh whose worker dies is queued again (snapshots_recover): each
    month is built in its own transaction, so the redo builds only what the killed run had not. Then
    the dashboards people will open first are built and kept (services.dashboards_warm)."""
    with task_held(str(context.task_result.id)):
        built = snapshots_refresh(months=months, rebuild=rebuild)
        dashboards = dashboards_warm()
    return {"built": len(built), "dashboards": dashboards}


def snapshots_recover() -> list[str]:
    """A refresh whose worker stopped is queued again once (after three stops in a row it is left
    failed; the next scheduled or requested refresh builds what is missing)."""
    if not snapshots_refresh_task.get_backend().supports_defer:
        return []
    return tasks_recover(snapshots_refresh_task)
