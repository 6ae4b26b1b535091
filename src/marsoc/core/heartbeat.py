"""The task worker's heartbeat: each `marsoc db_worker` process writes its WorkerHeartbeat row every
MARSOC_WORKER_HEARTBEAT_SECONDS from a thread of its own (so a long import does not silence it), and
anyone may ask `worker_status()` whether a worker is alive. A worker counts as alive while its row is
younger than three beats and it is not stopped."""

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from .models import WorkerHeartbeat

logger = logging.getLogger("marsoc.worker")
STALE_ROWS_AFTER = timedelta(days=7)  # rows of workers gone this long are removed when a worker starts


def heartbeat_seconds() -> float:
    return float(getattr(settings, "MARSOC_WORKER_HEARTBEAT_SECONDS", 10))


@dataclass(frozen=True)
class WorkerStatus:
    """What a readiness check or the admin needs: how many workers are alive, and the rows."""

    alive: list[WorkerHeartbeat] = field(default_factory=list)
    silent: list[WorkerHeartbeat] = field(default_factory=list)  # not stopped, but no beat lately
    checked_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return bool(self.alive)


def worker_status(now: datetime | None = None) -> WorkerStatus:
    """Workers that wrote their heartbeat within three beats (alive) and those that went quiet."""
    now = now or timezone.now()
    recent = now - timedelta(seconds=3 * heartbeat_seconds())
    rows = list(WorkerHeartbeat.objects.exclude(state=WorkerHeartbeat.State.STOPPED).order_by("-beat_at"))
    return WorkerStatus(
        alive=[r for r in rows if r.beat_at >= recent],
        silent=[r for r in rows if r.beat_at < recent],
        checked_at=now,
    )


class Heartbeat:
    """The beating thread of one worker process. `task`/`state` are set by the worker's own thread;
    `on_beat` (recovery of stopped jobs) runs after each write, at most once a minute."""

    def __init__(self, worker_id: str, on_beat: Callable[[], None] | None = None) -> None:
        self.worker_id = worker_id
        self.state = WorkerHeartbeat.State.RUNNING
        self.task = ""
        self.task_started_at: datetime | None = None
        self.reconnects = 0
        self.started_at = timezone.now()
        self.on_beat = on_beat
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="marsoc-heartbeat", daemon=True)

    def start(self) -> None:
        try:
            WorkerHeartbeat.objects.filter(beat_at__lt=timezone.now() - STALE_ROWS_AFTER).delete()
        except DatabaseError:
            connection.close()  # the first beats will say the database is unreachable
        self.beat()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=heartbeat_seconds() + 5)
        self.state = WorkerHeartbeat.State.STOPPED
        self.beat()

    def beat(self) -> bool:
        """Write the row; False (and logged) if the database cannot be reached just now."""
        try:
            WorkerHeartbeat.objects.update_or_create(
                worker_id=self.worker_id,
                defaults={
                    "hostname": socket.gethostname()[:255],
                    "pid": os.getpid(),
                    "started_at": self.started_at,
                    "beat_at": timezone.now(),
                    "state": self.state,
                    "task": self.task[:200],
                    "task_started_at": self.task_started_at,
                    "reconnects": self.reconnects,
                },
            )
            return True
        except DatabaseError as error:
            logger.warning("Worker heartbeat not written (the database is unreachable?): %s", error)
            connection.close()  # a fresh connection on the next beat
            return False

    def _loop(self) -> None:
        try:
            while not self._stop.wait(heartbeat_seconds()):
                if self.beat() and self.on_beat is not None:
                    self.on_beat()
        finally:
            connection.close()  # this thread's own connection
