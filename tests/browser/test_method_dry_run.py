"""A method dry run in Chromium: the national analyst finds the draft method, reads who would change
tier and why, and queues a fresh dry run; the page has no serious accessibility violations."""

import pytest
from playwright.sync_api import Page, expect

from marsoc.assessment.models import MethodDryRun

from .conftest import run_axe, serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]


def test_national_analyst_reads_and_reruns_a_dry_run(page: Page, live_server) -> None:
    first = MethodDryRun.objects.get()  # the demo data dry-runs the draft v2 method
    assert first.changed > 0
    sign_in(page, live_server, "national.analyst")
    page.goto(f"{live_server.url}/methods/")
    page.get_by_role("link", name="MARSOC priority method v2 (draft)").click()
    page.locator("#dry-runs a").first.click()
    expect(page).to_have_url(f"{live_server.url}/methods/dry-runs/{first.pk}/")
    expect(page.locator("#changed-count")).to_have_text(str(first.changed))
    expect(page.locator("#method-differences")).to_contain_text("tier 1: 60-100 became 55-100")
    rows = page.locator("#changes-table tbody tr")
    expect(rows.first).to_contain_text("Top factors under the candidate")
    assert rows.count() == min(first.changed, 25)

    problems = serious_violations(run_axe(page))
    assert not problems, "\n".join(problems)

    # Only people who move up, without JavaScript: the filter form is a plain GET.
    page.locator("#direction").select_option("up")
    page.get_by_role("button", name="Apply filters").click()
    expected_up = first.changes.filter(direction="up").count()
    expect(page.locator("#result-count")).to_contain_text(f"{expected_up} ")

    # Queue another run from the method page; the test settings run the task at once.
    page.goto(f"{live_server.url}/methods/{first.candidate_id}/")
    page.get_by_role("button", name="Re-score the cohort with this method").click()
    second = MethodDryRun.objects.exclude(pk=first.pk).get()
    expect(page).to_have_url(f"{live_server.url}/methods/dry-runs/{second.pk}/")
    expect(page.locator("#changed-count")).to_have_text(str(first.changed))
