"""Background work for reporting, run by the task worker (`marsoc db_worker`)."""

from django_tasks import task

from .services import snapshots_refresh


@task()
def snapshots_refresh_task(months: int = 24, rebuild: bool = False) -> dict[str, int]:
    """Build the monthly snapshots that are missing or still running (incremental)."""
    built = snapshots_refresh(months=months, rebuild=rebuild)
    return {"built": len(built)}
