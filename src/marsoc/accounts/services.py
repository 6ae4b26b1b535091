"""Writes for accounts: users, roles, API tokens and second-factor devices."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about, audit_record
from marsoc.core.errors import RateLimited, ValidationFailed
from marsoc.core.vocabulary import CASE_ROLES, Classification, Role

from .models import Agency, ApiToken, Hub, RoleGrant, TokenScope, User

TOKEN_PREFIX = "mh_"  # noqa: S105 - a visible prefix, not a secret


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# What the system administrator may do in the admin: accounts and reference data, never case data.
ADMIN_PERMISSIONS = {
    "accounts": [
        "hub",
        "agency",
        "establishment",
        "user",
        "rolegrant",
        "identityprovider",
        "identitylink",
        "ssoinvitation",
    ],
    "axes": ["accessattempt"],  # to unlock a locked-out account
    "plans": ["tactic"],  # the tools-and-powers catalogue (reference data; retired, never deleted)
}


def roles_problem(roles: Iterable[str]) -> str | None:
    """Separation of duties: whoever administers accounts must not also hold case or inspection roles."""
    wanted = set(roles)
    if Role.SYSTEM_ADMIN in wanted and wanted & (set(CASE_ROLES) | {Role.INSPECTOR}):
        return "A system administrator cannot also hold a case or inspector role"
    if Role.FEED_ACCOUNT in wanted and len(wanted) > 1:
        return "A partner system's feed account holds no other role"
    return None


def grant_admin_permissions(user: User) -> None:
    perms = Permission.objects.filter(
        Q(content_type__app_label="accounts", content_type__model__in=ADMIN_PERMISSIONS["accounts"])
        | Q(content_type__app_label="axes", content_type__model__in=ADMIN_PERMISSIONS["axes"])
        | Q(content_type__app_label="plans", content_type__model__in=ADMIN_PERMISSIONS["plans"])
    ).exclude(codename__in=["delete_user", "delete_tactic"])
    user.user_permissions.set(perms)


def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    agency: Agency | None,
    hub: Hub | None,
    roles: Iterable[str],
    clearance: str = Classification.OFFICIAL_SENSITIVE,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    job_title: str = "",
    is_service_account: bool = False,
) -> User:
    problem = roles_problem(roles)
    if problem:
        raise ValidationFailed({"roles": problem})
    with transaction.atomic():
        user = User(
            username=username,
            agency=agency,
            hub=hub,
            clearance=clearance,
            first_name=first_name,
            last_name=last_name,
            email=email,
            job_title=job_title,
            is_service_account=is_service_account,
            is_staff=Role.SYSTEM_ADMIN in set(roles),
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        RoleGrant.objects.bulk_create([RoleGrant(user=user, role=Role(r)) for r in sorted(set(roles))])
        if user.is_staff:
            grant_admin_permissions(user)
        audit_about(
            actor,
            AuditAction.USER_CREATE,
            user,
            details={"roles": sorted(set(roles)), "hub": hub.code if hub else None},
        )
    return user


def api_token_issue(
    *,
    user: User,
    name: str,
    raw: str | None = None,
    expires_at: datetime | None = None,
    scope: str = TokenScope.ALL,
    rate_per_minute: int | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored and cannot be shown again.
    A feed account's tokens are feed tokens whatever is asked: the account may do nothing else."""
    raw = raw or TOKEN_PREFIX + secrets.token_urlsafe(32)
    if user.role_grants.filter(role=Role.FEED_ACCOUNT).exists():
        scope = TokenScope.FEED
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[:10],
            key_hash=_token_hash(raw),
            expires_at=expires_at,
            scope=scope,
            rate_per_minute=rate_per_minute,
        )
        audit_about(
            user,
            AuditAction.API_TOKEN_ISSUE,
            token,
            details={"name": name, "prefix": token.prefix, "scope": scope},
        )
    return token, raw


def feed_account_create(
    *,
    actor: User | None,
    username: str,
    agency: Agency,
    hub: Hub,
    name: str,
    rate_per_minute: int | None = None,
    expires_at: datetime | None = None,
) -> tuple[User, ApiToken, str]:
    """A partner system's service account (issue 15): it belongs to the partner agency, pushes that
    agency's extracts to one hub and follows them, and cannot sign in or reach anything else. Returns
    the account, its first token and the token's secret (shown once)."""
    errors: dict[str, str] = {}
    if not agency.active:
        errors["agency"] = f"{agency.name} is not an active agency"
    if User.objects.filter(username=username).exists():
        errors["username"] = f"There is already an account called {username}"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        user = user_create(
            actor=actor,
            username=username,
            password=None,
            agency=agency,
            hub=hub,
            roles=[Role.FEED_ACCOUNT],
            first_name=name[:150],
            job_title="Partner system feed",
            is_service_account=True,
        )
        token, raw = api_token_issue(
            user=user,
            name=name,
            scope=TokenScope.FEED,
            rate_per_minute=rate_per_minute,
            expires_at=expires_at,
        )
    return user, token, raw


