"""Single sign-on against a real OpenID Connect provider (tests/oidc_provider.py, started on loopback):
invitations, the agency and role claims, the amr rule both ways, refusals and their audit."""

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from marsoc.accounts.models import IdentityLink, SsoInvitation
from marsoc.accounts.sso.services import sso_invitation_issue
from marsoc.core.errors import ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role

from ..conftest import make_user, signed_in
from ..oidc_provider import install_providers, person, sign_in_at_provider

pytestmark = pytest.mark.django_db
APP = "http://testserver"


@pytest.fixture
def providers(oidc_issuer):
    return install_providers(oidc_issuer)


@pytest.fixture
def jo(providers):
    """A probation officer with no role yet: the provider's roles claim will give it."""
    user = make_user("jo.probation", [], hub_code="london", agency_code="probation-london")
    user.email = "jo@marsoc.example"
    user.save()
    return user


def _through_provider(client: Client, slug: str, username: str):
    start = client.get(f"/sign-in/sso/{slug}/")
    assert start.status_code == 302, start.content[:300]
    callback = sign_in_at_provider(start["Location"], username, APP)
    return client.get(callback)


def _actions(*codes):
    return list(AuditEvent.objects.filter(action__in=codes).order_by("id").values_list("action", flat=True))


def test_invited_subject_with_provider_mfa_signs_in_with_the_claimed_roles(providers, jo):
    sso_invitation_issue(
        actor=None, user=jo, provider=providers["probation-id"], subject=person("jo.lindqvist").sub
    )
    client = Client()
    response = _through_provider(client, "probation-id", "jo.lindqvist")
    # The agency lets its provider's two-factor sign-in stand in: no security code, straight home.
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert home.context["user"].username == "jo.probation"
    assert home.context["user"].role_codes == {Role.PARTNER_OFFICER}
    assert "London Probation" in home.content.decode() or jo.agency.name in home.content.decode()
    link = IdentityLink.objects.get(user=jo)
    assert link.subject == person("jo.lindqvist").sub and link.last_sign_in_at is not None
    assert SsoInvitation.objects.get(user=jo).used_at is not None
    assert _actions("sso.invite", "sso.link", "sso.roles", "sso.sign_in") == [
        "sso.invite",
        "sso.link",
        "sso.roles",
        "sso.sign_in",
    ]
    entry = AuditEvent.objects.get(action="sso.sign_in")
    assert entry.details["second_factor"] == "provider" and entry.details["amr"] == ["pwd", "otp"]
    # The second sign-in needs no invitation: the link stands.
    again = _through_provider(Client(), "probation-id", "jo.lindqvist")
    assert again["Location"] == "/"


def test_without_the_mfa_claim_the_security_code_still_applies(providers):
    sam = make_user("sam.probation", [], hub_code="london", agency_code="probation-london")
    sso_invitation_issue(
        actor=None, user=sam, provider=providers["probation-id"], subject=person("sam.okafor").sub
    )
    client = Client()
    response = _through_provider(client, "probation-id", "sam.okafor")
    assert response.status_code == 302 and response["Location"] == "/sign-in/code/"
    assert client.get("/").status_code == 302  # not signed in until the code is given
    assert AuditEvent.objects.get(action="sso.sign_in").details["second_factor"] == "security code"


def test_an_agency_that_does_not_trust_its_provider_mfa_still_asks_for_the_code(providers):
    alex = make_user("alex.nca", [Role.PARTNER_OFFICER], hub_code=None, agency_code="nca")
    sso_invitation_issue(
        actor=None, user=alex, provider=providers["nca-id"], subject=person("alex.mbeki").sub
    )
    client = Client()
    response = _through_provider(client, "nca-id", "alex.mbeki")  # amr says hwk: multi-factor
    assert response["Location"] == "/sign-in/code/"
    device = TOTPDevice.objects.get(user=alex)
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"
    assert client.post("/sign-in/code/", {"code": code})["Location"] == "/"
    assert client.get("/").context["user"].username == "alex.nca"


def test_an_uninvited_subject_is_refused_even_with_a_matching_email(providers, jo):
    client = Client()
    response = _through_provider(client, "probation-id", "kim.stranger")  # e-mail is jo's
    assert response.status_code == 403
    page = response.content.decode()
    assert "You cannot sign in to MARSOC Hub through London Probation ID" in page
    assert "not linked to a MARSOC Hub account" in page
    assert not IdentityLink.objects.exists()
    assert client.get("/").status_code == 302
    refusal = AuditEvent.objects.get(action="sso.refused")
    assert (
        refusal.details["reason"] == "not_invited"
        and refusal.details["subject"] == person("kim.stranger").sub
    )


