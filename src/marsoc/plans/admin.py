"""The tools-and-powers catalogue in the administration site, for the system administrator.

Reference data only (no person). Entries are retired, never deleted: old plans still name them.
Every change is audited like the other reference data.
"""

from django.contrib import admin
from django.http import HttpRequest

from marsoc.accounts.admin import AuditedAdmin

from .models import Tactic


@admin.register(Tactic)
class TacticAdmin(AuditedAdmin):
    list_display = ("code", "name", "agency_type", "life_area", "strand", "retired_at")
    list_filter = ("agency_type", "life_area", "strand")
    search_fields = ("code", "name", "legal_basis")

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # retire instead: set "retired at"
