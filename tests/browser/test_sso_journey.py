"""Single sign-on in Chromium against a real OpenID Connect provider (dev/oidc/provider.mjs, started on
loopback for these tests): sign in at the provider and land home with the agency and roles it gave; the
amr rule both ways; an uninvited subject refused with a clear page; sign-out here and at the provider."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from marsoc.accounts.models import Agency, IdentityLink, User
from marsoc.accounts.reference import load_reference_data
from marsoc.accounts.sso.services import sso_invitation_issue
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role

from ..conftest import make_user
from ..oidc_provider import PASSWORD, install_providers, person, running_provider
from .conftest import SCREENSHOTS, run_axe, serious_violations, totp_code

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def live_issuer(live_server, tmp_path_factory):
    with running_provider([live_server.url], tmp_path_factory.mktemp("oidc-live")) as issuer:
        yield issuer


@pytest.fixture
def providers(transactional_db, live_issuer):
    load_reference_data()  # a transactional test's flush removed the migration's rows
    return install_providers(live_issuer)


def _invite(providers, username: str, *, slug: str, provider_user: str, roles=(), agency: str) -> User:
    user = make_user(username, roles, hub_code="london" if agency != "nca" else None, agency_code=agency)
    sso_invitation_issue(actor=None, user=user, provider=providers[slug], subject=person(provider_user).sub)
    return user


def _sign_in_at_provider(page: Page, live_server, button: str, provider_user: str) -> None:
    page.goto(f"{live_server.url}/sign-in/", timeout=60_000)  # the first page of a run may be slow to start
    with page.expect_navigation(timeout=60_000):  # so may the first discovery read from the provider
        page.get_by_role("link", name=f"Sign in with {button}").click()
    expect(page.get_by_role("heading", name="Sign in to the partner identity provider")).to_be_visible()
    page.get_by_label("Username").fill(provider_user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_at_the_provider_lands_home_with_its_agency_and_roles_then_sign_out(
    page: Page, live_server, providers
):
    _invite(
        providers,
        "jo.probation",
        slug="probation-id",
        provider_user="jo.lindqvist",
        agency="probation-london",
    )
    agency = Agency.objects.get(code="probation-london")
    _sign_in_at_provider(page, live_server, "London Probation ID", "jo.lindqvist")
    # The provider asserted two factors (amr otp) and this agency lets that stand in: no security code.
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#signed-in-agency")).to_have_text(agency.name)
    expect(page.locator("#signed-in-roles")).to_have_text(Role.PARTNER_OFFICER.label)
    assert User.objects.get(username="jo.probation").role_codes == {Role.PARTNER_OFFICER}
    assert AuditEvent.objects.filter(action="sso.sign_in", details__second_factor="provider").count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "sso-home.png"))

    # Sign out: our session ends, then the provider's (RP-initiated logout), and back to our sign-in page.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign out of the identity provider")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}/sign-in/") + r"(\?state=[\w-]+)?$"))
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/sign-in/?next=/")
    # The provider forgot the session too: signing in there again asks for the password.
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_role("link", name="Sign in with London Probation ID").click()
    expect(page.get_by_role("heading", name="Sign in to the partner identity provider")).to_be_visible()


def test_without_the_providers_mfa_the_security_code_still_applies(page: Page, live_server, providers):
    _invite(
        providers, "sam.probation", slug="probation-id", provider_user="sam.okafor", agency="probation-london"
    )
    _sign_in_at_provider(page, live_server, "London Probation ID", "sam.okafor")  # amr: pwd only
    expect(page).to_have_url(f"{live_server.url}/sign-in/code/")
    page.locator("input[name=code]").fill(totp_code("sam.probation"))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#signed-in-roles")).to_have_text(Role.PARTNER_OFFICER.label)


def test_where_the_agency_does_not_trust_its_providers_mfa_the_code_applies(
    page: Page, live_server, providers
):
    _invite(
        providers,
        "alex.nca",
        slug="nca-id",
        provider_user="alex.mbeki",
        roles=[Role.PARTNER_OFFICER],
        agency="nca",
    )
    _sign_in_at_provider(page, live_server, "NCA sign-in", "alex.mbeki")  # amr: hwk, multi-factor
    expect(page).to_have_url(f"{live_server.url}/sign-in/code/")
    TOTPDevice.objects.filter(user__username="alex.nca").update(last_t=-1)
    page.locator("input[name=code]").fill(totp_code("alex.nca"))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#signed-in-agency")).to_have_text(Agency.objects.get(code="nca").name)


def test_an_uninvited_subject_is_refused_with_a_clear_page(page: Page, live_server, providers):
    _invite(
        providers,
        "jo.probation",
        slug="probation-id",
        provider_user="jo.lindqvist",
        agency="probation-london",
    )
    _sign_in_at_provider(page, live_server, "London Probation ID", "kim.stranger")
    expect(
        page.get_by_role("heading", name="You cannot sign in to MARSOC Hub through London Probation ID")
    ).to_be_visible()
    expect(page.get_by_text("This sign-in is not linked to a MARSOC Hub account.")).to_be_visible()
    expect(page.get_by_text("Ask your MARSOC Hub administrator to invite you")).to_be_visible()
    assert serious_violations(run_axe(page)) == []
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.screenshot(path=str(SCREENSHOTS / "sso-refused.png"))
    assert not IdentityLink.objects.filter(subject=person("kim.stranger").sub).exists()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/sign-in/?next=/")
