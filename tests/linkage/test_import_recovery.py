"""Imports survive a worker that stops: never half committed, queued again (or failed) by themselves.

The last test is the real thing: a `marsoc db_worker` process is killed (SIGKILL) in the middle of
the commit, and the next worker to start finishes the import. The others leave an import exactly as
such a crash leaves it (status validating or committing, nothing of it stored, its lock free) and
check each way out."""

import os
import signal
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import get_commands
from django.db import connection
from django.utils import timezone

from marsoc.core import jobs
from marsoc.core.models import AuditEvent
from marsoc.core.worker import worker_starting
from marsoc.linkage import services
from marsoc.linkage.mapping import built_in_mappings, load_mapping
from marsoc.linkage.models import FeedImport, ImportStatus, QuarantinedRow, SourceRecord

from ..conftest import signed_in
from .helpers import police_row, write_csv

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _staging(settings, tmp_path):
    settings.LINKAGE_STAGING_DIR = tmp_path / "staged"


def _staged(tmp_path: Path, rows: int = 3, agency: str = "mps") -> FeedImport:
    from marsoc.accounts.models import Agency, Hub

    path = write_csv(tmp_path / "police.csv", [police_row(f"P{i}") for i in range(1, rows + 1)])
    return services.feed_stage(
        actor=None,
        source_path=path,
        filename=path.name,
        mapping=load_mapping(built_in_mappings()["police-pnc"]),
        source_agency=Agency.objects.get(code=agency),
        owner_hub=Hub.objects.get(code="london"),
    )


def _crashed(feed_import: FeedImport, status: str = ImportStatus.COMMITTING, attempts: int = 1) -> None:
    """What a worker killed during the commit leaves: the status it had set before the commit's
    transaction, and nothing of that transaction (the database rolled it back)."""
    FeedImport.objects.filter(pk=feed_import.pk).update(status=status, attempts=attempts, rows_read=3)


def test_an_interrupted_import_is_rolled_back_and_queued_again(db, tmp_path):
    staged = _staged(tmp_path)
    _crashed(staged)
    assert SourceRecord.objects.count() == 0

    recovered = services.imports_recover()  # the immediate backend runs the queued task here

    assert [r.pk for r in recovered] == [staged.pk]
    done = FeedImport.objects.get(pk=staged.pk)
    assert done.status == ImportStatus.COMMITTED and done.rows_new == 3 and done.attempts == 2
    assert [(i["stage"], i["rows_read"], i["action"]) for i in done.interruptions] == [
        ("committing", 3, "queued again")
    ]
    assert SourceRecord.objects.filter(first_import=done).count() == 3
    assert AuditEvent.objects.filter(action="linkage.import.requeue", object_id=str(done.pk)).exists()
    assert services.imports_recover() == []  # once only


def test_an_import_whose_worker_is_alive_is_left_alone(db, tmp_path):
    staged = _staged(tmp_path)
    _crashed(staged, ImportStatus.VALIDATING)
    with services.import_lock(staged.pk) as taken:  # as the live worker holds it
        assert taken
        assert services.import_is_running(staged.pk)
        assert services.imports_recover() == []
        assert FeedImport.objects.get(pk=staged.pk).status == ImportStatus.VALIDATING
    assert not services.import_is_running(staged.pk)


def test_a_task_queued_twice_does_not_run_the_import_twice(db, tmp_path):
    staged = _staged(tmp_path)
    with services.import_lock(staged.pk):
        again = services.feed_import_process(staged.pk, progress=None)
    assert again.status == ImportStatus.STAGED and again.attempts == 0
    assert services.feed_import_process(staged.pk, progress=None).status == ImportStatus.COMMITTED


