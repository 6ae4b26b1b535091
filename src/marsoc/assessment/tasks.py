"""Background work for assessment, run by the task worker (`marsoc db_worker`)."""

from django_tasks import task

from .dry_runs import dry_run_execute


@task()
def method_dry_run_task(run_id: int) -> int:
    """Re-score the cohort with a candidate method (seconds to a minute at national scale: never in a request)."""
    return dry_run_execute(run_id).changed
