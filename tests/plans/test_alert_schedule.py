"""The alert job lives on the worker: a starting worker queues a run if none waits, each run queues the
next for 06:00, and the real worker (`marsoc db_worker --batch`) runs it and produces the alerts."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from marsoc.plans.models import Alert
from marsoc.plans.schedule import next_alerts_run
from marsoc.plans.tasks import alerts_on_worker_start, alerts_task

from .helpers import World, sentence


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def waiting():
    return DBTaskResult.objects.filter(task_path=alerts_task.module_path, status=TaskResultStatus.READY)


def test_next_run_is_the_next_six_in_the_morning():
    tz = timezone.get_current_timezone()
    from datetime import datetime

    assert next_alerts_run(datetime(2026, 3, 2, 5, 0, tzinfo=tz)) == datetime(2026, 3, 2, 6, 0, tzinfo=tz)
    assert next_alerts_run(datetime(2026, 3, 2, 6, 0, tzinfo=tz)) == datetime(2026, 3, 3, 6, 0, tzinfo=tz)


def test_worker_start_queues_one_run_and_only_one(db, database_tasks):
    assert "queued" in alerts_on_worker_start()
    assert alerts_on_worker_start() == ""
    assert waiting().count() == 1


@pytest.mark.flushes
@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks
def test_the_worker_runs_it_produces_alerts_and_queues_tomorrows(database_tasks):
    from marsoc.accounts.reference import load_reference_data

    load_reference_data()  # a transactional test before this one may have flushed it
    w = World()
    sentence(w.nominal, w.officer, release_in_days=60)  # a release with no agreed plan: an alert
    alerts_on_worker_start()
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    done = DBTaskResult.objects.filter(task_path=alerts_task.module_path, status=TaskResultStatus.SUCCESSFUL)
    assert done.count() == 1
    assert Alert.objects.filter(kind="release_no_plan").exists()
    (nxt,) = waiting()
    assert nxt.run_after > timezone.now() and nxt.run_after - timezone.now() <= timedelta(days=1)
    assert timezone.localtime(nxt.run_after).hour == 6


def test_immediate_backend_never_schedules_itself(db):
    alerts_task.enqueue()  # the test settings' immediate backend runs it at once and queues nothing
    assert not DBTaskResult.objects.exists()
