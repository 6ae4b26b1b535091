"""`marsoc db_worker`: django-tasks-db's worker, made to keep going under faults.

- Before it takes its first task it sends `core.worker.worker_starting`, so apps recover work a
  stopped worker left half done (imports, linkage runs, dry runs); it sends it again after every
  reconnection and once a minute while it runs (a job whose worker died elsewhere is found).
- If the database goes away (a restart, a failover, a dropped connection) it does not exit: it waits
  and reconnects with back-off (1 s, doubling, at most MAX_BACKOFF), then carries on.
- A heartbeat thread writes its `WorkerHeartbeat` row (core.heartbeat) for the admin and readiness checks.

Every option is the original's. Supervise it (systemd: deploy/systemd/marsoc-worker.service) so that
a crash or an out-of-memory kill is restarted too; see docs/deployment.md."""

import logging
import os
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks.signals import task_finished, task_started
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from marsoc.core.heartbeat import Heartbeat
from marsoc.core.models import WorkerHeartbeat
from marsoc.core.worker import worker_starting

logger = logging.getLogger("marsoc.worker")
MAX_BACKOFF = 30.0  # seconds between attempts to reach the database, at most
RECOVER_EVERY = 60.0  # seconds between recovery passes while the worker runs


def recover(sender: object) -> list[str]:
    """Ask every app to put right what stopped workers left; what they said, for the log."""
    said = []
    for receiver, outcome in worker_starting.send_robust(sender=sender):
        if isinstance(outcome, Exception):
            logger.error("Worker recovery hook %r failed: %s", receiver, outcome, exc_info=outcome)
        elif outcome:
            said.append(str(outcome))
    return said


def wait_for_database(running: Callable[[], bool]) -> int:
    """Block until a query succeeds, sleeping 1, 2, 4 ... MAX_BACKOFF seconds between tries; the
    number of tries it took (0 if the worker is told to stop meanwhile)."""
    delay, tries = 1.0, 0
    while running():
        tries += 1
        connections.close_all()
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT 1")
            return tries
        except (OperationalError, InterfaceError) as error:
            logger.warning("Database still unreachable (%s); next try in %.0f s", str(error).strip(), delay)
            time.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF)
    return 0


class ResilientWorker(Worker):
    """django-tasks-db's Worker whose loop survives the database going away."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._last_recovery = time.monotonic()
        self.heartbeat = Heartbeat(self.worker_id, on_beat=self._recover_now_and_then)

    def _recover_now_and_then(self) -> None:
        if time.monotonic() - self._last_recovery >= RECOVER_EVERY:
            self._last_recovery = time.monotonic()
            for line in recover(type(self)):
                logger.info("%s", line)

    def _task_started(self, sender: object, task_result: Any, **kwargs: Any) -> None:
        self.heartbeat.task = getattr(task_result.task, "module_path", str(task_result.task))
        self.heartbeat.task_started_at = task_result.started_at

    def _task_finished(self, sender: object, task_result: Any, **kwargs: Any) -> None:
        self.heartbeat.task, self.heartbeat.task_started_at = "", None

    def run(self) -> None:
        task_started.connect(self._task_started)
        task_finished.connect(self._task_finished)
        self.heartbeat.start()
        try:
            while True:
                try:
                    super().run()
                    return  # --batch or --max-tasks: done
                except (OperationalError, InterfaceError) as error:
                    if not self.running:
                        return
                    logger.warning("Lost the database (%s); reconnecting", str(error).strip())
                    self.heartbeat.state = WorkerHeartbeat.State.RECONNECTING
                    self.running_task = False
                    if not wait_for_database(lambda: self.running):
                        return
                    self.heartbeat.reconnects += 1
                    self.heartbeat.state = WorkerHeartbeat.State.RUNNING
                    self.heartbeat.beat()
                    logger.warning("Reconnected to the database; recovering interrupted work")
                    for line in recover(type(self)):
                        logger.warning("%s", line)
        finally:
            task_started.disconnect(self._task_started)
            task_finished.disconnect(self._task_finished)
            self.heartbeat.stop()


class Command(DatabaseWorkerCommand):
    help = DatabaseWorkerCommand.help + " (recovering stopped work, surviving database restarts)"

    def handle(self, *args: Any, **options: Any) -> None:
        for line in recover(self.__class__):
            self.stdout.write(line)
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        if options["reload"] and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
