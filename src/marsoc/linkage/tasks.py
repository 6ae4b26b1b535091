"""Background work for linkage, run by the task worker (`marsoc db_worker`)."""

from django_tasks import task

from .services import feed_import_process, linkage_run, run_process


@task()
def feed_import_task(import_id: int) -> str:
    """Validate and commit one staged import. If the worker stops during it, the next worker to start
    (or the import's page) finds it and queues it again: see services.imports_recover."""
    return feed_import_process(import_id).status


@task()
def linkage_run_task(run_id: int | None = None) -> str:
    """Run a queued linkage run (services.run_request); returns its status. If the worker stops
    during it, the next worker to start (or the linkage page) queues it again: services.runs_recover.
    Without a run id (a task queued by an earlier version), a run is recorded when it finishes."""
    if run_id is None:
        return str(linkage_run(actor=None).status)
    return str(run_process(run_id).status)
