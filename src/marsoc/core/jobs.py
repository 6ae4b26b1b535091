"""What every long job on the task worker shares (imports, linkage runs, method dry runs): a lock
that says "a live process is working on this", and questions about the job's task.

A job's worker holds an exclusive `flock` on the job's lock file while it works. The operating system
releases it when the process ends, however it ends (a crash, `kill -9`, an out-of-memory kill), so a
job marked running whose lock is free has lost its worker and can be recovered. Lock files live in
MARSOC_LOCK_DIR (default var/locks), which every worker and web process must share."""

import contextlib
import fcntl
import logging
import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

LOST_TASK_AFTER = timedelta(minutes=10)  # a job with no task to ask about, not taken in this long, is lost
TAKEN_MOMENTS_AGO = timedelta(minutes=1)  # a task a worker took this recently may not hold its lock yet


def lock_path(name: str) -> Path:
    folder = Path(getattr(settings, "MARSOC_LOCK_DIR", Path(settings.VAR_DIR) / "locks"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.lock"


@contextlib.contextmanager
def file_lock(path: Path, *, wait: bool = False) -> Iterator[bool]:
    """Take an exclusive lock on `path`: yields True if taken (held to the end of the block), False
    if another process holds it (only when not `wait`ing). "Nobody holds the lock" means "nobody
    is working on it" (see the module docstring)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def lock_is_free(path: Path) -> bool:
    with file_lock(path) as taken:
        return taken


def task_state(task_id: str) -> tuple[str, Any] | None:
    """(status name, started_at) of a queued task, or None if the backend cannot say."""
    from django_tasks import default_task_backend

    try:
        result = default_task_backend.get_result(task_id)
    except Exception:  # the immediate backend keeps no results; a pruned result is gone
        return None
    return str(result.status.name), result.started_at


def task_waiting(task_id: str, created_at: datetime) -> bool:
    """Will a worker still pick this job's task up (or is it picking it up this moment)?"""
    now = timezone.now()
    state = task_state(task_id) if task_id else None
    if state is None:
        # Not queued (yet), or no way to ask: give it time to be queued and taken.
        return bool(now - created_at < LOST_TASK_AFTER)
    status, started_at = state
    if status == "READY":
        return True
    return status == "RUNNING" and started_at is not None and now - started_at < TAKEN_MOMENTS_AGO


def fail_stale_task(task_id: str, note: str) -> None:
    """The stopped worker's task stays "running" in django-tasks-db for ever; say what happened."""
    if not task_id:
        return
    try:
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path="marsoc.core.jobs.WorkerStopped",
            traceback=note,
        )
    except Exception:  # another backend, or an id that is not one of its ids: nothing to mark
        logger.debug("task %s not marked", task_id)
