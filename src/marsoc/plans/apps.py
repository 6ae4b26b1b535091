from typing import Any

from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "marsoc.plans"
    label = "plans"
    verbose_name = "Disruption plans, outcomes and tasking"

    def ready(self) -> None:
        from marsoc.core.worker import worker_starting

        worker_starting.connect(schedule_alerts_on_worker_start, dispatch_uid="plans-alerts-schedule")


def schedule_alerts_on_worker_start(**kwargs: Any) -> str:
    """A run whose worker stopped is queued again; a worker that starts with no alert run waiting runs
    one now (which queues the next): alerts appear without anyone running a command (plans/tasks.py).
    Also sent once a minute while a worker runs (core db_worker)."""
    from .tasks import alerts_recover, alerts_schedule

    said = alerts_recover()  # first: a run queued again is the run waiting
    at = alerts_schedule(run_after=None)
    if at is not None:
        said.append("Alerts: a run is queued now; each run queues the next for 06:00")
    return "; ".join(said)
