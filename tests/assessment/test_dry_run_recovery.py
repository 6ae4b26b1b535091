"""Issue 14, defect 5: a method dry run whose worker died stayed "running" for ever. It is now
recovered like an import: queued again when its lock is free, left alone while a worker holds it,
failed after three stops; the dry run's page and the worker's start both run the check."""

import pytest

from marsoc.assessment import services
from marsoc.assessment.dry_runs import dry_run_lock_path
from marsoc.assessment.models import DryRunChange, DryRunStatus, MethodDryRun
from marsoc.core.jobs import file_lock
from marsoc.core.models import AuditEvent
from marsoc.core.worker import worker_starting

from ..conftest import signed_in
from .test_dry_run import analyst, candidate_text, cohort  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _stopped_run(analyst) -> MethodDryRun:  # noqa: F811
    """A dry run as a worker killed mid-run leaves it: marked running, attempt 1, nothing stored
    (its one transaction rolled back), its lock free."""
    candidate = services.method_load(actor=analyst, text=candidate_text())
    run = services.dry_run_request(actor=analyst, candidate=candidate)  # immediate backend: done
    expected = (run.changed, run.transitions)
    DryRunChange.objects.filter(dry_run=run).delete()
    MethodDryRun.objects.filter(pk=run.pk).update(
        status=DryRunStatus.RUNNING, attempts=1, changed=0, transitions={}, finished_at=None
    )
    run.refresh_from_db()
    run.expected = expected  # type: ignore[attr-defined]
    return run


def test_a_stopped_dry_run_is_queued_again_and_finishes_once(analyst, cohort):  # noqa: F811
    run = _stopped_run(analyst)
    recovered = services.dry_runs_recover()
    assert [r.pk for r in recovered] == [run.pk]
    run.refresh_from_db()
    assert run.status == DryRunStatus.DONE and run.attempts == 2
    assert (run.changed, run.transitions) == run.expected
    assert DryRunChange.objects.filter(dry_run=run).count() == run.changed  # exactly once
    assert [(i["stage"], i["action"]) for i in run.interruptions] == [("while re-scoring", "queued again")]
    assert AuditEvent.objects.filter(action="method.dry_run.requeue", object_id=str(run.pk)).exists()


def test_a_dry_run_whose_worker_holds_its_lock_is_left_alone(analyst, cohort):  # noqa: F811
    run = _stopped_run(analyst)
    with file_lock(dry_run_lock_path(run.pk)) as taken:
        assert taken
        assert services.dry_runs_recover() == []
    assert MethodDryRun.objects.get(pk=run.pk).status == DryRunStatus.RUNNING


def test_a_dry_run_that_stops_its_worker_three_times_fails_saying_so(analyst, cohort):  # noqa: F811
    run = _stopped_run(analyst)
    MethodDryRun.objects.filter(pk=run.pk).update(attempts=3)
    services.dry_runs_recover()
    run.refresh_from_db()
    assert run.status == DryRunStatus.FAILED and "stopped 3 times" in run.error
    assert AuditEvent.objects.filter(action="method.dry_run.fail", object_id=str(run.pk)).exists()


def test_the_worker_start_hook_and_the_page_recover_dry_runs(analyst, cohort):  # noqa: F811
    run = _stopped_run(analyst)
    replies = [reply for _, reply in worker_starting.send_robust(sender=None)]
    assert any(
        isinstance(r, str) and f"Dry runs interrupted by a stopped worker: {run.pk} queued again" in r
        for r in replies
    )
    assert MethodDryRun.objects.get(pk=run.pk).status == DryRunStatus.DONE
    second = _stopped_run(analyst)
    page = signed_in(analyst).get(f"/methods/dry-runs/{second.pk}/")
    assert page.status_code == 200
    assert "The task worker stopped during this dry run 1 time" in page.content.decode()
    assert MethodDryRun.objects.get(pk=second.pk).status == DryRunStatus.DONE
