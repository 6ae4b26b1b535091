from typing import Any

from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "marsoc.linkage"
    label = "linkage"
    verbose_name = "Feed imports and identity resolution"

    def ready(self) -> None:
        from marsoc.core.worker import worker_starting

        worker_starting.connect(recover_imports_on_worker_start, dispatch_uid="linkage-imports-recover")


def recover_imports_on_worker_start(**kwargs: Any) -> str:
    """Imports and linkage runs a stopped worker left half done are queued again (or failed) before
    work starts."""
    from .services import imports_recover, runs_recover

    said = []
    if imports := imports_recover():
        said.append(
            "Imports interrupted by a stopped worker: "
            + ", ".join(f"{i.pk} ({i.filename}) {i.interruptions[-1]['action']}" for i in imports)
        )
    if runs := runs_recover():
        said.append(
            "Linkage runs interrupted by a stopped worker: "
            + ", ".join(f"{r.pk} {r.interruptions[-1]['action']}" for r in runs)
        )
    return "; ".join(said)
