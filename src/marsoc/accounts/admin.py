"""Administration for the system administrator: accounts and reference data only, never case data.

Every change to a person's account is written to the audit log; administrators cannot change their own
roles, and the system administrator role cannot be combined with case or inspector roles.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.vocabulary import Role

from .models import (
    Agency,
    ApiToken,
    Establishment,
    Hub,
    IdentityLink,
    IdentityProvider,
    RoleGrant,
    SsoInvitation,
    User,
)
from .services import (
    admin_change_record,
    api_token_revoke,
    enrolment_code_issue,
    grant_admin_permissions,
    roles_problem,
)
from .sso.services import sso_invitation_issue, sso_invitation_problems


def _admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    # One sign-in for the whole service, with its second factor and lockout.
    return redirect(f"{reverse('accounts:login')}?next={request.GET.get('next', '/admin/')}")


def _has_permission(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and access.may(user, "accounts.manage"))


admin.site.login = _admin_login  # type: ignore[method-assign]
admin.site.has_permission = _has_permission  # type: ignore[method-assign]

# Third-party models that would expose secrets or bypass the account rules are not administered here.
for _model_path in (
    "django_otp.plugins.otp_totp.models.TOTPDevice",
    "django_tasks_db.models.DBTaskResult",
    "axes.models.AccessLog",
    "axes.models.AccessFailureLog",
):
    _module, _name = _model_path.rsplit(".", 1)
    try:
        _model = getattr(__import__(_module, fromlist=[_name]), _name)
        admin.site.unregister(_model)
    except (NotRegistered, ImportError, AttributeError):  # pragma: no cover - not installed
        pass
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


def _audit(request: HttpRequest, action: AuditAction, obj: object, details: dict[str, Any]) -> None:
    admin_change_record(actor=request.user, action=action, obj=obj, details=details)  # type: ignore[arg-type]


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _audit(
            request,
            AuditAction.ADMIN_CHANGE if change else AuditAction.ADMIN_ADD,
            obj,
            {"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _audit(request, AuditAction.ADMIN_DELETE, obj, {"label": str(obj)})
        super().delete_model(request, obj)


@admin.register(Hub)
class HubAdmin(AuditedAdmin):
    list_display = ("name", "code", "region", "unit", "is_national", "contact_email")
    search_fields = ("name", "code", "region")


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ("name", "code", "agency_type", "hub", "active")
    list_filter = ("agency_type", "hub", "active")
    search_fields = ("name", "code")


@admin.register(Establishment)
class EstablishmentAdmin(AuditedAdmin):
    list_display = ("code", "name", "hub", "active")
    list_filter = ("hub", "active")
    search_fields = ("code", "name")


class RoleGrantFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        roles = [
            f.cleaned_data["role"]
            for f in self.forms
            if getattr(f, "cleaned_data", None)
            and f.cleaned_data.get("role")
            and not f.cleaned_data.get("DELETE")
        ]
        problem = roles_problem(roles)
        if problem:
            raise ValidationError(problem)


class RoleGrantInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RoleGrant
    formset = RoleGrantFormSet
    extra = 1


@admin.register(User)
class UserAdmin(DjangoUserAdmin, AuditedAdmin):  # type: ignore[type-arg]
    inlines = [RoleGrantInline]
    list_display = ("username", "first_name", "last_name", "agency", "hub", "clearance", "is_active")
    list_filter = ("hub", "agency__agency_type", "clearance", "is_active", "is_service_account")
    # No superuser, staff, group or permission fields: those follow from the roles.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email", "job_title")}),
        ("MARSOC", {"fields": ("agency", "hub", "clearance", "is_service_account", "is_active")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        ("MARSOC", {"fields": ("first_name", "last_name", "email", "agency", "hub", "clearance")}),
    )
    actions = ["reset_authenticator"]

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        if obj is not None and obj.pk == request.user.pk:
            return []  # nobody changes their own roles
        return super().get_inline_instances(request, obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        user = form.instance
        before = set(user.role_grants.values_list("role", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(user.role_grants.values_list("role", flat=True))
        should_be_staff = Role.SYSTEM_ADMIN in after
        if user.is_staff != should_be_staff:
            User.objects.filter(pk=user.pk).update(is_staff=should_be_staff)
        if should_be_staff:
            grant_admin_permissions(user)
        else:
            user.user_permissions.clear()
        if before != after:
            _audit(
                request,
                AuditAction.ADMIN_USER_ROLES,
                user,
                {"added": sorted(after - before), "removed": sorted(before - after)},
            )
        if not change:
            code = enrolment_code_issue(actor=request.user, user=user)  # type: ignore[arg-type]
            messages.warning(
                request,
                f"Give {user.username} this enrolment code by another channel, valid for "
                f"72 hours, to set up their authenticator: {code}",
            )

    @admin.action(description="Reset authenticator and issue a new enrolment code")
    def reset_authenticator(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset.exclude(pk=request.user.pk or 0):
            code = enrolment_code_issue(actor=request.user, user=user)  # type: ignore[arg-type]
            messages.warning(request, f"{user.username}: new enrolment code {code} (valid 72 hours)")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = ("user", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at")
    exclude = ("key_hash",)
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued by a service that shows the secret once

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]


class IdentityProviderForm(forms.ModelForm):  # type: ignore[type-arg]
    issuer = forms.URLField(
        max_length=300,
        assume_scheme="https",
        help_text="The provider's issuer; its discovery document is read from here",
    )
    client_secret = forms.CharField(
        widget=forms.PasswordInput, required=False, help_text="Leave blank to keep the secret already set"
    )

    class Meta:
        model = IdentityProvider
        fields = [
            "name",
            "slug",
            "agency",
            "active",
            "issuer",
            "client_id",
            "client_secret",
            "scopes",
            "agency_claim",
            "agency_claim_value",
            "roles_claim",
            "role_map",
            "mfa_stands_in",
            "mfa_amr_values",
            "mfa_acr_values",
        ]

    def clean_client_secret(self) -> str:
        given = self.cleaned_data.get("client_secret") or ""
        if not given and not self.instance.client_secret:
            raise ValidationError("Enter the client secret the partner issued")
        return given or self.instance.client_secret

    def clean_issuer(self) -> str:
        issuer = str(self.cleaned_data["issuer"])
        loopback = issuer.startswith(("http://127.0.0.1", "http://localhost"))
        if not issuer.startswith("https://") and not loopback:
            raise ValidationError("The issuer must be an https address")
        return issuer

    def clean_role_map(self) -> dict[str, str]:
        role_map = self.cleaned_data.get("role_map") or {}
        if not isinstance(role_map, dict):
            raise ValidationError('Give the role map as {"claim value": "role code"}')
        known = set(Role.values) - {Role.SYSTEM_ADMIN}
        wrong = sorted(str(v) for v in role_map.values() if v not in known)
        if wrong:
            raise ValidationError(f"Not roles a provider may give: {', '.join(wrong)}")
        return role_map


@admin.register(IdentityProvider)
class IdentityProviderAdmin(AuditedAdmin):
    form = IdentityProviderForm
    list_display = ("name", "slug", "agency", "issuer", "mfa_stands_in", "active")
    list_filter = ("active", "mfa_stands_in")
    search_fields = ("name", "slug", "issuer")


@admin.register(IdentityLink)
class IdentityLinkAdmin(AuditedAdmin):
    list_display = ("user", "provider", "subject", "linked_at", "last_sign_in_at")
    list_filter = ("provider",)
    search_fields = ("user__username", "subject")
    readonly_fields = ("user", "provider", "subject", "name", "confirmed", "linked_at", "last_sign_in_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # links are made only by a person's first sign-in with an invitation


class SsoInvitationForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = SsoInvitation
        fields = ["user", "provider", "subject"]
        help_texts = {"subject": "The provider's subject (sub) for this person; leave blank to issue a code"}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("user") and data.get("provider"):
            problems = sso_invitation_problems(data["user"], data["provider"], data.get("subject") or "")
            for field, problem in problems.items():
                self.add_error(field, problem)
        return data


@admin.register(SsoInvitation)
class SsoInvitationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = SsoInvitationForm
    list_display = ("user", "provider", "subject", "created_at", "expires_at", "used_at")
    list_filter = ("provider",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        invitation, code = sso_invitation_issue(
            actor=request.user,  # type: ignore[arg-type]
            user=obj.user,
            provider=obj.provider,
            subject=obj.subject,
        )
        obj.pk = invitation.pk
        if code:
            messages.warning(
                request,
                f"Give {obj.user.username} this invitation code by another channel, valid for 7 days, "
                f"to link their {obj.provider.name} sign-in: {code}",
            )
