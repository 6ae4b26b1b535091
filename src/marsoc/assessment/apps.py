from marsoc.core import worker


class AssessmentConfig(worker.WorkerAppConfig):
    name = "marsoc.assessment"
    label = "assessment"
    verbose_name = "Assessment and prioritisation"
    on_worker_start = ("marsoc.assessment.apps.recover_dry_runs",)


def recover_dry_runs() -> str:
    """Dry runs a stopped worker left unfinished are queued again (or failed) before work starts."""
    from .services import dry_runs_recover

    return worker.interrupted("Dry runs", dry_runs_recover())
