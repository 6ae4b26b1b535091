"""The task worker's heartbeat (issue 14: a worker heartbeat the admin or a readiness check can
read): the row a worker writes, and `worker_status`, which tells live workers from silent ones."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marsoc.core.heartbeat import Heartbeat, worker_status
from marsoc.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_a_beating_worker_is_alive_and_says_what_it_runs(settings):
    settings.MARSOC_WORKER_HEARTBEAT_SECONDS = 10
    beat = Heartbeat("w1")
    beat.task = "marsoc.linkage.tasks.feed_import_task"
    assert beat.beat()
    row = WorkerHeartbeat.objects.get(worker_id="w1")
    assert row.state == "running" and row.task.endswith("feed_import_task") and row.pid > 0
    status = worker_status()
    assert status.ok and [r.worker_id for r in status.alive] == ["w1"] and status.silent == []


def test_a_worker_that_went_quiet_is_not_alive_and_a_stopped_one_is_not_listed(settings):
    settings.MARSOC_WORKER_HEARTBEAT_SECONDS = 10
    Heartbeat("quiet").beat()
    WorkerHeartbeat.objects.filter(worker_id="quiet").update(beat_at=timezone.now() - timedelta(seconds=31))
    stopped = Heartbeat("stopped")
    stopped.state = WorkerHeartbeat.State.STOPPED
    stopped.beat()
    status = worker_status()
    assert not status.ok and [r.worker_id for r in status.silent] == ["quiet"]


def test_the_system_administrator_sees_heartbeats_read_only():
    from ..conftest import make_user, signed_in

    Heartbeat("w2").beat()
    client = signed_in(make_user("sys.ops", ["system_admin"], hub_code=None, agency_code="hmpps-marsoc"))
    page = client.get("/admin/core/workerheartbeat/")
    assert page.status_code == 200 and "Running" in page.content.decode()
    assert client.get("/admin/core/workerheartbeat/add/").status_code == 403
