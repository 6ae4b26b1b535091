"""The task worker killed with SIGKILL in the middle of each long job kind: import validation,
import commit, a linkage run, a method dry run, the daily alert run, an audit-chain check and a
Board report build (the monthly snapshots). A real `marsoc db_worker` process is started for
the job and kills itself at the chosen moment (as `kill -9` or the out-of-memory killer would: no
clean-up runs); a second real worker is then started, and the job must end exactly once: nothing of
the killed attempt kept, the same figures as an uninterrupted job, the job marked as interrupted once.

PostgreSQL only (the workers share the test database; the SQLite variant of the commit kill is
tests/linkage/test_import_recovery.py)."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from marsoc.accounts.models import Agency, Hub
from marsoc.linkage import services
from marsoc.linkage.mapping import built_in_mappings, load_mapping
from marsoc.linkage.models import FeedImport, ImportStatus, LinkageRun, RunStatus, SourceRecord

from ..linkage.helpers import police_row, write_csv

pytestmark = [pytest.mark.postgres, pytest.mark.flushes]
ROOT = Path(__file__).resolve().parents[2]

WORKER = """
import os, signal, sys
import django
django.setup()
from django.core.management import call_command

def die_after(module, name, calls):
    # Replace module.name by a function that SIGKILLs this process on call number `calls` + 1.
    original, seen = getattr(module, name), [0]
    def dying(*args, **kwargs):
        seen[0] += 1
        if seen[0] > calls:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(*args, **kwargs)
    setattr(module, name, dying)

kind, job = os.environ.get("JOB", ""), int(os.environ.get("JOB_ID", "0"))
if kind == "import":
    from marsoc.linkage import services
    services._enqueue(job)
elif kind == "run":
    from marsoc.linkage import services
    services._enqueue_run(job)
elif kind == "dry_run":
    from marsoc.assessment.services import dry_run_enqueue
    dry_run_enqueue(job)
elif kind == "audit_verify":
    from marsoc.core.tasks import audit_verify_task
    audit_verify_task.enqueue(job)
elif kind == "snapshots":
    from marsoc.reporting.tasks import snapshots_refresh_task
    snapshots_refresh_task.enqueue(months=job)
kill = os.environ.get("KILL", "")
if kill == "validate":
    from marsoc.linkage.services import imports
    die_after(imports, "formula_problems", int(os.environ["AFTER"]))  # called once per row, validating only
elif kill == "commit":
    from marsoc.linkage.services import imports
    die_after(imports, "content_hash", int(os.environ["AFTER"]))  # called once per row, committing only
elif kill == "run":
    from marsoc.linkage import services
    die_after(services, "_queue_pairs", 0)  # people written, pairs about to be: inside the one transaction
elif kill == "dry_run":
    from marsoc.assessment import dry_runs
    die_after(dry_runs, "score_only", int(os.environ["AFTER"]))
elif kill == "alerts":
    from marsoc.plans import alerts
    die_after(alerts, "alert_issue", int(os.environ["AFTER"]))  # once per event: some alerts made, not all
elif kill == "snapshots":
    from marsoc.reporting import services as reporting_services
    die_after(reporting_services, "snapshot_build", int(os.environ["AFTER"]))  # once per month built
elif kill == "audit_verify":
    from marsoc.core import audit
    die_after(audit, "keyed_hash", int(os.environ["AFTER"]))  # once per entry walked
