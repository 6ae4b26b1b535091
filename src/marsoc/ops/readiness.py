"""Readiness: may a load balancer send this process traffic? Three questions, each answered without
personal data: the database answers, every migration on disk is applied, a task worker beat recently;
and, in production, a fourth: every high-risk processing switched on rests on a completed DPIA."""

import time
from dataclasses import dataclass

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from marsoc.core.heartbeat import worker_status
from marsoc.funding.dpia_gate import dpia_gate_problems, gate_open


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


# Once every migration is applied it stays so for this process's life: a deploy that brings new
# migrations restarts the processes. Until then the (costly) plan is computed on every probe.
_migrations_applied = False


def _unread(name: str, what: str, exc: DatabaseError) -> Check:
    """A check whose read failed: the connection is closed, so the next probe opens a fresh one."""
    connection.close()
    return Check(name, False, f"{what} ({type(exc).__name__})")


def _database() -> Check:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return _unread("database", "the database did not answer", exc)
    return Check("database", True, f"answered in {1000 * (time.monotonic() - started):.0f} ms")


def _migrations() -> Check:
    global _migrations_applied
    if _migrations_applied:
        return Check("migrations", True, "all applied")
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return _unread("migrations", "could not be read", exc)
    if plan:
        return Check("migrations", False, f"{len(plan)} not applied: run `marsoc migrate`")
    _migrations_applied = True
    return Check("migrations", True, "all applied")


def _worker() -> Check:
    try:
        status = worker_status()
    except DatabaseError as exc:
        return _unread("worker", "heartbeats could not be read", exc)
    if status.ok:
        return Check("worker", True, f"{len(status.alive)} alive")
    if status.silent:
        return Check("worker", False, f"no recent heartbeat ({len(status.silent)} gone quiet)")
    return Check("worker", False, "no task worker has ever beaten: start `marsoc db_worker`")


def _dpia() -> Check:
    try:
        problems = dpia_gate_problems()
    except DatabaseError as exc:
        return _unread("dpia", "the governance register could not be read", exc)
    if problems:
        return Check("dpia", False, "; ".join(problems))
    return Check("dpia", True, "every high-risk processing switched on has a completed DPIA")


def readiness() -> list[Check]:
    database = _database()
    if not database.ok:  # the other two would only repeat that the database is away
        return [
            database,
            Check("migrations", False, "not checked"),
            Check("worker", False, "not checked"),
        ]
    checks = [database, _migrations(), _worker()]
    # Production only: high-risk processing without a completed DPIA keeps traffic away.
    return checks if gate_open() else [*checks, _dpia()]
