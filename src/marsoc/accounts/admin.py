"""Administration for the system administrator: accounts and reference data only, never case data."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .models import Agency, ApiToken, Establishment, Hub, RoleGrant, User
from .policies import can_manage_accounts


def _admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    # One sign-in for the whole service, with its second factor and lockout.
    return redirect(f"{reverse('accounts:login')}?next={request.GET.get('next', '/admin/')}")


def _has_permission(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and can_manage_accounts(user))


admin.site.login = _admin_login  # type: ignore[method-assign]
admin.site.has_permission = _has_permission  # type: ignore[method-assign]


@admin.register(Hub)
class HubAdmin(admin.ModelAdmin[Hub]):
    list_display = ("name", "code", "region", "unit", "is_national", "contact_email")
    search_fields = ("name", "code", "region")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ("name", "code", "agency_type", "hub", "active")
    list_filter = ("agency_type", "hub", "active")
    search_fields = ("name", "code")


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin[Establishment]):
    list_display = ("code", "name", "hub", "active")
    list_filter = ("hub", "active")
    search_fields = ("code", "name")


class RoleGrantInline(admin.TabularInline[RoleGrant, User]):
    model = RoleGrant
    extra = 1


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    inlines = [RoleGrantInline]
    list_display = ("username", "first_name", "last_name", "agency", "hub", "clearance", "is_active")
    list_filter = ("hub", "agency__agency_type", "clearance", "is_active", "is_service_account")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        ("MARSOC", {"fields": ("agency", "hub", "clearance", "job_title", "is_service_account")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
