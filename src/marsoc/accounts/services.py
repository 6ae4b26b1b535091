"""Writes for accounts: users, roles, API tokens and second-factor devices."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from marsoc.core.audit import audit_record
from marsoc.core.vocabulary import Classification, Operation, Role

from .models import Agency, ApiToken, Hub, RoleGrant, User

TOKEN_PREFIX = "mh_"  # noqa: S105 - a visible prefix, not a secret


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


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
        audit_record(
            actor=actor,
            operation=Operation.COLLECTION,
            action="user.create",
            object_type="user",
            object_id=user.pk,
            details={"roles": sorted(set(roles)), "hub": hub.code if hub else None},
        )
    return user


def api_token_issue(
    *, user: User, name: str, raw: str | None = None, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored and cannot be shown again."""
    raw = raw or TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:10], key_hash=_token_hash(raw), expires_at=expires_at
    )
    return token, raw


def api_token_authenticate(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user", "user__hub", "user__agency")
        .filter(key_hash=_token_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    # Record use at most once a minute: an update per request would serialise API clients.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def api_token_revoke(*, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


def totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_enrol_start(user: User) -> TOTPDevice:
    """An unconfirmed device for the enrolment page; reused until the user confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_enrol_confirm(device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def totp_device_set(user: User, key_hex: str) -> TOTPDevice:
    """A confirmed device with a known key (demo data and tests, where the secret is printed)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", key=key_hex, confirmed=True)
