"""Data-subject rights in the browser (Chromium): London's manager opens the rights work, a request in
review, one of its records, the person's rights page and the restrict, correction and review forms, and the
review of one of the person's records (each review submitted empty, showing its errors). Every page is axe clean (no serious or critical violation) and no
wider than the window at 320 px."""

import pytest
from playwright.sync_api import Page, expect

from marsoc.rights.models import RequestStatus, SubjectAccessRequest

from .conftest import allow_second_sign_in, run_axe, serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.flushes]


def _check(page: Page, name: str) -> list[str]:
    problems = [f"{name}: {v}" for v in serious_violations(run_axe(page))]
    page.set_viewport_size({"width": 320, "height": 900})
    wide = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if wide[0] > wide[1]:
        problems.append(f"{name} at 320px is {wide[0]}px wide")
    page.set_viewport_size({"width": 1280, "height": 900})
    return problems


def test_rights_pages_are_accessible(page: Page, live_server, demo_data):
    sar = SubjectAccessRequest.objects.filter(status=RequestStatus.IN_REVIEW).first()
    assert sar is not None
    person = sar.nominal_id
    allow_second_sign_in("london.manager")
    sign_in(page, live_server, "london.manager")
    problems: list[str] = []
    page.goto(f"{live_server.url}/rights/")
    expect(page.locator("h1")).to_have_text("Data-subject rights and retention")
    problems += _check(page, "rights work")
    page.goto(f"{live_server.url}/rights/requests/{sar.pk}/")
    expect(page.locator("#records")).to_be_visible()
    problems += _check(page, "request")
    page.locator("#records a").first.click()
    expect(page.locator("#record-fields")).to_be_visible()
    problems += _check(page, "record")
    page.locator("input[name=exemption][value=crime]").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()  # a ground needs its reason
    problems += _check(page, "record with errors")
    page.goto(f"{live_server.url}/rights/people/{person}/")
    page.locator("input[name=purpose][value=case_management]").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#person-subnav")).to_be_visible()
    problems += _check(page, "person's rights")
    for path, name in (("restrict", "restrict"), ("correction", "correction"), ("review", "review")):
        page.goto(f"{live_server.url}/rights/people/{person}/{path}/")
        problems += _check(page, name)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    problems += _check(page, "review with errors")
    # One record's own review, from the person's rights page.
    page.goto(f"{live_server.url}/rights/people/{person}/")
    page.locator("#record-reviews a").first.click()
    expect(page.locator("#record-due")).to_be_visible()
    problems += _check(page, "record review")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    problems += _check(page, "record review with errors")
    assert not problems, "\n".join(problems)
