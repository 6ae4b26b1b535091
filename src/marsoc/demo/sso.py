"""The demo's single sign-on: two providers at the loopback identity provider that `make demo` starts
(dev/oidc/provider.mjs with dev/oidc/demo.json), and invitations for two demo partner officers.

One file describes both sides, so the provider's clients and accounts and our IdentityProvider rows agree."""

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from marsoc.accounts.models import Agency, IdentityLink, IdentityProvider, SsoInvitation, User
from marsoc.accounts.sso.services import sso_invitation_issue

DEMO_CONFIG = settings.PROJECT_ROOT / "dev" / "oidc" / "demo.json"


@dataclass(frozen=True)
class SsoSignIn:
    """How to sign in through the demo provider, for the printed instructions."""

    provider: str
    username: str
    password: str
    becomes: str  # the MARSOC Hub account, or "" for someone never invited
    second_factor: str


def demo_config() -> dict[str, Any]:
    return dict(json.loads(DEMO_CONFIG.read_text(encoding="utf-8")))


def ensure_sso() -> list[SsoSignIn]:
    """The demo providers and open invitations (idempotent); how to sign in through each."""
    config = demo_config()
    secrets = {c["client_id"]: c["client_secret"] for c in config["clients"]}
    providers = {}
    for slug, spec in config["marsoc_providers"].items():
        providers[spec["client_id"]], _ = IdentityProvider.objects.update_or_create(
            slug=slug,
            defaults={
                "name": spec["name"],
                "agency": Agency.objects.get(code=spec["agency"]),
                "issuer": config["issuer"],
                "client_id": spec["client_id"],
                "client_secret": secrets[spec["client_id"]],
                "scopes": "openid profile email marsoc",
                "agency_claim": "marsoc_agency",
                "roles_claim": "marsoc_roles",
                "role_map": {"soc-partner": "partner_officer"},
                "mfa_stands_in": spec["mfa_stands_in"],
            },
        )
    out = []
    for sub, account in config["accounts"].items():
        username = account.get("marsoc_user", "")
        agency = account["claims"]["marsoc_agency"]
        provider = next(p for p in providers.values() if p.agency.code == agency)
        user = User.objects.filter(username=username).first() if username else None
        if user is not None and not (
            IdentityLink.objects.filter(provider=provider, subject=sub).exists()
            or SsoInvitation.objects.filter(provider=provider, subject=sub, used_at__isnull=True).exists()
        ):
            sso_invitation_issue(actor=None, user=user, provider=provider, subject=sub)
        multi_factor = bool({"otp", "hwk", "mfa"} & set(account["amr"]))
        if user is None:
            second = "refused: not invited"
        elif provider.mfa_stands_in and multi_factor:
            second = "none (the provider's MFA stands in)"
        else:
            second = "security code (make totp)"
        out.append(SsoSignIn(provider.name, account["username"], account["password"], username, second))
    return out
