"""Linkage runs asked for in the web UI: recorded from the moment they are queued, one at a time,
and put right when their worker stops (queued again, or failed after three stops).

A worker killed during a run leaves the run marked running, nothing of it stored (the run writes in
one transaction) and the run lock free (the operating system drops a dead process's locks). These
tests leave a run exactly so, and hold the lock from another process to stand for a live worker.
The task backend in tests is the immediate one, so a queued run runs at once."""

import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from marsoc.core.models import AuditEvent
from marsoc.core.worker import worker_starting
from marsoc.linkage import services
from marsoc.linkage.models import LinkageRun, Person, RunStatus
from marsoc.linkage.synthetic import FEED_COLUMNS, make_feeds

from ..conftest import signed_in
from .helpers import FEEDS, run_import, write_csv


@pytest.fixture(autouse=True)
def _staging(settings, tmp_path):
    settings.LINKAGE_STAGING_DIR = tmp_path / "staged"


@pytest.fixture
def imported(db, tmp_path):
    feeds = make_feeds(80, seed=5)
    for source, rows in feeds.rows.items():
        mapping, agency = FEEDS[source]
        run_import(
            write_csv(tmp_path / f"{source}.csv", rows, FEED_COLUMNS[source]), mapping=mapping, agency=agency
        )
    return feeds


def _stopped(run: LinkageRun, attempts: int = 1) -> None:
    LinkageRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, attempts=attempts)


def _hold_lock(seconds: float, name: str = "linkage-run") -> subprocess.Popen[str]:
    """Another process (standing for a live worker) takes a run lock and keeps it for `seconds`:
    `linkage-run` is the one-at-a-time lock, `linkage-run-<id>` the lock of one run's task."""
    path = services._run_lock_path(name)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, time\n"
            f"fd = os.open({str(path)!r}, os.O_RDWR | os.O_CREAT)\n"
            f"fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep({seconds})",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_a_requested_run_is_recorded_and_finishes(imported, national_manager):
    run = services.run_request(actor=national_manager)
    assert run.status == RunStatus.FINISHED
    assert run.started_by == national_manager and run.attempts == 1 and run.task_id
    assert run.summary["records"] == sum(len(rows) for rows in imported.rows.values())
    assert Person.objects.filter(merged_into=None).count() == run.summary["clusters"]
    assert AuditEvent.objects.filter(action="linkage.run", object_id=str(run.pk)).exists()


def test_a_second_run_is_refused_while_one_is_pending(imported, national_manager):
    waiting = LinkageRun.objects.create(status=RunStatus.QUEUED, started_by=national_manager)
    with pytest.raises(services.ValidationFailed) as refused:
        services.run_request(actor=national_manager)
    assert f"Linkage run {waiting.pk} is already queued" in str(refused.value.errors["run"])
    assert LinkageRun.objects.count() == 1


def test_too_little_data_fails_the_run_with_the_reason(db, national_manager):
    run = services.run_request(actor=national_manager)
    assert run.status == RunStatus.FAILED
    assert "At least 50 source records are needed" in run.error
    assert run.finished_at is not None


def test_a_run_whose_worker_stopped_is_queued_again_and_finishes(imported, national_manager):
    run = LinkageRun.objects.create(status=RunStatus.QUEUED, started_by=national_manager)
    _stopped(run)
    assert Person.objects.count() == 0  # nothing of the stopped run is stored
    recovered = services.runs_recover()  # the immediate backend runs the queued task here
    assert [r.pk for r in recovered] == [run.pk]
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED and run.attempts == 2
    assert [i["action"] for i in run.interruptions] == ["queued again"]
    assert run.interruptions[0]["stage"] == RunStatus.RUNNING
    assert Person.objects.exists()
    assert AuditEvent.objects.filter(action="linkage.run.requeue", object_id=str(run.pk)).exists()
    assert services.runs_recover() == []  # once only


def test_a_run_that_stopped_its_worker_three_times_fails(imported, national_manager):
    run = LinkageRun.objects.create(status=RunStatus.QUEUED, started_by=national_manager)
    _stopped(run, attempts=3)
    services.runs_recover()
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error.startswith("This run was interrupted 3 times") and "No links were changed" in run.error
    assert Person.objects.count() == 0
    assert AuditEvent.objects.filter(action="linkage.run.fail", object_id=str(run.pk)).exists()


def test_a_run_whose_task_is_alive_is_left_alone(imported, national_manager):
    run = LinkageRun.objects.create(status=RunStatus.QUEUED, started_by=national_manager)
    _stopped(run)
    holder = _hold_lock(60, f"linkage-run-{run.pk}")  # its task, linking or waiting its turn
    try:
        assert services.runs_recover() == []
    finally:
        holder.kill()
        holder.wait()
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.interruptions == []


