"""/healthz and /readyz: open to anyone (a load balancer has no session), never cached, never about a
person; /readyz answers 503 naming the check that failed."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import timezone

from marsoc.core.models import WorkerHeartbeat
from marsoc.ops import readiness


def beat(ago: timedelta, state: str = WorkerHeartbeat.State.RUNNING) -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(
        worker_id=f"w-{ago.total_seconds()}",
        hostname="test",
        pid=1,
        state=state,
        started_at=timezone.now() - ago,
        beat_at=timezone.now() - ago,
    )


@pytest.fixture(autouse=True)
def _fresh_migration_check(monkeypatch):
    monkeypatch.setattr(readiness, "_migrations_applied", False)


def test_healthz_answers_anyone_without_touching_the_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_is_not_ready_without_a_worker(db):
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert body["checks"]["worker"] == {
        "ok": False,
        "detail": "no task worker has ever beaten: start `marsoc db_worker`",
    }


def test_readyz_is_ready_with_a_recent_heartbeat_and_not_with_a_stale_one(db):
    stale = beat(timedelta(minutes=5))
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert "gone quiet" in response.json()["checks"]["worker"]["detail"]
    stale.delete()
    beat(timedelta(seconds=1))
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert set(response.json()["checks"]) == {"database", "migrations", "worker"}


def test_a_stopped_worker_does_not_count(db):
    beat(timedelta(seconds=1), state=WorkerHeartbeat.State.STOPPED)
    assert Client().get("/readyz").status_code == 503


def test_readyz_names_unapplied_migrations(db):
    beat(timedelta(seconds=1))
    recorder = MigrationRecorder(connection)
    latest = recorder.migration_qs.filter(app="core").order_by("-name").first()
    latest.delete()  # as if the code were deployed before `marsoc migrate` (rolled back after the test)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {
        "ok": False,
        "detail": "1 not applied: run `marsoc migrate`",
    }


def test_readyz_says_so_when_the_database_does_not_answer(db, monkeypatch):
    beat(timedelta(seconds=1))
    # A real refusal: the connection is pointed at a loopback port where nothing listens.
    if connection.vendor != "postgresql":
        pytest.skip("an SQLite file always answers")
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "PORT", 18399)
    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
    checks = readiness.readiness()
    assert [c.name for c in checks if not c.ok] == ["database", "migrations", "worker"]
    assert checks[0].detail.startswith("the database did not answer")


def test_probes_are_open_to_anonymous_callers_and_refuse_writes(db):
    client = Client()
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code in (200, 503), path
        assert "sign-in" not in response.get("Location", "")
        assert client.post(path).status_code == 405


def test_every_role_gets_the_same_probe_answers_and_nothing_personal(db):
    """The allow rows for every role: the same body as an anonymous caller's, keys only from the checks."""
    from tests.conftest import make_user, signed_in
    from tests.test_access_matrix import ACTORS

    beat(timedelta(seconds=1))
    anonymous = Client().get("/readyz").json()
    for actor in ACTORS:
        user = make_user(
            actor.key.replace("_", "."), actor.roles, hub_code=actor.hub, agency_code=actor.agency
        )
        client = signed_in(user)
        assert client.get("/healthz").json() == {"status": "ok"}, actor.key
        body = client.get("/readyz").json()
        assert body["status"] == anonymous["status"] == "ready", actor.key
        assert set(body["checks"]) == {"database", "migrations", "worker"}
        assert user.username not in str(body)