def test_an_import_that_stops_the_worker_again_and_again_fails_cleanly(db, tmp_path):
    staged = _staged(tmp_path)
    _crashed(staged, attempts=services.MAX_ATTEMPTS)
    services.imports_recover()
    failed = FeedImport.objects.get(pk=staged.pk)
    assert failed.status == ImportStatus.FAILED and failed.finished
    assert failed.error.startswith(f"The worker stopped {services.MAX_ATTEMPTS} times")
    assert "Nothing was imported" in failed.error
    assert failed.interruptions[-1]["action"] == "failed"
    assert SourceRecord.objects.count() == 0 and not QuarantinedRow.objects.exists()
    assert AuditEvent.objects.filter(action="linkage.import.fail", object_id=str(failed.pk)).exists()
    # A failed import is finished: processing it again does nothing.
    assert services.feed_import_process(failed.pk, progress=None).status == ImportStatus.FAILED


def test_a_staged_import_whose_task_was_lost_is_queued(db, tmp_path):
    fresh = _staged(tmp_path, agency="probation-london")  # one import of a feed at a time: two feeds
    old = _staged(tmp_path)
    FeedImport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - jobs.LOST_TASK_AFTER - timedelta(minutes=1)
    )
    recovered = services.imports_recover()
    assert [r.pk for r in recovered] == [old.pk]  # the fresh one may still be on its way to the queue
    assert FeedImport.objects.get(pk=old.pk).status == ImportStatus.COMMITTED
    assert FeedImport.objects.get(pk=fresh.pk).status == ImportStatus.STAGED


def test_the_worker_start_hook_recovers_and_marsoc_db_worker_sends_it(db, tmp_path):
    assert get_commands()["db_worker"] == "marsoc.core"  # our subclass, not django-tasks-db's own
    staged = _staged(tmp_path)
    _crashed(staged)
    replies = worker_starting.send_robust(sender=None)
    assert any(
        isinstance(reply, str) and f"{staged.pk} (police.csv) queued again" in reply for _, reply in replies
    )
    assert FeedImport.objects.get(pk=staged.pk).status == ImportStatus.COMMITTED