def test_a_recovered_run_is_queued_once_however_often_recovery_looks(imported, national_manager, settings):
    # With the database backend (and no worker), the queued task waits; a second look, as from a
    # second page view, must not queue the run again.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    run = LinkageRun.objects.create(status=RunStatus.QUEUED, started_by=national_manager)
    _stopped(run)
    assert [r.pk for r in services.runs_recover()] == [run.pk]
    assert services.runs_recover() == []
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and len(run.interruptions) == 1 and run.task_id
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def test_a_run_whose_task_keeps_being_lost_is_failed(imported, national_manager):
    # Never started (attempts 0), but queued and lost three times already: not queued for ever.
    lost = [{"at": "2026-11-27T10:00:00+00:00", "stage": "queued", "action": "queued again"}] * 3
    run = LinkageRun.objects.create(status=RunStatus.QUEUED, started_by=national_manager, interruptions=lost)
    LinkageRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(hours=1))
    services.runs_recover()
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.attempts == 0
    assert run.error.startswith("This run was interrupted 4 times")


def test_a_queued_run_is_left_to_its_task_until_the_task_is_lost(imported, national_manager):
    run = LinkageRun.objects.create(status=RunStatus.QUEUED, started_by=national_manager)
    assert services.runs_recover() == []  # just queued: its task may not have been taken yet
    LinkageRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(minutes=30))
    assert [r.pk for r in services.runs_recover()] == [run.pk]
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED
    assert run.interruptions[0]["stage"] == RunStatus.QUEUED


def test_the_worker_start_hook_recovers_runs(imported, national_manager):
    run = LinkageRun.objects.create(status=RunStatus.QUEUED, started_by=national_manager)
    _stopped(run)
    said = [str(outcome) for _, outcome in worker_starting.send_robust(sender=None)]
    assert any(f"Linkage runs interrupted by a stopped worker: {run.pk} queued again" in s for s in said)
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED


def test_a_run_waits_for_the_run_in_progress(imported, national_manager):
    run = LinkageRun.objects.create(status=RunStatus.QUEUED, started_by=national_manager)
    holder = _hold_lock(2)
    started = time.monotonic()
    services.run_process(run.pk)
    waited = time.monotonic() - started
    holder.wait()
    run.refresh_from_db()
    assert waited >= 1.5  # it could not start until the other process let go
    assert run.status == RunStatus.FINISHED and run.attempts == 1


def test_linkage_page_shows_pending_failed_and_finished_runs(client, imported, national_manager):
    client = signed_in(national_manager, client)
    page = client.get("/linkage/").content.decode()
    assert "None yet" in page and "Run linkage now" in page

    waiting = LinkageRun.objects.create(status=RunStatus.QUEUED, started_by=national_manager)
    page = client.get("/linkage/").content.decode()
    assert f'Run {waiting.pk} is <strong class="govuk-tag govuk-tag--blue">queued</strong>' in page
    assert f"by {national_manager.get_username()}" in page
    assert "Run linkage now" not in page and "Another run can be asked for when this one has finished" in page
    refused = client.post("/linkage/run/", follow=True).content.decode()
    assert f"Linkage run {waiting.pk} is already queued" in refused

    LinkageRun.objects.filter(pk=waiting.pk).update(
        status=RunStatus.FAILED, error="The worker stopped 3 times"
    )
    page = client.get("/linkage/").content.decode()
    assert f"Run {waiting.pk}, asked for at" in page and "The worker stopped 3 times" in page
    assert "Run linkage now" in page

    finished = client.post("/linkage/run/", follow=True).content.decode()
    run = LinkageRun.objects.order_by("-id").first()
    assert run is not None and run.status == RunStatus.FINISHED
    assert f"Linkage run {run.pk}: finished" in finished
    assert f"Run {run.pk}, finished" in finished and f"{run.summary['records']} records in" in finished


def test_a_run_that_errors_is_failed_with_the_error_not_left_running(imported, national_manager):
    # A stored model Splink cannot read (settings without comparisons) makes the run raise.
    from marsoc.linkage.models import LinkageModel

    LinkageModel.objects.create(
        version=1,
        splink_version="5.0.0",
        settings_json={"link_type": "dedupe_only"},
        training_summary={},
        auto_link_threshold=0.7,
        review_threshold=0.5,
    )
    run = LinkageRun.objects.create(status=RunStatus.QUEUED, started_by=national_manager)
    with pytest.raises(Exception):  # noqa: B017 (whatever Splink raises; the run's record is the point)
        services.run_process(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error.startswith("The run stopped with an error; no links were changed (SplinkException: ")
    assert Person.objects.count() == 0
    assert services.runs_recover() == []  # failed, not mistaken for a stopped worker


def test_who_asked_and_why_a_run_failed_are_shown_only_to_those_who_run_linkage(
    client, imported, national_manager, london_manager
):
    # london.manager may use linkage (their hub's records) but not run it.
    LinkageRun.objects.create(
        status=RunStatus.FAILED, started_by=national_manager, error="SplinkException: something internal"
    )
    waiting = LinkageRun.objects.create(status=RunStatus.QUEUED, started_by=national_manager)
    page = signed_in(london_manager, client).get("/linkage/").content.decode()
    assert f"Run {waiting.pk} is" in page and "failed" in page
    assert national_manager.get_username() not in page
    assert "something internal" not in page and "those who run linkage can see why" in page
    assert "Run linkage now" not in page
    page = signed_in(national_manager).get("/linkage/").content.decode()
    assert national_manager.get_username() in page and "something internal" in page


def test_a_failed_request_is_said_as_an_error(client, db, national_manager):
    page = signed_in(national_manager, client).post("/linkage/run/", follow=True).content.decode()
    assert "Important" in page and "failed: At least 50 source records are needed" in page
