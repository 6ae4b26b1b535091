"""What a provider's ID token says, read by that provider's configuration: the agency, the roles and
whether the sign-in was multi-factor (RFC 8176 `amr` values, or an `acr` class the agency names)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..models import IdentityProvider


@dataclass(frozen=True)
class Assertion:
    """The verified claims of one sign-in at a provider."""

    subject: str
    amr: tuple[str, ...] = ()
    acr: str = ""
    claims: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> "Assertion":
        amr = claims.get("amr") or ()
        if isinstance(amr, str):
            amr = (amr,)
        return cls(
            subject=str(claims.get("sub") or ""),
            amr=tuple(str(v) for v in amr),
            acr=str(claims.get("acr") or ""),
            claims=dict(claims),
        )


def _values(claim: Any) -> list[str]:
    if claim is None:
        return []
    if isinstance(claim, str):
        return claim.split()
    if isinstance(claim, list | tuple):
        return [str(v) for v in claim]
    return [str(claim)]


def multi_factor(provider: IdentityProvider, assertion: Assertion) -> bool:
    """Did the provider say this sign-in used more than one factor, in the terms its agency accepts?"""
    accepted_amr = set(provider.mfa_amr_values.split())
    accepted_acr = set(provider.mfa_acr_values.split())
    return bool(accepted_amr & set(assertion.amr)) or (bool(assertion.acr) and assertion.acr in accepted_acr)


def mfa_stands_in(provider: IdentityProvider, assertion: Assertion) -> bool:
    """The provider's multi-factor sign-in replaces our security code only where the agency says so."""
    return provider.mfa_stands_in and multi_factor(provider, assertion)


def agency_matches(provider: IdentityProvider, assertion: Assertion) -> bool:
    if not provider.agency_claim:
        return True
    expected = provider.agency_claim_value or provider.agency.code
    return expected in _values(assertion.claims.get(provider.agency_claim))


def claimed_roles(provider: IdentityProvider, assertion: Assertion) -> set[str] | None:
    """The roles the provider gives, through the agency's role map; None where roles are kept here."""
    if not provider.roles_claim:
        return None
    role_map = provider.role_map or {}
    return {role_map[v] for v in _values(assertion.claims.get(provider.roles_claim)) if v in role_map}


def wanted_claims(provider: IdentityProvider) -> list[str]:
    return [c for c in (provider.agency_claim, provider.roles_claim) if c]
