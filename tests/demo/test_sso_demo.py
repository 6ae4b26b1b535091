"""The demo's single sign-on: its providers and invitations agree with the demo provider's own
configuration (dev/oidc/demo.json), so `make demo`'s printed sign-ins work; and a run again adds nothing."""

import json

import pytest

from marsoc.accounts.models import IdentityProvider, SsoInvitation
from marsoc.demo.generate import ensure_users
from marsoc.demo.sso import DEMO_CONFIG, ensure_sso

pytestmark = pytest.mark.django_db


def test_demo_providers_match_the_demo_identity_provider():
    ensure_users(1)
    sign_ins = ensure_sso()
    config = json.loads(DEMO_CONFIG.read_text(encoding="utf-8"))
    clients = {c["client_id"]: c for c in config["clients"]}
    for provider in IdentityProvider.objects.all():
        client = clients[provider.client_id]
        assert provider.issuer == config["issuer"] and provider.client_secret == client["client_secret"]
        assert f"http://127.0.0.1:8000/sign-in/sso/{provider.slug}/callback/" in client["redirect_uris"]
    assert {p.slug: p.mfa_stands_in for p in IdentityProvider.objects.all()} == {
        "probation-demo": True,
        "nca-demo": False,
    }
    invited = {(i.user.username, i.subject) for i in SsoInvitation.objects.select_related("user")}
    expected = {(a["marsoc_user"], sub) for sub, a in config["accounts"].items() if "marsoc_user" in a}
    assert invited == expected and len(expected) == 2
    assert {s.username: s.becomes for s in sign_ins} == {
        "jo.lindqvist": "partner.probation",
        "alex.mbeki": "partner.nca",
        "kim.newstarter": "",
    }
    ensure_sso()  # again: nothing new
    assert SsoInvitation.objects.count() == 2 and IdentityProvider.objects.count() == 2
