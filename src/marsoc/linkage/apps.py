from marsoc.core import worker
from marsoc.core.processing import switched_on


class LinkageConfig(worker.WorkerAppConfig):
    name = "marsoc.linkage"
    label = "linkage"
    verbose_name = "Feed imports and identity resolution"
    on_worker_start = ("marsoc.linkage.apps.recover_imports", "marsoc.linkage.apps.recover_runs")


def recover_imports() -> str:
    """Imports a stopped worker left half done are queued again (or failed) before work starts."""
    from .services import imports_recover

    if not switched_on("linkage"):  # switched off: its work waits, untouched, until it is on again
        return ""
    return worker.interrupted("Imports", imports_recover(), lambda i: f"{i.pk} ({i.filename})")


def recover_runs() -> str:
    """Linkage runs a stopped worker left half done are queued again (or failed)."""
    from .services import runs_recover

    if not switched_on("linkage"):
        return ""
    return worker.interrupted("Linkage runs", runs_recover())
