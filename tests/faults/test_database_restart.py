"""Issue 14, defect 6 and the restart fault: the database is restarted (an immediate stop: every
connection cut, like a crash) under 20 concurrent API clients and during an import's commit, on a
private PostgreSQL cluster. Nothing is restarted by hand: the web tier must answer again, in JSON
throughout, and the same `marsoc db_worker` process must reconnect, finish the interrupted import
exactly once, and take new work. Before the fix the worker exited and later imports stayed staged."""

import threading
import time

import pytest
from django.db import connection

from . import cluster
from .stack import Stack, police_csv

CLIENTS = 20
ROWS = 20_000


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: restarts a private PostgreSQL cluster")
    if not cluster.available():
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    built = Stack.build(tmp_path_factory.mktemp("restart"))
    yield built
    built.stop()


class Clients:
    """CLIENTS threads reading the API until told to stop, each answer kept as (time, status, type)."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.answers: list[list[tuple[float, int, str]]] = [[] for _ in range(CLIENTS)]
        self.running = True
        self.threads = [threading.Thread(target=self._read, args=(i,)) for i in range(CLIENTS)]

    def _read(self, i: int) -> None:
        while self.running:
            status, kind, _ = self.stack.get("/api/nominals?page_size=5")
            self.answers[i].append((time.monotonic(), status, kind))
            time.sleep(0.05)

    def __enter__(self) -> "Clients":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.running = False
        for thread in self.threads:
            thread.join(timeout=30)


def test_web_and_worker_recover_from_a_database_restart_without_help(stack, tmp_path):
    worker = stack.start_worker("restart-worker")
    stack.start_web()

    big = police_csv(tmp_path / "big.csv", ROWS)
    stack.command("import_feed", str(big), "--mapping", "police-pnc", "--agency", "mps", "--hub", "london",
                  "--as", "faults.manager", "--queue")  # fmt: skip
    import_id = stack.sql("SELECT max(id) FROM linkage_feedimport")[0][0]

    with Clients(stack) as clients:
        time.sleep(1.0)
        stack.wait_for("SELECT status FROM linkage_feedimport WHERE id = %s", "committing", 120, import_id)
        cut = time.monotonic()
        stack.cluster.restart(down_for=2.0)  # immediate stop: the commit's connection is cut
        back = time.monotonic()
        time.sleep(8.0)

    # The import interrupted mid-commit is finished by the same worker, exactly once.
    stack.wait_for("SELECT status FROM linkage_feedimport WHERE id = %s", "committed", 180, import_id)
    assert stack.sql("SELECT count(*) FROM linkage_sourcerecord")[0][0] == ROWS
    assert stack.sql("SELECT rows_new FROM linkage_feedimport WHERE id = %s", import_id)[0][0] == ROWS
    assert worker.poll() is None, "the worker exited when the database restarted"

    # The web tier: JSON before, during and after; every client reading again soon after the restart.
    answers = [a for per_client in clients.answers for a in per_client]
    assert answers and all(kind.startswith("application/json") for _, status, kind in answers if status), {
        (status, kind) for _, status, kind in answers
    }
    assert all(status == 200 for at, status, _ in answers if at < cut)
    for per_client in clients.answers:
        late = [status for at, status, _ in per_client if at > back + 3.0]
        assert late and set(late) == {200}, per_client[-10:]
    failures = [status for at, status, _ in answers if cut <= at and status != 200]
    print(f"{len(answers)} answers; {len(failures)} not 200 around the restart: {sorted(set(failures))}")

    # The worker says what happened, and takes new work without anyone restarting it.
    state, reconnects = stack.sql(
        "SELECT state, reconnects FROM core_workerheartbeat WHERE worker_id = 'restart-worker'"
    )[0]
    assert state == "running" and reconnects >= 1
    small = police_csv(tmp_path / "small.csv", 50, prefix="S")
    stack.command("import_feed", str(small), "--mapping", "police-pnc", "--agency", "mps", "--hub", "london",
                  "--as", "faults.manager", "--queue")  # fmt: skip
    latest = stack.sql("SELECT max(id) FROM linkage_feedimport")[0][0]
    stack.wait_for("SELECT status FROM linkage_feedimport WHERE id = %s", "committed", 60, latest)
    assert stack.sql("SELECT count(*) FROM linkage_sourcerecord")[0][0] == ROWS + 50
