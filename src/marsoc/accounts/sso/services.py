"""Writes for single sign-on: invitations, linking a provider's subject to an account (only through an
invitation, never by e-mail), signing in with the roles the provider gives, and the audit of each
sign-in and refusal."""

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from django.db import transaction
from django.utils import timezone

from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_record
from marsoc.core.errors import ValidationFailed

from ..models import IdentityLink, IdentityProvider, RoleGrant, SsoInvitation, User
from ..services import roles_problem
from .claims import Assertion, agency_matches, claimed_roles, mfa_stands_in

INVITATION_LIFETIME = timedelta(days=7)


class Refusal(str, Enum):  # noqa: UP042  (str first: stored in audit details as its code)
    """Why a sign-in through a provider was refused (codes in the audit, sentences on the page)."""

    label: str

    def __new__(cls, code: str, label: str) -> "Refusal":
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label
        return member

    NOT_INVITED = "not_invited", "This sign-in is not linked to a MARSOC Hub account"
    WRONG_CODE = "wrong_code", "The invitation code is not right, has been used or has expired"
    WRONG_AGENCY = "wrong_agency", "The provider did not confirm that you work for its agency"
    NO_ROLE = "no_role", "The provider did not give you a role in MARSOC Hub"
    ACCOUNT_CLOSED = "account_closed", "Your MARSOC Hub account is closed"
    PROVIDER_ERROR = "provider_error", "The sign-in at the provider did not finish"


@dataclass(frozen=True)
class SignIn:
    """A successful sign-in at a provider: who, and what stands as their second factor."""

    user: User
    link: IdentityLink
    provider_mfa: bool


def _record(
    action: AuditAction,
    actor: User | None,
    about: int,
    provider: IdentityProvider,
    details: Mapping[str, object],
) -> None:
    """One SSO entry about `about` (the person's account; the provider for a refusal), naming the provider."""
    audit_record(actor=actor, action=action, object_id=about, details={"provider": provider.slug, **details})


class Refused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def _code_hash(raw: str) -> str:
    return hashlib.sha256(raw.strip().upper().encode("utf-8")).hexdigest()


def sso_invitation_problems(user: User, provider: IdentityProvider, subject: str) -> dict[str, str]:
    """What is wrong with inviting `user` to sign in through `provider` (by field), if anything."""
    if user.is_service_account or not user.is_active:
        return {"user": "Only an active person (not a service account) can be invited"}
    if user.agency_id != provider.agency_id:
        return {"user": f"{user.username} does not belong to {provider.agency}, the provider's agency"}
    if (
        subject
        and IdentityLink.objects.filter(provider=provider, subject=subject).exclude(user=user).exists()
    ):
        return {"subject": "That subject is already linked to another account"}
    return {}


def sso_invitation_issue(
    *, actor: User | None, user: User, provider: IdentityProvider, subject: str = ""
) -> tuple[SsoInvitation, str]:
    """Invite `user` to sign in through `provider`: by the provider's subject when the administrator knows
    it, otherwise with a one-time code (returned once, only its hash kept) to give the person by another
    channel. The person must belong to the provider's agency."""
    subject = subject.strip()
    problems = sso_invitation_problems(user, provider, subject)
    if problems:
        raise ValidationFailed(problems)
    raw = "" if subject else "-".join(secrets.token_hex(2).upper() for _ in range(4))
    with transaction.atomic():
        invitation = SsoInvitation.objects.create(
            user=user,
            provider=provider,
            subject=subject,
            code_hash=_code_hash(raw) if raw else "",
            expires_at=timezone.now() + INVITATION_LIFETIME,
            created_by=actor,
        )
        details = {"by": "subject" if subject else "code", "invitation": invitation.pk}
        _record(AuditAction.SSO_INVITE, actor, user.pk, provider, details)
    return invitation, raw


def _invitation(provider: IdentityProvider, subject: str, code: str | None) -> SsoInvitation | None:
    open_invitations = SsoInvitation.objects.select_for_update().filter(
        provider=provider, used_at__isnull=True, expires_at__gt=timezone.now()
    )
    if code is not None:
        return open_invitations.filter(code_hash=_code_hash(code)).exclude(code_hash="").first()
    return open_invitations.filter(subject=subject).exclude(subject="").first()


def _link(provider: IdentityProvider, assertion: Assertion, code: str | None) -> IdentityLink:
    link = (
        IdentityLink.objects.select_for_update()
        .select_related("user")
        .filter(provider=provider, subject=assertion.subject)
        .first()
    )
    if link is not None:
        return link
    invitation = _invitation(provider, assertion.subject, code)
    if invitation is None:
        raise Refused(Refusal.WRONG_CODE if code is not None else Refusal.NOT_INVITED)
    user = invitation.user
    replaced = IdentityLink.objects.filter(provider=provider, user=user).delete()[0] > 0
    link = IdentityLink.objects.create(
        user=user, provider=provider, subject=assertion.subject, name=f"{provider.name} sign-in"
    )
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    by = "code" if code is not None else "subject"
    details = {
        "subject": assertion.subject,
        "invitation": invitation.pk,
        "by": by,
        "replaced_earlier_link": replaced,
    }
    _record(AuditAction.SSO_LINK, user, user.pk, provider, details)
    return link


def _apply_roles(provider: IdentityProvider, user: User, roles: set[str]) -> None:
    if not roles or roles_problem(roles):
        raise Refused(Refusal.NO_ROLE)
    before = set(user.role_grants.values_list("role", flat=True))
    if before == roles:
        return
    RoleGrant.objects.filter(user=user).exclude(role__in=roles).delete()
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r) for r in sorted(roles - before)])
    changed = {"added": sorted(roles - before), "removed": sorted(before - roles)}
    _record(AuditAction.SSO_ROLES, user, user.pk, provider, changed)


def sso_sign_in(provider: IdentityProvider, assertion: Assertion, *, code: str | None = None) -> SignIn:
    """Who this verified assertion signs in, or `Refused` (recorded in the audit log) with the reason.

    A subject not yet linked is linked only by an open invitation for this provider naming it, or by the
    invitation `code` the person entered; e-mail addresses are never compared."""
    try:
        with transaction.atomic():
            link = _link(provider, assertion, code)
            user = link.user
            if not user.is_active or user.is_service_account:
                raise Refused(Refusal.ACCOUNT_CLOSED)
            if user.agency_id != provider.agency_id or not agency_matches(provider, assertion):
                raise Refused(Refusal.WRONG_AGENCY)
            roles = claimed_roles(provider, assertion)
            if roles is not None:
                _apply_roles(provider, user, roles)
            provider_mfa = mfa_stands_in(provider, assertion)
            link.last_sign_in_at = timezone.now()
            link.save(update_fields=["last_sign_in_at"])
            second_factor = "provider" if provider_mfa else "security code"
            details = {"amr": list(assertion.amr), "acr": assertion.acr, "second_factor": second_factor}
            _record(AuditAction.SSO_SIGN_IN, user, user.pk, provider, details)
    except Refused as refused:
        sso_refusal_record(provider, refused.reason, subject=assertion.subject)
        raise
    return SignIn(user=User.objects.get(pk=user.pk), link=link, provider_mfa=provider_mfa)


def sso_refusal_record(provider: IdentityProvider, reason: Refusal, *, subject: str = "") -> None:
    with transaction.atomic():
        details = {"reason": reason.value, "subject": subject}
        _record(AuditAction.SSO_REFUSED, None, provider.pk, provider, details)
