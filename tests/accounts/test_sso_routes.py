"""Allow and deny rows for the single sign-on routes (tests/accounts/routes.py), anonymous and signed in."""

import pytest
from django.test import Client

from marsoc.accounts.models import IdentityProvider
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role

from ..conftest import make_user, signed_in
from ..oidc_provider import install_providers

pytestmark = pytest.mark.django_db


@pytest.fixture
def providers(oidc_issuer):
    rows = install_providers(oidc_issuer)
    IdentityProvider.objects.filter(slug="nca-id").update(active=False)
    return rows


def _callers():
    return {"anonymous": Client(), "hub manager": signed_in(make_user("mgr.routes", [Role.HUB_MANAGER]))}


# (name, method, path, expected status, where a redirect must lead)
ROWS = [
    ("start: active provider (allow)", "get", "/sign-in/sso/probation-id/", 302, "/auth?"),
    ("start: inactive provider (deny)", "get", "/sign-in/sso/nca-id/", 404, None),
    ("start: unknown provider (deny)", "get", "/sign-in/sso/no-such/", 404, None),
    ("start: POST (deny)", "post", "/sign-in/sso/probation-id/", 405, None),
    (
        "callback: forged answer (deny)",
        "get",
        "/sign-in/sso/probation-id/callback/?code=x&state=y",
        403,
        None,
    ),
    ("callback: inactive provider (deny)", "get", "/sign-in/sso/nca-id/callback/?code=x&state=y", 404, None),
    ("callback: POST (deny)", "post", "/sign-in/sso/probation-id/callback/", 405, None),
    (
        "invitation: no sign-in waiting (deny)",
        "post",
        "/sign-in/sso/probation-id/invitation/",
        302,
        "/sign-in/",
    ),
    ("invitation: unknown provider (deny)", "post", "/sign-in/sso/no-such/invitation/", 404, None),
    ("invitation: GET (deny)", "get", "/sign-in/sso/probation-id/invitation/", 405, None),
]


@pytest.mark.parametrize("caller", ["anonymous", "hub manager"])
def test_sso_route_rows(providers, caller):
    client = _callers()[caller]
    failures = []
    for name, method, path, status, leads_to in ROWS:
        response = client.post(path, {"code": "1234"}) if method == "post" else client.get(path)
        ok = response.status_code == status and (leads_to is None or leads_to in response.get("Location", ""))
        if not ok:
            failures.append(f"{name}: got {response.status_code} {response.get('Location', '')}")
    assert not failures, "\n".join(failures)
    # The allowed start went to the provider's authorisation endpoint, with PKCE and a nonce.
    start = client.get("/sign-in/sso/probation-id/")["Location"]
    assert start.startswith(providers["probation-id"].issuer)
    assert "code_challenge=" in start and "code_challenge_method=S256" in start and "nonce=" in start
    # Each forged callback was recorded as a refusal.
    assert AuditEvent.objects.filter(action="sso.refused", details__reason="provider_error").exists()
