"""Issue 19's journeys in Chromium, from the navigation: a quarterly claim (prepared by the hub's business
manager, its actual costs entered with a variance explained, checked by a second person, submitted and
paid), a decision record (drafted, every declaration ticked by a named officer, approved by a decision
maker who did not draft it, Part 1 published and read on the public register without signing in), and the
last party's sign-off bringing the London agreement into force on the governance register. axe on every
page."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from marsoc.funding.models import Claim, DecisionRecord

from .conftest import run_axe, serious_violations, sign_in
from .test_plan_journey import _fill_date, _sign_out

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]


def _axe(page: Page, where: str, failures: list[str]) -> None:
    failures += [f"{where}: {line}" for line in serious_violations(run_axe(page))]


def _nav(page: Page, label: str) -> None:
    page.locator(".govuk-service-navigation").get_by_role("link", name=label, exact=True).click()


def test_a_claim_is_prepared_checked_submitted_and_paid(page: Page, live_server):
    # The demo claims every quarter; quarter 8 is taken back so the journey can claim it afresh.
    Claim.objects.filter(number=8).delete()
    failures: list[str] = []
    sign_in(page, live_server, "london.manager")
    _nav(page, "Grants")
    page.locator("table a.govuk-link").first.click()
    _axe(page, "grant page", failures)
    page.locator("#prepare-claim").click()
    page.get_by_label("Quarter 8", exact=False).check()
    page.get_by_role("button", name="Prepare the claim").click()
    expect(page.locator("#claim-state")).to_have_text("Draft")
    claim_url = page.url
    page.locator("#enter-actuals").click()
    inputs = page.locator("input[name^=post_]")
    for i in range(inputs.count()):
        inputs.nth(i).fill("10000")
    page.locator("textarea[name=explanation]").fill("Two posts were vacant for part of the quarter.")
    _axe(page, "actual costs", failures)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#actual")).to_contain_text("£30,000")
    # The preparer cannot check their own claim.
    expect(page.locator("#check-claim")).to_have_count(0)
    _sign_out(page)

    sign_in(page, live_server, "london.finance")
    page.goto(claim_url)
    page.locator("#check-claim").click()
    expect(page.locator("#claim-state")).to_have_text("Checked")
    expect(page.locator("#checked-by")).to_contain_text("Marcus Adeyemi")
    page.locator("#submit-claim").click()
    expect(page.locator("#claim-state")).to_have_text("Submitted to the funder")
    _axe(page, "submitted claim", failures)
    today = timezone.localdate()
    _fill_date(page, "paid_on", today)
    page.locator("input[name=paid_amount]").fill("30000")
    page.locator("#record-payment").click()
    expect(page.locator("#claim-state")).to_have_text("Paid")
    expect(page.locator("#paid")).to_contain_text("£30,000")
    _axe(page, "paid claim", failures)
    claim = Claim.objects.get(number=8)
    assert (claim.state, claim.paid_pence, claim.checked_by.username) == ("paid", 30_000_00, "london.finance")
    assert not failures, "\n".join(failures)


def test_a_decision_is_drafted_declared_approved_and_published(page: Page, live_server, browser):
    failures: list[str] = []
    sign_in(page, live_server, "london.manager")
    _nav(page, "Decisions")
    _axe(page, "decisions", failures)
    page.locator("#draft-decision").click()
    page.get_by_label("Reference").fill("PCD 9001")
    page.get_by_label("Title", exact=True).fill("Journey funding for a MARSOC analyst")
    page.get_by_label("Executive summary").fill("Accept a synthetic grant for one analyst post.")
    page.get_by_label("Recommendation").fill("That the Deputy Mayor accepts the grant.")
    page.get_by_label("Part 1: non-confidential facts and advice").fill("The post is funded for a year.")
    page.get_by_label("Who decides").fill("Deputy Mayor for Policing and Crime")
    _axe(page, "draft a decision", failures)
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator("#decision-state")).to_have_text("Draft")
    decision_url = page.url
    _sign_out(page)

    sign_in(page, live_server, "london.finance")
    page.goto(decision_url)
    buttons = page.locator("#declarations button")
    count = buttons.count()
    assert count == 8
    for _ in range(count):
        page.locator("#declarations button").first.click()
    expect(page.locator("#declarations button")).to_have_count(0)
    expect(page.locator("#declarations")).to_contain_text("Ticked by Marcus Adeyemi")
    _axe(page, "declarations", failures)
    _sign_out(page)

    sign_in(page, live_server, "decision.maker")
    page.goto(decision_url)
    page.locator("textarea[name=interest_declaration]").fill("None")
    page.locator("input[name=confirmed]").check()
    _axe(page, "approve", failures)
    page.locator("#approve").click()
    expect(page.locator("#decision-state")).to_have_text("Approved")
    expect(page.locator("#approval")).to_contain_text("Sophie Lindell")
    page.locator("#publish").click()
    expect(page.locator("#published")).to_have_text("Part 1 published")
    decision = DecisionRecord.objects.get(reference="PCD 9001")
    assert decision.state == "approved" and decision.published_at is not None

    # The public register, with no sign-in at all (a fresh browser profile).
    public = browser.new_context(base_url=live_server.url)
    reader = public.new_page()
    reader.goto(f"{live_server.url}/register/")
    expect(reader.locator("main")).to_contain_text("Journey funding for a MARSOC analyst")
    _axe(reader, "public register", failures)
    reader.get_by_role("link", name="Journey funding for a MARSOC analyst", exact=False).click()
    expect(reader.locator("main")).to_contain_text("The post is funded for a year.")
    _axe(reader, "public decision", failures)
    public.close()
    assert not failures, "\n".join(failures)


def test_the_last_sign_off_brings_the_london_agreement_into_force(page: Page, live_server):
    failures: list[str] = []
    sign_in(page, live_server, "national.manager")
    _nav(page, "Governance")
    row = page.locator("#agreements tr", has_text="ISA-MARSOC-LDN")
    expect(row).to_contain_text("Not signed")
    expect(row).to_contain_text("No. The agreement is not in force until every party signs it")
    _axe(page, "governance register", failures)
    row.get_by_role("link", name="Record a sign-off").click()
    page.get_by_label("Probation Service – London").check()
    page.get_by_label("Who signed for the party").fill("Chief Probation Officer, London")
    _fill_date(page, "signed_on", timezone.localdate())
    _axe(page, "record a sign-off", failures)
    page.get_by_role("button", name="Record the sign-off").click()
    row = page.locator("#agreements tr", has_text="ISA-MARSOC-LDN")
    expect(row).not_to_contain_text("Not signed")
    expect(row.locator("td").last).to_have_text("Yes")
    assert not failures, "\n".join(failures)
