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
    """Imports a stopped worker left half done are queued again (or failed) before work starts."""
    from .services import imports_recover

    recovered = imports_recover()
    if not recovered:
        return ""
    return "Imports interrupted by a stopped worker: " + ", ".join(
        f"{i.pk} ({i.filename}) {i.interruptions[-1]['action']}" for i in recovered
    )
