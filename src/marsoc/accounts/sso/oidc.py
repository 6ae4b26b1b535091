"""The OpenID Connect client (Authlib, decision 0018): discovery, authorisation code with PKCE, state and
nonce, ID token signature and claims checked against the provider's published keys; RP-initiated logout.

One client per provider configuration, kept for the process so the discovery document and keys are read
once (a changed configuration makes a new client)."""

import hashlib
import logging
from typing import Any

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import OAuth
from django.http import HttpRequest, HttpResponse
from joserfc.errors import JoseError
from requests import RequestException

from ..models import IdentityProvider
from .claims import Assertion, wanted_claims
from .selectors import active_provider

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10
# Everything a provider's answer can make the client raise: unreachable, refused (OAuth errors), a token
# whose signature, issuer, audience, expiry or nonce is wrong (JOSE errors), or a malformed document.
PROVIDER_FAILURES = (RequestException, AuthlibBaseError, JoseError, ValueError, KeyError, RuntimeError)
_clients: dict[str, Any] = {}


class SignInFailed(Exception):
    """The provider's answer could not be used (refused, tampered with, expired or unreachable)."""


def _client(provider: IdentityProvider) -> Any:
    fingerprint = hashlib.sha256(
        "\n".join(
            [provider.slug, provider.issuer, provider.client_id, provider.client_secret, provider.scopes]
        ).encode()
    ).hexdigest()
    client = _clients.get(fingerprint)
    if client is None:
        registry = OAuth()
        client = registry.register(
            name=f"marsoc-{provider.slug}",
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": provider.scopes,
                "code_challenge_method": "S256",
                "default_timeout": TIMEOUT_SECONDS,
            },
        )
        _clients[fingerprint] = client
    return client


def start(request: HttpRequest, provider: IdentityProvider, redirect_uri: str) -> HttpResponse:
    try:
        return _client(provider).authorize_redirect(request, redirect_uri)
    except PROVIDER_FAILURES as error:
        log.warning("identity provider %s unreachable: %s", provider.slug, type(error).__name__)
        raise SignInFailed(str(error)) from error


def finish(request: HttpRequest, provider: IdentityProvider) -> tuple[Assertion, str]:
    """The verified assertion of the sign-in the provider sent back, and its raw ID token."""
    client = _client(provider)
    try:
        token = client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub"):
            raise SignInFailed("no ID token")
        missing = [c for c in wanted_claims(provider) if c not in claims]
        if missing and token.get("access_token"):
            # Some providers put agency and roles only in the userinfo answer; take them from it,
            # for the same subject. amr and acr always come from the signed ID token.
            extra = client.userinfo(token=token)
            if str(extra.get("sub")) == str(claims["sub"]):
                claims.update({c: extra[c] for c in missing if c in extra})
    except PROVIDER_FAILURES as error:
        log.warning("sign-in at %s failed: %s", provider.slug, type(error).__name__)
        raise SignInFailed(str(error)) from error
    return Assertion.from_claims(claims), str(token.get("id_token") or "")


def provider_logout_url(slug: str | None, *, id_token: str | None, return_to: str) -> str | None:
    """Where to send the browser to end the session at the provider too, if it supports that."""
    provider = active_provider(slug) if slug else None
    if provider is None:
        return None
    client = _client(provider)
    try:
        if not client.load_server_metadata().get("end_session_endpoint"):
            return None
        url = client.create_logout_url(
            post_logout_redirect_uri=return_to, id_token_hint=id_token or None, client_id=provider.client_id
        )["url"]
    except PROVIDER_FAILURES as error:
        log.warning("identity provider %s logout unavailable: %s", provider.slug, type(error).__name__)
        return None
    return str(url)
