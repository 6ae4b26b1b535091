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
    """A worker that starts with no alert run waiting runs one now (which queues the next): alerts appear
    without anyone running a command (plans/tasks.py)."""
    from .tasks import alerts_schedule

    at = alerts_schedule(run_after=None)
    return "Alerts: a run is queued now; each run queues the next for 06:00" if at is not None else ""
