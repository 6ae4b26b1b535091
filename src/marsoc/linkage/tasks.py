"""Background work for linkage, run by the task worker (`marsoc db_worker`)."""

from django_tasks import task

from .services import feed_import_process, run_process


@task()
def feed_import_task(import_id: int) -> str:
    """Validate and commit one staged import. If the worker stops during it, the next worker to start
    (or the import's page) finds it and queues it again: see services.imports_recover."""
    return feed_import_process(import_id).status


@task()
def linkage_run_task(run_id: int) -> str:
    """Run a queued linkage run (services.run_request); returns its status. If the worker stops
    during it, the next worker to start (or the linkage page) queues it again: services.runs_recover."""
    return str(run_process(run_id).status)