call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0", "--worker-id", sys.argv[1])
"""


@pytest.fixture
def worker(committed, postgres_only, tmp_path, settings):
    """Run a real worker process on the test database: worker(name, **env) -> CompletedProcess."""
    settings.LINKAGE_STAGING_DIR = tmp_path / "staged"
    keep = ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
    database = {key: connection.settings_dict[key] for key in keep}
    (tmp_path / "kill_settings.py").write_text(
        "from marsoc.config.settings.test import *\n"
        'TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}\n'
        f"DATABASES = {{'default': {database!r}}}\n"
        f"LINKAGE_STAGING_DIR = {str(tmp_path / 'staged')!r}\n"
        f"MARSOC_LOCK_DIR = {str(settings.VAR_DIR / 'locks')!r}\n"
    )
    (tmp_path / "kill_worker.py").write_text(WORKER)

    def run(name: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(tmp_path / "kill_worker.py"), name],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "kill_settings",
                 "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT / 'src'}", **env},
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip

    return run


def _staged_import(tmp_path: Path, rows: int) -> FeedImport:
    path = write_csv(
        tmp_path / "police.csv", [police_row(f"K{i}", family=f"Family{i % 211}") for i in range(rows)]
    )
    return services.feed_stage(
        actor=None,
        source_path=path,
        filename=path.name,
        mapping=load_mapping(built_in_mappings()["police-pnc"]),
        source_agency=Agency.objects.get(code="mps"),
        owner_hub=Hub.objects.get(code="london"),
    )


@pytest.mark.parametrize(("stage", "after"), [("validate", 1_500), ("commit", 2_500)])
def test_an_import_killed_while_validating_or_committing_ends_exactly_once(worker, tmp_path, stage, after):
    rows = 3_000
    staged = _staged_import(tmp_path, rows)
    killed = worker("first", JOB="import", JOB_ID=str(staged.pk), KILL=stage, AFTER=str(after))
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    stopped = FeedImport.objects.get(pk=staged.pk)
    assert stopped.status == ("validating" if stage == "validate" else "committing")
    assert SourceRecord.objects.count() == 0  # nothing of the killed attempt

    second = worker("second")
    assert second.returncode == 0, second.stderr[-2000:]
    done = FeedImport.objects.get(pk=staged.pk)
    assert done.status == ImportStatus.COMMITTED and done.rows_new == rows and done.attempts == 2
    assert SourceRecord.objects.count() == rows  # exactly once
    assert [i["stage"] for i in done.interruptions] == [stopped.status]


def test_a_linkage_run_killed_while_writing_ends_exactly_once(worker, tmp_path):
    from marsoc.linkage.models import CandidatePair, Person
    from marsoc.linkage.synthetic import make_feeds

    from ..linkage.helpers import FEEDS, run_import

    paths = make_feeds(400, seed=3).write(tmp_path)
    for feed, (mapping, agency) in FEEDS.items():
        assert run_import(paths[feed], mapping=mapping, agency=agency).status == ImportStatus.COMMITTED
    run = LinkageRun.objects.create(status=RunStatus.QUEUED)
    people_before = Person.objects.count()

    killed = worker("first", JOB="run", JOB_ID=str(run.pk), KILL="run")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING
    assert Person.objects.count() == people_before and CandidatePair.objects.count() == 0  # rolled back

    second = worker("second")
    assert second.returncode == 0, second.stderr[-2000:]
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED and run.attempts == 2, (run.status, run.error)
    assert LinkageRun.objects.filter(status=RunStatus.FINISHED).count() == 1
    # Exactly once: every record belongs to one live person, and no pair is queued twice.
    assert not SourceRecord.objects.filter(person__isnull=True).exists()
    assert not SourceRecord.objects.filter(person__merged_into__isnull=False).exists()
    pairs = list(CandidatePair.objects.values_list("left_id", "right_id"))
    assert len(pairs) == len(set(pairs)) == run.summary["queued_for_review"]


def test_a_dry_run_killed_while_rescoring_ends_exactly_once(worker):
    from marsoc.assessment import services as assessment
    from marsoc.assessment.dry_runs import dry_run_execute
    from marsoc.assessment.models import DryRunChange, DryRunStatus, MethodDryRun
    from marsoc.core.vocabulary import Role

    from ..assessment.test_dry_run import candidate_text, uniform
    from ..conftest import make_nominal, make_user

    officer = make_user("kill.officer", [Role.HUB_OFFICER], agency_code="hmpps-prisons-london")
    analyst = make_user(
        "kill.analyst", [Role.NATIONAL_ANALYST], hub_code="national", agency_code="hmpps-marsoc"
    )
    for i in range(30):
        nominal = make_nominal(officer, family=f"Kill{i}")
        assessment.assessment_submit(actor=officer, nominal=nominal, levels=uniform(1 + i % 3))
    candidate = assessment.method_load(actor=analyst, text=candidate_text())
    run = MethodDryRun.objects.create(candidate=candidate, requested_by=analyst)

    killed = worker("first", JOB="dry_run", JOB_ID=str(run.pk), KILL="dry_run", AFTER="20")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    run.refresh_from_db()
    assert run.status == DryRunStatus.RUNNING and not DryRunChange.objects.filter(dry_run=run).exists()

    second = worker("second")
    assert second.returncode == 0, second.stderr[-2000:]
    run.refresh_from_db()
    assert run.status == DryRunStatus.DONE and run.attempts == 2 and run.rescored == 30
    assert [i["action"] for i in run.interruptions] == ["queued again"]
    # The same figures as an uninterrupted dry run of the same candidate, stored once.
    clean = dry_run_execute(MethodDryRun.objects.create(candidate=candidate, requested_by=analyst).pk)
    assert (run.changed, run.transitions) == (clean.changed, clean.transitions)
    assert DryRunChange.objects.filter(dry_run=run).count() == run.changed


def _tasks(task, status=None):
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(task_path=task.module_path)
    return rows.filter(status=status) if status else rows


def test_an_alert_run_killed_midway_is_redone_once_and_the_schedule_goes_on(worker):
    """The worker starting queues an alert run (plans/apps.py); it dies after 2 of 6 events."""
    from django.utils import timezone

    from marsoc.plans.models import Alert
    from marsoc.plans.schedule import next_alerts_run
    from marsoc.plans.tasks import alerts_task

    from ..conftest import make_nominal
    from ..plans.helpers import World, adopt, sentence

    w = World()
    type(w.manager).objects.filter(pk=w.manager.pk).update(email="london.mgr@example.test")
    for i in range(6):  # six releases with no agreed plan: one alert each for the hub manager
        sentence(
            adopt(make_nominal(w.manager, family=f"Alert{i}"), w.manager), w.officer, release_in_days=60 + i
        )

    killed = worker("first", KILL="alerts", AFTER="2")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    (dead,) = _tasks(alerts_task, "RUNNING")
    assert 0 < Alert.objects.count() < 6

    second = worker("second")
    assert second.returncode == 0, second.stderr[-2000:]
    dead.refresh_from_db()
    assert dead.status == "FAILED" and "worker stopped" in dead.traceback
    assert dead.exception_class_path == "marsoc.core.jobs.WorkerStopped"
    assert _tasks(alerts_task, "SUCCESSFUL").count() == 1  # redone once, not once per hook
    # Exactly once: one alert per release, every one e-mailed.
    alerts = list(Alert.objects.filter(kind="release_no_plan").values_list("key", "user_id", "emailed_at"))
    assert len(alerts) == len({(k, u) for k, u, _ in alerts}) == 6
    assert all(sent is not None for *_, sent in alerts)
    (tomorrow,) = _tasks(alerts_task, "READY")  # and the schedule goes on
    assert tomorrow.run_after == next_alerts_run(timezone.now())
    assert not _tasks(alerts_task, "RUNNING").exists()


def test_an_audit_check_killed_midway_is_walked_again_and_finished(worker):
    from marsoc.core.actions import AuditAction
    from marsoc.core.audit import audit_record, audit_verify
    from marsoc.core.models import AuditEvent, AuditVerification
    from marsoc.core.tasks import audit_verify_task

    for i in range(40):
        audit_record(actor=None, action=AuditAction.AUDIT_BROWSE, justification=f"entry {i}")
    check = AuditVerification.objects.create()

    killed = worker("first", JOB="audit_verify", JOB_ID=str(check.pk), KILL="audit_verify", AFTER="20")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    check.refresh_from_db()
    assert check.finished_at is None and check.ok is None
    (dead,) = _tasks(audit_verify_task, "RUNNING")

    second = worker("second")
    assert second.returncode == 0, second.stderr[-2000:]
    check.refresh_from_db()
    dead.refresh_from_db()
    assert dead.status == "FAILED" and dead.exception_class_path == "marsoc.core.jobs.WorkerStopped"
    assert check.finished_at is not None and check.ok is True, check.reason
    assert check.checked == audit_verify().checked == AuditEvent.objects.count()
    assert _tasks(audit_verify_task, "SUCCESSFUL").count() == 1


def test_a_report_build_killed_midway_is_redone_once_and_builds_each_month_once(worker):
    """The Board's monthly snapshots (reporting/tasks.py): the worker dies after 3 of 6 months."""
    from marsoc.reporting.models import Figure, Snapshot
    from marsoc.reporting.services import snapshots_refresh
    from marsoc.reporting.tasks import snapshots_refresh_task

    from ..reporting.helpers import reporting_world

    reporting_world()  # people referred in October and adopted in November: figures to count
    killed = worker("first", JOB="snapshots", JOB_ID="6", KILL="snapshots", AFTER="3")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert Snapshot.objects.count() == 3  # each month is built in its own transaction
    (dead,) = _tasks(snapshots_refresh_task, "RUNNING")

    second = worker("second")
    assert second.returncode == 0, second.stderr[-2000:]
    dead.refresh_from_db()
    assert dead.status == "FAILED" and dead.exception_class_path == "marsoc.core.jobs.WorkerStopped"
    assert _tasks(snapshots_refresh_task, "SUCCESSFUL").count() == 1  # redone once
    months = list(Snapshot.objects.values_list("month", flat=True))
    assert len(months) == len(set(months)) == 6

    def figures() -> list[tuple[object, ...]]:
        return sorted(
            Figure.objects.values_list(
                "snapshot__month", "hub_id", "measure", "category", "classification", "value"
            )
        )

    # The same figures as an uninterrupted build of the same months.
    recovered = figures()
    assert recovered  # the world's referrals and adoptions were counted
    snapshots_refresh(months=6, rebuild=True)
    assert recovered == figures()