def api_token_admit(token: ApiToken, now: datetime) -> None:
    """Count a request against the token's limit for the current minute, in one UPDATE (every web worker
    shares the row); over the limit, RateLimited with the seconds until the next minute."""
    limit = token.rate_per_minute or settings.MARSOC_API_RATE_PER_MINUTE
    window = now.replace(second=0, microsecond=0)
    ApiToken.objects.filter(pk=token.pk).update(
        window_count=Case(When(window_start=window, then=F("window_count") + 1), default=Value(1)),
        window_start=window,
    )
    used = ApiToken.objects.filter(pk=token.pk).values_list("window_count", flat=True).first() or 0
    if used > limit:
        raise RateLimited(max(1, 60 - now.second))


def api_token_rotate(*, token: ApiToken, grace: timedelta) -> tuple[ApiToken, str, ApiToken]:
    """A new token for the same holder, name and limit; the old one keeps working for `grace` (so a
    partner system can switch over without a gap) and then expires. Audited as one rotation. Returns the
    new token, its secret and the old token as it now stands."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        old = ApiToken.objects.select_for_update().get(pk=token.pk)
        ends = now + grace
        old.expires_at = min(old.expires_at, ends) if old.expires_at else ends
        old.save(update_fields=["expires_at"])
        new = ApiToken.objects.create(
            user=old.user,
            name=old.name,
            prefix=raw[:10],
            key_hash=_token_hash(raw),
            rate_per_minute=old.rate_per_minute,
            scope=old.scope,
            rotated_from=old,
        )
        audit_about(
            old.user,
            AuditAction.API_TOKEN_ROTATE,
            new,
            details={
                "name": old.name,
                "prefix": new.prefix,
                "previous": old.prefix,
                "previous_ends": ends.isoformat(),
            },
        )
    return new, raw, old


def api_token_find(raw: str) -> ApiToken | None:
    """The token a bearer secret names, if it is usable now (not revoked, not expired, holder active)."""
    token = (
        ApiToken.objects.select_related("user", "user__hub", "user__agency")
        .filter(key_hash=_token_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= timezone.now():
        return None
    return token


def api_token_authenticate(raw: str, *, count: bool = True) -> User | None:
    """The holder of a usable token, its request counted against the token's limit (RateLimited over
    it); None for an unknown, revoked or expired token. The request's token is on `user.api_token`."""
    token = api_token_find(raw)
    if token is None:
        return None
    now = timezone.now()
    if count:
        api_token_admit(token, now)
    # Record use at most once a minute: an update per request would serialise API clients.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    user = token.user
    user.api_token = token  # type: ignore[attr-defined]
    return user


def api_token_revoke(*, actor: User | None, token: ApiToken) -> None:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_about(actor, AuditAction.API_TOKEN_REVOKE, token, details={"prefix": token.prefix})


def totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


ENROLMENT_CODE_LIFETIME = timedelta(hours=72)


def enrolment_code_issue(*, actor: User | None, user: User) -> str:
    """A one-time code to give the person by another channel; it lets them set up an authenticator."""
    raw = "-".join(secrets.token_hex(2).upper() for _ in range(3))
    with transaction.atomic():
        user.enrolment_code_hash = _token_hash(raw)
        user.enrolment_code_expires = timezone.now() + ENROLMENT_CODE_LIFETIME
        user.save(update_fields=["enrolment_code_hash", "enrolment_code_expires"])
        TOTPDevice.objects.filter(user=user).delete()
        audit_about(
            actor,
            AuditAction.USER_ENROLMENT_CODE,
            user,
            justification="Authenticator (re)set: enrolment code issued",
        )
    return raw


def enrolment_code_valid(user: User, raw: str) -> bool:
    raw = raw.strip().upper()
    return bool(
        user.enrolment_code_hash
        and user.enrolment_code_expires is not None
        and user.enrolment_code_expires > timezone.now()
        and secrets.compare_digest(user.enrolment_code_hash, _token_hash(raw))
    )


def totp_enrol_start(user: User) -> TOTPDevice:
    """A fresh unconfirmed device (new secret) each time: a secret seen earlier by anyone is discarded."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_enrol_confirm(device: TOTPDevice, token: str, enrolment_code: str) -> bool:
    user = device.user
    if not enrolment_code_valid(user, enrolment_code) or not device.verify_token(token):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        User.objects.filter(pk=user.pk).update(enrolment_code_hash="", enrolment_code_expires=None)
        audit_about(
            user, AuditAction.USER_AUTHENTICATOR_ENROLLED, user, justification="Authenticator app set up"
        )
    return True


def totp_device_set(user: User, key_hex: str) -> TOTPDevice:
    """A confirmed device with a known key (demo data and tests, where the secret is printed)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", key=key_hex, confirmed=True)


def admin_change_record(*, actor: User, action: AuditAction, obj: object, details: dict[str, Any]) -> None:
    """The audit record of a change made in the administration site (called by its model admins)."""
    audit_record(
        actor=actor,
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=getattr(obj, "pk", ""),
        justification="Administration",
        details=details,
    )
