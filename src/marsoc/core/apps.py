from . import worker


class CoreConfig(worker.WorkerAppConfig):
    name = "marsoc.core"
    label = "core"
    verbose_name = "Core (audit log)"
    # Audit-chain checks a stopped worker left half walked are walked again (core/tasks.py).
    on_worker_start = ("marsoc.core.tasks.audit_verifications_recover",)

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .search import register_sqlite_functions

        # SQLite has no trigram or text-search functions: search.py gives it Python ones.
        connection_created.connect(register_sqlite_functions, dispatch_uid="marsoc-sqlite-search")
        # Every app's rules join the access façade's rule book (marsoc.core.access).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("policies")
        super().ready()