def test_the_import_page_recovers_and_shows_the_interruption(db, tmp_path, london_manager):
    staged = _staged(tmp_path)
    FeedImport.objects.filter(pk=staged.pk).update(created_by=london_manager)
    _crashed(staged)
    page = signed_in(london_manager).get(f"/linkage/imports/{staged.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "The task worker stopped during this import 1 time" in text
    assert "Rolled back and queued again automatically" in text
    assert 'id="attempts">2<' in text
    assert FeedImport.objects.get(pk=staged.pk).status == ImportStatus.COMMITTED


def test_the_page_of_an_import_that_failed_says_nothing_was_imported(db, tmp_path, london_manager):
    staged = _staged(tmp_path)
    FeedImport.objects.filter(pk=staged.pk).update(created_by=london_manager)
    _crashed(staged, ImportStatus.VALIDATING, attempts=services.MAX_ATTEMPTS)
    text = signed_in(london_manager).get(f"/linkage/imports/{staged.pk}/").content.decode()
    assert "The import failed" in text and "Failed (nothing changed)" in text
    assert "Nothing was imported" in text and "Not tried again: nothing imported" in text
    assert 'http-equiv="refresh"' not in text  # finished: the page stops refreshing itself


def test_resume_command_reports_and_finishes_an_interrupted_import(db, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    staged = _staged(tmp_path)
    _crashed(staged, ImportStatus.VALIDATING)
    out = StringIO()
    from marsoc.core.vocabulary import Role

    from ..conftest import make_user

    feed = make_user("feed.resume", [Role.HUB_OFFICER], hub_code="london", agency_code="mps")
    call_command("import_feed", "--resume", "--as", feed.username, stdout=out)
    assert (
        f"Import {staged.pk} (police.csv) had been interrupted: resumed by import_feed --resume"
        in out.getvalue()
    )
    done = FeedImport.objects.get(pk=staged.pk)
    assert done.status == ImportStatus.COMMITTED and done.interruptions[0]["stage"] == "validating"


# ------------------------------------------------------------------ a real worker, really killed

WORKER_SCRIPT = """
import os, signal, sys
import django
django.setup()
from django.core.management import call_command
from marsoc.linkage import services
from marsoc.linkage.services import imports

if os.environ.get("ENQUEUE"):
    services._enqueue(int(os.environ["ENQUEUE"]))  # as the web process does after staging
if os.environ.get("KILL_AFTER_ROWS"):
    # Die like a worker whose machine is switched off: SIGKILL, mid-commit, after these many rows
    # have been written inside the commit's transaction.
    limit, seen, hash_of = int(os.environ["KILL_AFTER_ROWS"]), [0], imports.content_hash
    def counting(values):
        seen[0] += 1
        if seen[0] > limit:
            os.kill(os.getpid(), signal.SIGKILL)
        return hash_of(values)
    imports.content_hash = counting
call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0", "--worker-id", sys.argv[1])
"""


def _database_for_workers(tmp_path: Path) -> dict:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        # The test database lives in memory; the workers get a copy on disk, copied back afterwards.
        return {"ENGINE": settings_dict["ENGINE"], "NAME": str(tmp_path / "workers.sqlite3")}
    keep = ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
    return {key: settings_dict[key] for key in keep}


def _run_worker(tmp_path: Path, database: dict, worker_id: str, **env: str) -> subprocess.CompletedProcess:
    settings_file = tmp_path / "worker_settings.py"
    settings_file.write_text(
        "from marsoc.config.settings.test import *\n"
        'TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}\n'
        f"DATABASES = {{'default': {database!r}}}\n"
        f"LINKAGE_STAGING_DIR = {str(tmp_path / 'staged')!r}\n"
    )
    (tmp_path / "worker.py").write_text(WORKER_SCRIPT)
    sqlite = database["ENGINE"].endswith("sqlite3")
    if sqlite:
        target = sqlite3.connect(database["NAME"])
        connection.connection.backup(target)
        target.close()
    run = subprocess.run(
        [sys.executable, str(tmp_path / "worker.py"), worker_id],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "worker_settings",
            "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT / 'src'}",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    if sqlite:
        source = sqlite3.connect(database["NAME"])
        source.backup(connection.connection)
        source.close()
    return run


@pytest.mark.flushes
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_commit_leaves_nothing_and_the_next_worker_finishes(tmp_path):
    from django_tasks_db.models import DBTaskResult

    from marsoc.accounts.reference import load_reference_data

    load_reference_data()  # a transactional test before this one may have flushed it
    rows = 3_000  # three batches of 1,000: the kill comes after two were written
    staged = _staged(tmp_path, rows=rows)
    database = _database_for_workers(tmp_path)

    killed = _run_worker(tmp_path, database, "first", ENQUEUE=str(staged.pk), KILL_AFTER_ROWS="2500")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    stopped = FeedImport.objects.get(pk=staged.pk)
    assert stopped.status == ImportStatus.COMMITTING and stopped.attempts == 1
    assert SourceRecord.objects.count() == 0  # two batches had been written: all rolled back
    first_task = DBTaskResult.objects.get(id=stopped.task_id)
    assert first_task.status == "RUNNING"  # django-tasks-db does not know its worker died

    second = _run_worker(tmp_path, database, "second")
    assert second.returncode == 0, second.stderr
    assert f"Imports interrupted by a stopped worker: {staged.pk} (police.csv) queued again" in second.stdout
    done = FeedImport.objects.get(pk=staged.pk)
    assert done.status == ImportStatus.COMMITTED and done.rows_new == rows and done.attempts == 2
    assert SourceRecord.objects.count() == rows
    assert [(i["stage"], i["action"]) for i in done.interruptions] == [("committing", "queued again")]
    first_task.refresh_from_db()
    assert first_task.status == "FAILED" and "The worker stopped while committing" in first_task.traceback
    assert DBTaskResult.objects.get(id=done.task_id).status == "SUCCESSFUL"
