from typing import Any

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "marsoc.core"
    label = "core"
    verbose_name = "Core (audit log)"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .search import register_sqlite_functions

        # SQLite has no trigram or text-search functions: search.py gives it Python ones.
        connection_created.connect(register_sqlite_functions, dispatch_uid="marsoc-sqlite-search")
        # Every app's rules join the access façade's rule book (marsoc.core.access).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("policies")
        from .worker import worker_starting

        worker_starting.connect(
            recover_audit_checks_on_worker_start, dispatch_uid="core-audit-verify-recover"
        )


def recover_audit_checks_on_worker_start(**kwargs: Any) -> str:
    """Audit-chain checks a stopped worker left half walked are walked again (core/tasks.py)."""
    from .tasks import audit_verifications_recover

    return "; ".join(audit_verifications_recover())
