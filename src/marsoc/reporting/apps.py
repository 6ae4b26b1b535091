from marsoc.core import worker


class ReportingConfig(worker.WorkerAppConfig):
    name = "marsoc.reporting"
    label = "reporting"
    verbose_name = "Delivery Board reporting"
    # Snapshot refreshes a stopped worker left half done are queued again (reporting/tasks.py).
    on_worker_start = ("marsoc.reporting.tasks.snapshots_recover",)
