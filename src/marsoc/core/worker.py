"""The task worker's own hooks. `worker_starting` is sent by `marsoc db_worker` (our subclass of
django-tasks-db's command) before it takes its first task, so an app can put right what a stopped
worker left behind: linkage re-queues or fails imports whose worker died (linkage/apps.py).

An app names its hooks in `WorkerAppConfig.on_worker_start`. Hooks should be quick; an exception in
one is logged and the worker starts anyway, because a worker that will not start helps no one."""

from collections.abc import Callable, Iterable
from importlib import import_module
from typing import Any

from django.apps import AppConfig
from django.dispatch import Signal

worker_starting = Signal()


class WorkerAppConfig(AppConfig):
    """An app that puts right, when a worker starts, what a stopped worker left behind. (An apps.py
    names it as `worker.WorkerAppConfig`: Django picks the one AppConfig class an apps.py holds.)

    `on_worker_start` holds dotted paths of functions taking no arguments that say what they did (text
    or a list of lines). They are imported when the signal comes, so loading the app stays light."""

    on_worker_start: tuple[str, ...] = ()

    def ready(self) -> None:
        for path in self.on_worker_start:
            worker_starting.connect(_receiver(path), dispatch_uid=path, weak=False)


def _receiver(path: str) -> Callable[..., str]:
    module, _, name = path.rpartition(".")

    def receiver(**kwargs: Any) -> str:
        said: str | list[str] = getattr(import_module(module), name)()
        return said if isinstance(said, str) else "; ".join(said)

    receiver.__qualname__ = path  # the worker's log names the hook that failed
    return receiver


def _pk(record: Any) -> str:
    return str(record.pk)


def interrupted(what: str, recovered: Iterable[Any], describe: Callable[[Any], str] = _pk) -> str:
    """ "Dry runs interrupted by a stopped worker: 4 queued again, 7 failed" ("" when none): each
    recovered record (with `interruptions`, newest last) by its id, `describe`d, and what was done."""
    done = [f"{describe(r)} {r.interruptions[-1]['action']}" for r in recovered]
    return f"{what} interrupted by a stopped worker: " + ", ".join(done) if done else ""
