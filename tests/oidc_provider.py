"""A real OpenID Connect provider for the tests: dev/oidc/provider.mjs (the `oidc-provider` package) in its
own Node process on loopback, with synthetic accounts, and the IdentityProvider rows that point at it.

Nothing is mocked: discovery, the authorisation code with PKCE, the signed ID token, the published keys,
userinfo and RP-initiated logout are the provider's own."""

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from marsoc.accounts.models import Agency, IdentityProvider

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "dev" / "oidc" / "provider.mjs"
PASSWORD = "provider-pass-2026"  # synthetic accounts at a loopback provider


@dataclass(frozen=True)
class Person:
    sub: str
    username: str
    agency: str
    roles: tuple[str, ...]
    amr: tuple[str, ...]
    email: str = ""


PEOPLE = (
    # Signs in with two factors at the provider.
    Person("sub-jo-7f3a", "jo.lindqvist", "probation-london", ("soc-partner",), ("pwd", "otp")),
    # Password only at the provider.
    Person("sub-sam-91c2", "sam.okafor", "probation-london", ("soc-partner",), ("pwd",)),
    # Known to the provider, never invited; carries the e-mail address of an existing account.
    Person(
        "sub-kim-0d4e",
        "kim.stranger",
        "probation-london",
        ("soc-partner",),
        ("pwd", "otp"),
        "jo@marsoc.example",
    ),
    # Says it is from another agency.
    Person("sub-lee-55aa", "lee.elsewhere", "nca", ("soc-partner",), ("pwd", "otp")),
    # Given no MARSOC role by the provider.
    Person("sub-pat-2b2b", "pat.norole", "probation-london", ("payroll",), ("pwd", "otp")),
    # NCA officer with a hardware key: MFA, but the NCA's configuration does not let it stand in.
    Person("sub-alex-c0de", "alex.mbeki", "nca", ("soc-partner",), ("pwd", "hwk")),
)
CLIENTS = {
    # slug: (client_id, secret, agency code, whether the provider's MFA stands in for the security code)
    "probation-id": ("marsoc-probation", "probation-client-secret-0123456789", "probation-london", True),
    "nca-id": ("marsoc-nca", "nca-client-secret-0123456789", "nca", False),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def config(issuer: str, app_bases: list[str]) -> dict:
    return {
        "issuer": issuer,
        "clients": [
            {
                "client_id": client_id,
                "client_secret": secret,
                "redirect_uris": [f"{base}/sign-in/sso/{slug}/callback/" for base in app_bases],
                "post_logout_redirect_uris": [f"{base}/sign-in/" for base in app_bases],
            }
            for slug, (client_id, secret, _agency, _mfa) in CLIENTS.items()
        ],
        "accounts": {
            p.sub: {
                "username": p.username,
                "password": PASSWORD,
                "amr": list(p.amr),
                "claims": {
                    "name": p.username.replace(".", " ").title(),
                    "email": p.email or f"{p.username}@partner.example",
                    "marsoc_agency": p.agency,
                    "marsoc_roles": list(p.roles),
                },
            }
            for p in PEOPLE
        },
    }


@contextmanager
def running_provider(app_bases: list[str], workdir: Path) -> Iterator[str]:
    """Start the provider for an app served at each of `app_bases`; yields its issuer."""
    issuer = f"http://127.0.0.1:{_free_port()}"
    path = workdir / "oidc-provider.json"
    path.write_text(json.dumps(config(issuer, app_bases)), encoding="utf-8")
    log = (workdir / "oidc-provider.log").open("w", encoding="utf-8")
    process = subprocess.Popen(["node", str(SCRIPT), str(path)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.ConnectionError:
                if process.poll() is not None:
                    output = (workdir / "oidc-provider.log").read_text(encoding="utf-8")
                    raise RuntimeError(f"the OIDC provider exited: {output}") from None
                time.sleep(0.2)
        else:
            raise RuntimeError("the OIDC provider did not start within 30 s")
        yield issuer
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def install_providers(issuer: str) -> dict[str, IdentityProvider]:
    """The IdentityProvider rows for the running provider (idempotent)."""
    rows = {}
    for slug, (client_id, secret, agency_code, mfa) in CLIENTS.items():
        rows[slug], _ = IdentityProvider.objects.update_or_create(
            slug=slug,
            defaults={
                "name": "London Probation ID" if slug == "probation-id" else "NCA sign-in",
                "agency": Agency.objects.get(code=agency_code),
                "issuer": issuer,
                "client_id": client_id,
                "client_secret": secret,
                "scopes": "openid profile email marsoc",
                "agency_claim": "marsoc_agency",
                "roles_claim": "marsoc_roles",
                "role_map": {"soc-partner": "partner_officer"},
                "mfa_stands_in": mfa,
            },
        )
    return rows


def person(username: str) -> Person:
    return next(p for p in PEOPLE if p.username == username)


def sign_in_at_provider(authorize_url: str, username: str, app_base: str) -> str:
    """What a browser does at the provider: open the authorisation address, sign in on its form, follow
    its redirects; returns the callback address (in the app) that the provider sends the browser to."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=10)
    assert page.status_code == 200 and "Sign in to the partner identity provider" in page.text, page.text[
        :500
    ]
    action = urljoin(page.url, page.text.split('action="', 1)[1].split('"', 1)[0])
    response = browser.post(
        action, data={"username": username, "password": PASSWORD}, allow_redirects=False, timeout=10
    )
    for _ in range(10):
        location = response.headers.get("Location", "")
        assert response.status_code in (302, 303), (response.status_code, response.text[:500])
        location = urljoin(response.url, location)
        if location.startswith(app_base):
            parts = urlsplit(location)
            return f"{parts.path}?{parts.query}"
        response = browser.get(location, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back")
