"""The equality report in Chromium: a Board member finds it from the home page, sees aggregates and no
person, and the page has no serious accessibility violations."""

import pytest
from playwright.sync_api import Page, expect

from marsoc.assessment.populations import install_default_population
from marsoc.nominals.models import Nominal

from .conftest import SCREENSHOTS, run_axe, serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]


def test_board_member_opens_the_equality_report_and_sees_no_names(page: Page, live_server) -> None:
    install_default_population()  # the transactional flush emptied the migration-loaded population
    sign_in(page, live_server, "board.member")
    page.locator("#equality-link a").click()
    expect(page).to_have_url(f"{live_server.url}/equality/")
    expect(page.locator("#table-ethnicity")).to_be_visible()
    expect(page.locator("#table-sex")).to_be_visible()
    expect(page.locator("#hub-summary")).to_be_visible()
    # Relative rate indices against the census are shown for the recorded groups.
    expect(page.locator("#table-sex tbody tr").first.locator("td").nth(4)).not_to_have_text("–")

    html = page.content()
    # No person: no family name, no reference number, no link to any record.
    for nominal in Nominal.objects.all():
        assert f"MH{nominal.pk:07d}" not in html
        # Whole names (a family name alone, such as "White", can be an ethnic group's label).
        assert nominal.full_name not in html, nominal.full_name
        assert f"{nominal.family_name.upper()}, {nominal.given_names}" not in html
    expect(page.locator("a[href^='/cohort/']")).to_have_count(0)

    problems = serious_violations(run_axe(page))
    assert not problems, "\n".join(problems)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "equality.png"), full_page=True)

    # Another hub's figures, chosen without JavaScript through the form.
    page.locator("#id_scope").select_option(label="London hub")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#scope-heading")).to_have_text("London hub")
    assert not serious_violations(run_axe(page))


def test_national_analyst_corrects_a_reference_figure(page: Page, live_server) -> None:
    population = install_default_population()
    sign_in(page, live_server, "national.analyst")
    page.goto(f"{live_server.url}/equality/populations/")
    page.get_by_role("link", name=population.name).click()
    expect(page.locator("#shares-ethnicity")).to_be_visible()
    assert not serious_violations(run_axe(page))
    # A share that breaks the total is refused, naming the characteristic; nothing is saved.
    page.locator("[name='sex__male']").fill("60")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("sex: shares add up to 111")
    assert not serious_violations(run_axe(page))
    page.locator("[name='sex__male']").fill("49.0")
    page.locator("[name='age_band__under 18']").fill("21.0")
    page.locator("[name='age_band__55+']").fill("30.8")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("updated")
    assert str(population.shares.get(characteristic="age_band", group="under 18").share) == "21.000"
