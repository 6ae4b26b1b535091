"""core.jobs.tasks_recover without killing anything: the states a stopped worker leaves behind, made by
hand on the database task backend (the SIGKILL versions are in tests/faults/test_worker_kills.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from marsoc.core.jobs import MAX_TASK_STOPS, task_lock_path
from marsoc.core.models import AuditVerification
from marsoc.core.tasks import audit_verifications_recover, audit_verify_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MARSOC_LOCK_DIR = tmp_path / "locks"


def running(check: AuditVerification, *, started_ago: timedelta, lock_written: bool) -> DBTaskResult:
    """A check's task as a worker that took it and stopped leaves it."""
    result = audit_verify_task.enqueue(check.pk)
    DBTaskResult.objects.filter(id=result.id).update(
        status="RUNNING", started_at=timezone.now() - started_ago
    )
    if lock_written:
        task_lock_path(str(result.id)).write_text("12345")  # written by a worker that held it, now free
    return DBTaskResult.objects.get(id=result.id)


def test_a_task_just_taken_is_left_to_its_worker():
    check = AuditVerification.objects.create()
    fresh = running(check, started_ago=timedelta(seconds=5), lock_written=False)
    assert audit_verifications_recover() == []
    fresh.refresh_from_db()
    assert fresh.status == "RUNNING"


def test_a_task_taken_long_ago_that_never_held_its_lock_is_queued_again():
    check = AuditVerification.objects.create()
    lost = running(check, started_ago=timedelta(minutes=5), lock_written=False)
    (said,) = audit_verifications_recover()
    lost.refresh_from_db()
    assert lost.status == "FAILED" and "queued again" in said
    assert DBTaskResult.objects.filter(status="READY", task_path=audit_verify_task.module_path).count() == 1
    assert audit_verifications_recover() == []  # once


def test_after_three_stops_the_check_is_finished_with_the_cause():
    check = AuditVerification.objects.create()
    for _ in range(MAX_TASK_STOPS):
        DBTaskResult.objects.filter(status="READY").delete()  # the one recovery queued: taken and stopped
        running(check, started_ago=timedelta(seconds=5), lock_written=True)
        audit_verifications_recover()
    check.refresh_from_db()
    assert check.finished_at is not None and check.ok is None
    assert check.reason.startswith(f"Not finished: the task worker stopped {MAX_TASK_STOPS} times")
    assert not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()
