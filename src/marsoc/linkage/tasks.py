"""Background work for linkage, run by the task worker (`marsoc db_worker`)."""

from django_tasks import task

from marsoc.core.errors import ValidationFailed

from .services import feed_import_process, linkage_run


@task()
def feed_import_task(import_id: int) -> str:
    """Validate and commit one staged import. If the worker stops during it, the next worker to start
    (or the import's page) finds it and queues it again: see services.imports_recover."""
    return feed_import_process(import_id).status


@task()
def linkage_run_task() -> int:
    """0 when there is too little data to train a model yet (the home page says so)."""
    try:
        return linkage_run(actor=None).pk
    except ValidationFailed:
        return 0
