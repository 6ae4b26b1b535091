"""Graded intelligence in Chromium: a London officer records a C-coded item and sees the conditions banner;
the hub manager (another agency) shares it, which becomes a consent request to the originating officer;
the officer consents; an HMRC partner, a party to the agreement in force, sees the item; the officer then
shares a nominal summary of the person with HMRC (preview, then share) and the partner opens it; once the
national manager suspends the agreement, the same partner gets the same 404 as for a missing item, for the
item and for the summary."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from marsoc.accounts.models import Agency, Hub, User
from marsoc.accounts.services import totp_device_set, user_create
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.demo.generate import DEMO_PASSWORD
from marsoc.intelligence.models import ConsentRequest, Disclosure, IntelItem, SummaryDisclosure
from marsoc.nominals.services import NominalInput, nominal_refer

from ..intelligence.helpers import make_agreement
from .conftest import allow_second_sign_in, run_axe, serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]


def _london_person():
    return nominal_refer(
        actor=User.objects.get(username="london.manager"),
        data=NominalInput(
            given_names="Journey",
            family_name="Graded",
            date_of_birth=timezone.localdate().replace(year=1983),
            sex="M",
            data_subject_category="suspect",
            owner_hub_id=Hub.objects.get(code="london").pk,
        ),
        rationale="Browser journey (synthetic)",
    )


def _hmrc_partner() -> User:
    user = user_create(
        actor=None,
        username="partner.hmrc",
        password=DEMO_PASSWORD,
        agency=Agency.objects.get(code="hmrc"),
        hub=None,
        roles=[Role.PARTNER_OFFICER],
        first_name="Hana",
        last_name="Rees",
    )
    totp_device_set(user, "3132333435363738393031323334353637383930")
    return user


def _give_purpose(page: Page) -> None:
    page.locator("input[name=purpose][value=case_management]").check()
    page.get_by_role("button", name="Continue").click()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def _accessibility(page: Page, where: str, problems: list[str]) -> None:
    problems += [f"{where}: {line}" for line in serious_violations(run_axe(page))]


def test_c_item_recorded_shared_with_consent_and_cut_off_by_suspension(page: Page, live_server) -> None:
    nominal = _london_person()
    _hmrc_partner()
    agreement = make_agreement(
        ["hmpps-prisons-london", "hmrc"],
        max_classification="OFFICIAL-SENSITIVE",
        categories=("criminal_intelligence", "custody", "identity"),
    )
    hmrc = Agency.objects.get(code="hmrc")
    day = timezone.localdate() - timedelta(days=3)
    problems: list[str] = []

    # 1. The London officer (HMPPS prisons) records a C-coded item: [2BC] A1 S2.
    sign_in(page, live_server, "london.officer")
    page.goto(f"{live_server.url}/intelligence/new/")
    page.get_by_role("button", name="Record").click()  # empty: the error summary names the fields
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reference of at least one person")
    _accessibility(page, "record form with errors", problems)
    page.locator("input[name=subjects]").fill(nominal.reference)
    page.locator("select[name=data_subject_category]").select_option("suspect")
    page.locator("textarea[name=text]").fill("Moves cash through a car wash on Mill Lane (synthetic).")
    page.locator("input[name=intelligence_date_day]").fill(str(day.day))
    page.locator("input[name=intelligence_date_month]").fill(str(day.month))
    page.locator("input[name=intelligence_date_year]").fill(str(day.year))
    page.locator("input[name=source_evaluation][value='2']").check()
    page.locator("input[name=intelligence_assessment][value=B]").check()
    page.locator("input[name=handling_code][value=C]").check()
    page.locator("input[name=conditions][value=A1]").check()
    page.locator("input[name=conditions][value=S2]").check()
    page.locator("select[name=classification]").select_option("OFFICIAL-SENSITIVE")
    page.locator("select[name=purpose]").select_option("prevention_detection")
    page.locator("select[name=data_category]").select_option("criminal_intelligence")
    page.get_by_role("button", name="Record").click()
    item = IntelItem.objects.get(text__startswith="Moves cash through a car wash")
    item_url = f"{live_server.url}/intelligence/{item.pk}/"
    expect(page).to_have_url(item_url)
    expect(page.locator("#grade")).to_have_text("[2BC] A1 S2")
    banner = page.locator("#handling-conditions")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Handling code C: conditions apply")
    _accessibility(page, "item page", problems)

    # A misspelt search finds the person (a similar name) and the item, and says why.
    page.goto(f"{live_server.url}/intelligence/?q=Gradde")
    people = page.locator("#people")
    expect(people.get_by_role("row", name=nominal.reference)).to_contain_text("similar name")
    expect(page.locator("#items").get_by_role("link", name=item.reference)).to_be_visible()
    _accessibility(page, "search results", problems)
    _sign_out(page)

    # 2. The hub manager (MPS, not the originating agency) shares it with HMRC: a consent request.
    sign_in(page, live_server, "london.manager")
    page.goto(item_url)
    _give_purpose(page)
    expect(page).to_have_url(item_url)
    page.get_by_role("link", name="Share with another agency").click()
    expect(page.locator("#handling-conditions")).to_be_visible()
    expect(page.locator("#consent-needed")).to_be_visible()
    _accessibility(page, "share page", problems)
    page.locator("select[name=recipient]").select_option(str(hmrc.pk))
    page.locator("select[name=agreement]").select_option(str(agreement.pk))
    page.locator("textarea[name=purpose]").fill("Joint money-laundering work")
    page.get_by_role("button", name="Share").click()
    expect(page).to_have_url(item_url)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The originator has been asked to consent"
    )
    assert ConsentRequest.objects.filter(item=item, status="pending").count() == 1
    assert not Disclosure.objects.filter(item=item).exists()
    _sign_out(page)

    # 3. The HMRC partner cannot see it yet: the same 404 as for a missing item.
    sign_in(page, live_server, "partner.hmrc")
    response = page.goto(item_url)
    assert response is not None and response.status == 404
    page.goto(f"{live_server.url}/")
    _sign_out(page)

    # 4. The originating officer consents on the requests page.
    allow_second_sign_in("london.officer")
    sign_in(page, live_server, "london.officer")
    page.goto(f"{live_server.url}/intelligence/requests/")
    page.get_by_role("link", name=f"{item.reference} to HM Revenue and Customs").click()
    page.locator("input[name=decision][value=grant]").check()
    page.locator("textarea[name=reason]").fill("A1 applies: corroborate, no direct action")
    page.get_by_role("button", name="Record decision").click()
    expect(page).to_have_url(f"{live_server.url}/intelligence/requests/")
    disclosure = Disclosure.objects.get(item=item)
    assert disclosure.recipient_agency == hmrc and disclosure.conditions == ["A1", "S2"]
    event = AuditEvent.objects.filter(
        action="intel.item.disclose", details__surface="consent", object_id=str(item.pk)
    ).get()
    assert event.operation == "disclosure" and event.recipients == ["HM Revenue and Customs"]
    _sign_out(page)

    # 5. The partner now sees the item, with its conditions, under the agreement in force.
    allow_second_sign_in("partner.hmrc")
    sign_in(page, live_server, "partner.hmrc")
    page.goto(item_url)
    _give_purpose(page)
    expect(page).to_have_url(item_url)
    expect(page.locator("#item-text")).to_contain_text("Moves cash through a car wash")
    expect(page.locator("#handling-conditions")).to_be_visible()
    _accessibility(page, "partner's view", problems)
    _sign_out(page)

    # 5b. The originating officer shares a summary of the person with HMRC, from the person's profile:
    # a preview of exactly what would go (the item with its conditions shown), then the share.
    allow_second_sign_in("london.officer")
    sign_in(page, live_server, "london.officer")
    page.goto(f"{live_server.url}/cohort/{nominal.pk}/")
    _give_purpose(page)
    page.locator("#person-subnav").get_by_role("link", name="Intelligence").click()
    page.get_by_role("link", name="Share a summary with another agency").click()
    page.locator("select[name=recipient]").select_option(str(hmrc.pk))
    page.locator("select[name=agreement]").select_option(str(agreement.pk))
    page.locator("select[name=purpose]").select_option("prevention_detection")
    page.locator("textarea[name=reason]").fill("Joint money-laundering work")
    page.get_by_role("button", name="Preview the summary").click()
    expect(page.locator("#summary-identity")).to_contain_text("GRADED, Journey")
    expect(page.get_by_text(f"Handling code C: conditions apply to {item.reference}")).to_be_visible()
    _accessibility(page, "summary preview", problems)
    page.get_by_role("button", name="Share this summary").click()
    summary = SummaryDisclosure.objects.get(nominal=nominal)
    summary_url = f"{live_server.url}/intelligence/summaries/{summary.pk}/"
    expect(page).to_have_url(summary_url)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "shared with HM Revenue and Customs"
    )
    assert summary.item_ids == [item.pk] and "identity" in summary.snapshot
    _sign_out(page)

    # 5c. The HMRC partner finds it among the summaries received and opens it.
    allow_second_sign_in("partner.hmrc")
    sign_in(page, live_server, "partner.hmrc")
    page.goto(f"{live_server.url}/intelligence/summaries/")
    page.get_by_role("link", name=summary.reference).click()
    _give_purpose(page)
    expect(page).to_have_url(summary_url)
    expect(page.locator("#summary-identity")).to_contain_text("GRADED, Journey")
    expect(page.locator("#summary-items")).to_contain_text(item.reference)
    _accessibility(page, "received summary", problems)
    _sign_out(page)

    # 6. The national manager suspends the agreement; the partner's access stops on the next request.
    sign_in(page, live_server, "national.manager")
    page.goto(f"{live_server.url}/intelligence/agreements/{agreement.pk}/")
    page.locator("input[name=to_status][value=suspended]").check()
    page.locator("textarea[name=reason]").fill("Review of the gateway")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("suspended")
    _sign_out(page)

    allow_second_sign_in("partner.hmrc")
    sign_in(page, live_server, "partner.hmrc")
    response = page.goto(item_url)
    assert response is not None and response.status == 404
    page.goto(f"{live_server.url}/intelligence/?q=car+wash")
    expect(page.get_by_text(item.reference)).to_have_count(0)
    response = page.goto(summary_url)
    assert response is not None and response.status == 404
    page.goto(f"{live_server.url}/intelligence/summaries/")
    expect(page.locator("#summary-count")).to_have_text("0 summaries.")

    assert not problems, "\n".join(problems)
