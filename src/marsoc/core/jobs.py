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
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
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


# ---------------------------------------------------------------- tasks with no job row of their own
# The alert run and the audit check have no row that says "running"; their django-tasks-db result is
# the only record. The task holds a lock named after its result while it runs and writes its process
# id into the file once it holds it, so "RUNNING, file written, lock free" means its worker stopped.

MAX_TASK_STOPS = 3  # a task that stops its worker this many times in a row is not queued again


def task_lock_path(task_id: str) -> Path:
    return lock_path(f"task-{task_id}")


@contextlib.contextmanager
def task_held(task_id: str) -> Iterator[None]:
    """Wrap a task's work: held by its worker until the work ends (see tasks_recover)."""
    path = task_lock_path(task_id)
    with file_lock(path, wait=True):
        path.write_text(str(os.getpid()))
        try:
            yield
        finally:
            # Removed while still held: a finished task's result says so a moment later, and no
            # recovery in between may take a released lock for a lost worker.
            path.unlink(missing_ok=True)


def _task_lost(result: Any) -> bool:
    path = task_lock_path(str(result.id))
    if not path.exists():  # its worker has not taken the lock yet, or died before it could
        started = result.started_at or result.enqueued_at
        return bool(timezone.now() - started >= TAKEN_MOMENTS_AGO)
    return bool(path.read_text()) and lock_is_free(path)


def tasks_recover(task: Any, *, on_give_up: Callable[[dict[str, Any]], object] | None = None) -> list[str]:
    """Every RUNNING result of `task` whose worker stopped is marked failed (with a plain cause) and
    the task queued again with the same arguments, in one transaction, so it is redone exactly once;
    after MAX_TASK_STOPS stops in a row `on_give_up(args_kwargs)` is called instead. What was done,
    for the worker's log."""
    from django_tasks_db.models import DBTaskResult

    said: list[str] = []
    for candidate in DBTaskResult.objects.filter(task_path=task.module_path, status="RUNNING"):
        if not _task_lost(candidate):
            continue
        with transaction.atomic():
            result = (
                DBTaskResult.objects.select_for_update(skip_locked=True)
                .filter(pk=candidate.pk, status="RUNNING")
                .first()
            )
            if result is None or not _task_lost(result):
                continue
            now = timezone.now()
            fail_stale_task(
                str(result.id), f"The worker stopped while running this task (found {now.isoformat()})."
            )
            task_lock_path(str(result.id)).unlink(missing_ok=True)
            same = DBTaskResult.objects.filter(task_path=result.task_path, args_kwargs=result.args_kwargs)
            last_success = same.filter(status="SUCCESSFUL").order_by("-enqueued_at").first()
            stops = same.filter(exception_class_path="marsoc.core.jobs.WorkerStopped")
            if last_success is not None:
                stops = stops.filter(enqueued_at__gt=last_success.enqueued_at)
            if stops.count() >= MAX_TASK_STOPS:
                if on_give_up is not None:
                    on_give_up(result.args_kwargs)
                said.append(
                    f"{task.name} {result.id}: its worker stopped {MAX_TASK_STOPS} times; not queued again"
                )
                continue
            again = task.enqueue(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
            said.append(f"{task.name} {result.id}: its worker stopped; queued again as {again.id}")
    return said
