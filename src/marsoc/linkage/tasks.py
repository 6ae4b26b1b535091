"""Background work for linkage, run by the task worker (`marsoc db_worker`).

The tasks are defined in services.py, next to the work they run and the code that queues them, so that
services and tasks do not import each other (pyproject's "No import cycles" contract). Their names stay
importable here for tasks queued under these paths by an earlier version."""

from .services import feed_import_task, linkage_run_task

__all__ = ["feed_import_task", "linkage_run_task"]
