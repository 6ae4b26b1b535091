"""The task worker's own hooks. `worker_starting` is sent by `marsoc db_worker` (our subclass of
django-tasks-db's command) before it takes its first task, so an app can put right what a stopped
worker left behind: linkage re-queues or fails imports whose worker died (linkage/apps.py).

Receivers take `**kwargs` and should be quick; an exception in one is logged and the worker starts
anyway, because a worker that will not start helps no one."""

from django.dispatch import Signal

worker_starting = Signal()
