from typing import Any

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "marsoc.reporting"
    label = "reporting"
    verbose_name = "Delivery Board reporting"

    def ready(self) -> None:
        from marsoc.core.worker import worker_starting

        worker_starting.connect(recover_snapshots_on_worker_start, dispatch_uid="reporting-snapshots-recover")


def recover_snapshots_on_worker_start(**kwargs: Any) -> str:
    """Snapshot refreshes a stopped worker left half done are queued again (reporting/tasks.py)."""
    from .tasks import snapshots_recover

    return "; ".join(snapshots_recover())