def test_an_invitation_code_links_the_first_sign_in_once(providers, jo):
    _invitation, code = sso_invitation_issue(actor=None, user=jo, provider=providers["probation-id"])
    assert code
    client = Client()
    refused = _through_provider(client, "probation-id", "kim.stranger")
    assert refused.status_code == 403 and "invitation code" in refused.content.decode()
    wrong = client.post("/sign-in/sso/probation-id/invitation/", {"code": "0000-0000-0000-0000"})
    assert wrong.status_code == 403 and "is not right" in wrong.content.decode()
    right = client.post("/sign-in/sso/probation-id/invitation/", {"code": code.lower()})
    assert right.status_code == 302 and right["Location"] == "/"
    assert IdentityLink.objects.get(user=jo).subject == person("kim.stranger").sub
    # Used: it links nobody else.
    other = Client()
    _through_provider(other, "probation-id", "sam.okafor")
    assert other.post("/sign-in/sso/probation-id/invitation/", {"code": code}).status_code == 403


def test_a_subject_claiming_another_agency_is_refused(providers):
    lee = make_user("lee.probation", [], hub_code="london", agency_code="probation-london")
    sso_invitation_issue(
        actor=None, user=lee, provider=providers["probation-id"], subject=person("lee.elsewhere").sub
    )
    response = _through_provider(Client(), "probation-id", "lee.elsewhere")
    assert (
        response.status_code == 403
        and "did not confirm that you work for its agency" in response.content.decode()
    )
    assert not IdentityLink.objects.exists()  # the link is not kept when the sign-in is refused
    assert AuditEvent.objects.get(action="sso.refused").details["reason"] == "wrong_agency"


def test_a_subject_given_no_role_is_refused(providers):
    pat = make_user(
        "pat.probation", [Role.PARTNER_OFFICER], hub_code="london", agency_code="probation-london"
    )
    sso_invitation_issue(
        actor=None, user=pat, provider=providers["probation-id"], subject=person("pat.norole").sub
    )
    response = _through_provider(Client(), "probation-id", "pat.norole")
    assert response.status_code == 403 and "did not give you a role" in response.content.decode()
    assert set(pat.role_grants.values_list("role", flat=True)) == {Role.PARTNER_OFFICER}  # unchanged


def test_invitations_name_a_person_of_the_providers_agency(providers):
    outsider = make_user("mps.officer", [Role.HUB_OFFICER], agency_code="mps")
    with pytest.raises(ValidationFailed) as failed:
        sso_invitation_issue(actor=None, user=outsider, provider=providers["probation-id"], subject="x")
    assert "user" in failed.value.errors
    assert not SsoInvitation.objects.exists()


def test_an_expired_invitation_links_nobody(providers, jo):
    invitation, _ = sso_invitation_issue(
        actor=None, user=jo, provider=providers["probation-id"], subject=person("jo.lindqvist").sub
    )
    SsoInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    assert _through_provider(Client(), "probation-id", "jo.lindqvist").status_code == 403


def test_a_forged_callback_is_refused(providers):
    response = Client().get("/sign-in/sso/probation-id/callback/?code=forged&state=forged")
    assert response.status_code == 403 and "did not finish" in response.content.decode()
    assert AuditEvent.objects.get(action="sso.refused").details["reason"] == "provider_error"


def test_a_provider_that_refuses_our_client_is_a_clear_refusal(providers, jo):
    """The real provider turns down the code exchange (wrong client secret): a page, not an error."""
    sso_invitation_issue(
        actor=None, user=jo, provider=providers["probation-id"], subject=person("jo.lindqvist").sub
    )
    providers["probation-id"].client_secret = "not-the-secret-the-provider-issued"
    providers["probation-id"].save()
    response = _through_provider(Client(), "probation-id", "jo.lindqvist")
    assert response.status_code == 403 and "did not finish" in response.content.decode()
    assert not IdentityLink.objects.exists()
    assert AuditEvent.objects.get(action="sso.refused").details["reason"] == "provider_error"


def test_sign_out_ends_the_session_and_the_providers(providers, jo):
    sso_invitation_issue(
        actor=None, user=jo, provider=providers["probation-id"], subject=person("jo.lindqvist").sub
    )
    client = Client()
    _through_provider(client, "probation-id", "jo.lindqvist")
    response = client.post("/sign-out/")
    # A page that moves on to the provider's end-session address (a form may not redirect off-site).
    assert response.status_code == 200 and "You have signed out of MARSOC Hub" in response.content.decode()
    elsewhere = response.context["elsewhere"]
    assert elsewhere.startswith(providers["probation-id"].issuer + "/session/end")
    assert "id_token_hint=" in elsewhere and "post_logout_redirect_uri=" in elsewhere
    assert client.get("/").status_code == 302


def test_sign_out_after_a_password_sign_in_stays_here(providers):
    user = make_user("plain.user", [Role.HUB_OFFICER])
    client = signed_in(user)
    response = client.post("/sign-out/")
    assert response.status_code == 302 and response["Location"] == "/sign-in/"
