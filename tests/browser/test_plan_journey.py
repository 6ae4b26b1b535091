"""The plan cycle in Chromium: create a plan, add actions for two agencies, both agree, record an outcome,
validate it at the tasking meeting and download the meeting pack (read back as a PDF)."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from marsoc.accounts.models import Agency, Hub, User
from marsoc.accounts.services import totp_device_set, user_create
from marsoc.core.vocabulary import Role
from marsoc.demo.generate import DEMO_PASSWORD
from marsoc.nominals.services import NominalInput, membership_change, nominal_refer
from marsoc.plans.models import Agreement, Outcome, Plan
from marsoc.plans.services import plan_state
from marsoc.plans.vocabulary import PlanState

from .conftest import allow_second_sign_in, run_axe, serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]


def _adopted_london_person():
    manager = User.objects.get(username="london.manager")
    nominal = nominal_refer(
        actor=manager,
        data=NominalInput(
            given_names="Journey",
            family_name="Planned",
            date_of_birth=timezone.localdate().replace(year=1984),
            sex="M",
            data_subject_category="convicted",
            owner_hub_id=Hub.objects.get(code="london").pk,
        ),
        rationale="Browser journey (synthetic)",
    )
    membership_change(actor=manager, nominal=nominal, to_state="under_assessment", rationale="Assess")
    membership_change(actor=manager, nominal=nominal, to_state="adopted", rationale="Adopt for the journey")
    return nominal


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
    # HMRC takes part under an agreement in force: without one its action would give it no sight of the
    # person (docs/access-model.md).
    from ..conftest import partnership_agreement

    partnership_agreement("hmrc")
    return user


def _give_purpose(page: Page) -> None:
    page.locator("input[name=purpose][value=case_management]").check()
    page.get_by_role("button", name="Continue").click()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def _fill_date(page: Page, name: str, day) -> None:
    page.locator(f"input[name={name}_day]").fill(str(day.day))
    page.locator(f"input[name={name}_month]").fill(str(day.month))
    page.locator(f"input[name={name}_year]").fill(str(day.year))


def test_plan_cycle_from_creation_to_meeting_pack(page: Page, live_server, tmp_path: Path) -> None:
    nominal = _adopted_london_person()
    _hmrc_partner()
    mps, hmrc = Agency.objects.get(code="mps"), Agency.objects.get(code="hmrc")
    due = timezone.localdate() + timedelta(days=30)
    plan_url = f"{live_server.url}/cohort/{nominal.pk}/plan/"

    # The London hub manager creates the plan and adds actions for the police and HMRC.
    sign_in(page, live_server, "london.manager")
    page.goto(plan_url)
    _give_purpose(page)
    expect(page).to_have_url(plan_url)
    page.get_by_role("link", name="Create a plan").click()
    page.locator("select[name=owner_agency]").select_option(str(mps.pk))
    page.get_by_role("button", name="Create plan").click()
    expect(page.locator("#plan-state")).to_have_text("Draft")

    for tactic_label, agency in (
        ("Cash seizure and forfeiture (Police force)", mps),
        ("Tax investigation (HM Revenue and Customs)", hmrc),
    ):
        page.get_by_role("link", name="Add an action").click()
        page.locator("select[name=tactic]").select_option(label=tactic_label)
        page.locator("select[name=agency]").select_option(str(agency.pk))
        _fill_date(page, "due_date", due)
        page.get_by_role("button", name="Add action").click()
        expect(page).to_have_url(plan_url)
    expect(page.locator("#actions tbody tr")).to_have_count(2)

    page.get_by_role("button", name="Ask the agencies to agree version 1").click()
    expect(page.locator("#plan-state")).to_have_text("Awaiting agreement")
    page.get_by_role("link", name="Agree version 1").click()
    page.get_by_role("button", name="Agree version 1").click()
    expect(page.locator("#plan-state")).to_have_text("Awaiting agreement")  # HMRC has not agreed yet
    _sign_out(page)

    # HMRC now takes part (it has an action): its officer sees the plan, agrees and claims an outcome.
    sign_in(page, live_server, "partner.hmrc")
    page.goto(plan_url)
    _give_purpose(page)
    page.get_by_role("link", name="Agree version 1").click()
    page.locator("textarea[name=note]").fill("Agreed for HMRC")
    page.get_by_role("button", name="Agree version 1").click()
    expect(page.locator("#plan-state")).to_have_text("Agreed")
    plan = Plan.objects.get(nominal=nominal)
    assert plan_state(plan) == PlanState.AGREED
    assert set(
        Agreement.objects.filter(version=plan.agreed_version).values_list("agency__code", flat=True)
    ) == {
        "mps",
        "hmrc",
    }

    found = {"plan page": serious_violations(run_axe(page))}
    page.get_by_role("link", name="Record outcome of Tax investigation").click()
    found["outcome form"] = serious_violations(run_axe(page))
    _fill_date(page, "occurred_on", timezone.localdate())
    page.locator("input[name=rating][value=moderate]").check()
    page.locator("textarea[name=justification]").fill("Tax assessment raised; front company deregistered")
    page.get_by_role("button", name="Claim outcome").click()
    expect(page).to_have_url(plan_url)
    outcome = Outcome.objects.get(action__plan=plan)
    assert (outcome.agency.code, outcome.status, outcome.rating) == ("hmrc", "claimed", "moderate")
    _sign_out(page)

    # At the London tasking meeting the hub validates the claim and downloads the pack.
    allow_second_sign_in("london.manager")
    sign_in(page, live_server, "london.manager")
    page.goto(f"{live_server.url}/plans/meetings/")
    _fill_date(page, "held_on", timezone.localdate() + timedelta(days=1))
    page.locator("input[name=title]").fill("London journey tasking")
    page.get_by_role("button", name="Schedule meeting").click()
    expect(page).to_have_url(re.compile(r"/plans/meetings/\d+/$"))
    expect(page.locator("main")).to_contain_text("Tax assessment raised")
    found["meeting page"] = serious_violations(run_axe(page))
    # Claims are decided together, nothing pre-selected; the person has a section of their own.
    expect(page.locator(f"#claim-{outcome.pk} input[type=radio]:checked")).to_have_count(0)
    expect(page.locator(f"#person-{nominal.pk}")).to_contain_text(f"Outcome claim #{outcome.pk}")
    page.locator(f"#claim-{outcome.pk}").get_by_label("Validate").check()
    page.get_by_role("button", name="Record the decisions").click()
    expect(page.locator("main")).to_contain_text(
        f"Claim #{outcome.pk} ({nominal.reference}, HM Revenue and Customs): Validated"
    )
    outcome.refresh_from_db()
    assert outcome.status == "validated" and outcome.meeting is not None

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the meeting pack (PDF)").click()
    target = tmp_path / "pack.pdf"
    info.value.save_as(target)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(target.read_bytes())).pages)
    assert "Meeting pack: London journey tasking" in text
    assert nominal.reference in text  # adopted since the last meeting

    page.goto(f"{live_server.url}/plans/reports/")
    expect(page.locator("#chart-agency")).to_contain_text("HM Revenue and Customs")
    found["reports"] = serious_violations(run_axe(page))
    page.goto(f"{live_server.url}/plans/catalogue/")
    found["catalogue"] = serious_violations(run_axe(page))
    problems = {name: lines for name, lines in found.items() if lines}
    assert not problems, "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in problems.items())
