from typing import Any

from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "marsoc.assessment"
    label = "assessment"
    verbose_name = "Assessment and prioritisation"

    def ready(self) -> None:
        from marsoc.core.worker import worker_starting

        worker_starting.connect(recover_dry_runs_on_worker_start, dispatch_uid="assessment-dry-runs-recover")


def recover_dry_runs_on_worker_start(**kwargs: Any) -> str:
    """Dry runs a stopped worker left unfinished are queued again (or failed) before work starts."""
    from .services import dry_runs_recover

    if runs := dry_runs_recover():
        return "Dry runs interrupted by a stopped worker: " + ", ".join(
            f"{r.pk} {r.interruptions[-1]['action']}" for r in runs
        )
    return ""
