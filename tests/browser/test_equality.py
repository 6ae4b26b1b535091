"""The equality report in Chromium: a Board member finds it from the home page, sees aggregates and no
person, and the page has no serious accessibility violations."""

import pytest
from playwright.sync_api import Page, expect

from marsoc.assessment.populations import install_default_population
from marsoc.nominals.models import Nominal

from .conftest import run_axe, serious_violations, sign_in

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

    # Another hub's figures, chosen without JavaScript through the form.
    page.locator("#id_scope").select_option(label="London hub")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#scope-heading")).to_have_text("London hub")
    assert not serious_violations(run_axe(page))
