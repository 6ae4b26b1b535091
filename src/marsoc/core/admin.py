"""The task workers' heartbeats in the administration site: read only (the workers write them)."""

from django.contrib import admin
from django.http import HttpRequest

from .models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin[WorkerHeartbeat]):
    list_display = (
        "hostname",
        "pid",
        "state",
        "beat_at",
        "task",
        "task_started_at",
        "reconnects",
        "started_at",
    )
    list_filter = ("state",)
    readonly_fields = [f.name for f in WorkerHeartbeat._meta.fields]

    # Whoever may use the administration site (admin.site.has_permission: staff who manage accounts)
    # may read the heartbeats; nobody edits them.
    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
